package metrics

import "github.com/prometheus/client_golang/prometheus"

// webhookCollector counts the customs webhooks' delivery attempts.
type webhookCollector struct {
	counts func() map[string]map[string]int64
	desc   *prometheus.Desc
}

func newWebhookCollector(counts func() map[string]map[string]int64) *webhookCollector {
	return &webhookCollector{counts: counts,
		desc: desc("webhook_deliveries_total", "Attempts to deliver an audit entry to a country's customs webhook since this instance started, "+
			"by country and result: delivered (2xx), failed (another answer or none; tried again), dead_letter (given up on after the last attempt).",
			"country", "result")}
}

func (w *webhookCollector) Describe(ch chan<- *prometheus.Desc) { ch <- w.desc }

func (w *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	for country, by := range w.counts() {
		for result, n := range by {
			ch <- prometheus.MustNewConstMetric(w.desc, prometheus.CounterValue, float64(n), country, result)
		}
	}
}
