package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhookDeliveriesByCountryAndResult(t *testing.T) {
	_, site, g := newFakeFleet(t)
	counts := func() map[string]map[string]int64 {
		return map[string]map[string]int64{"KZ": {"delivered": 7, "failed": 0}, "CN": {"delivered": 3, "failed": 4, "dead_letter": 1}}
	}
	m, err := New(Config{Fleet: stuckFleet{}, Site: site, Graph: g, Timeout: time.Millisecond, Webhooks: counts})
	require.NoError(t, err)
	err = testutil.GatherAndCompare(m.Registry(), strings.NewReader(`
# HELP borderfleet_webhook_deliveries_total Attempts to deliver an audit entry to a country's customs webhook since this instance started, by country and result: delivered (2xx), failed (another answer or none; tried again), dead_letter (given up on after the last attempt).
# TYPE borderfleet_webhook_deliveries_total counter
borderfleet_webhook_deliveries_total{country="CN",result="dead_letter"} 1
borderfleet_webhook_deliveries_total{country="CN",result="delivered"} 3
borderfleet_webhook_deliveries_total{country="CN",result="failed"} 4
borderfleet_webhook_deliveries_total{country="KZ",result="delivered"} 7
borderfleet_webhook_deliveries_total{country="KZ",result="failed"} 0
`), "borderfleet_webhook_deliveries_total")
	assert.NoError(t, err)
}
