package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/store"
)

// Subscriber is one country's customs system.
type Subscriber struct {
	// Country is the ISO 3166-1 alpha-2 code of a country with a
	// checkpoint on the site; it names the subscriber.
	Country string
	// URL receives the POSTs: http or https.
	URL string
	// Secret keys the signature. Required.
	Secret []byte
}

// AuditLog is what delivery needs of the store: its audit log.
type AuditLog interface {
	ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error)
}

// Fleet is what delivery needs of the daemon (a *daemon.Daemon): the
// moves' countries, and the journaled progress.
type Fleet interface {
	Read(ctx context.Context, fn func(now time.Time, v daemon.View)) error
	Active() bool
	Deliveries(ctx context.Context) (map[string]daemon.Delivery, error)
	RecordDeliveries(ctx context.Context, ops ...daemon.DeliveryOp) error
	ReplayDeadLetters(ctx context.Context, subscriber string, seq uint64) (int, error)
}

// Config is what New needs. Zero fields take the defaults noted.
type Config struct {
	// Subscribers, at most one per country.
	Subscribers []Subscriber
	// Site tells each checkpoint's country. Required.
	Site *geo.Site
	// Fleet is the running daemon. Required.
	Fleet Fleet
	// Audit is the store whose audit log is delivered. Required.
	Audit AuditLog
	// Timeout bounds one POST; default 10 s.
	Timeout time.Duration
	// BackoffBase and BackoffCap shape the waits between attempts (see
	// Backoff); defaults 1 s and 5 min.
	BackoffBase, BackoffCap time.Duration
	// MaxAttempts is how many times one entry is tried before it is a
	// dead letter; default 10.
	MaxAttempts int
	// AckEvery and AckBatch: delivered entries are acknowledged (one
	// journal record per subscriber) when AckBatch are waiting or AckEvery
	// has passed since the last acknowledgement (busy or caught up), with
	// a dead letter, and when delivery stops. Defaults 1 s and 100: at
	// most one journal write a second per subscriber, and a crash sends
	// again at most the last second's entries (with the same
	// Idempotency-Key).
	AckEvery time.Duration
	AckBatch int
	// Poll is how often a caught-up subscriber looks for new entries (and
	// for replays); default 250 ms.
	Poll time.Duration
	// Client sends the POSTs; default a client with Timeout.
	Client *http.Client
	// Log is for delivery failures; nil discards.
	Log *slog.Logger
}

// Defaults.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 5 * time.Minute
	DefaultMaxAttempts = 10
	DefaultAckEvery    = time.Second
	DefaultAckBatch    = 100
	DefaultPoll        = 250 * time.Millisecond
)

func (c Config) withDefaults() Config {
	set := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	set(&c.Timeout, DefaultTimeout)
	set(&c.BackoffBase, DefaultBackoffBase)
	set(&c.BackoffCap, DefaultBackoffCap)
	set(&c.AckEvery, DefaultAckEvery)
	set(&c.Poll, DefaultPoll)
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.AckBatch == 0 {
		c.AckBatch = DefaultAckBatch
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate says what is wrong with a config: every error names the
// subscriber.
func (c Config) Validate() error {
	switch {
	case c.Site == nil:
		return errors.New("webhook: config has no site")
	case c.Fleet == nil:
		return errors.New("webhook: config has no fleet")
	case c.Audit == nil:
		return errors.New("webhook: config has no audit log (webhooks need a store)")
	case c.Timeout < 0, c.BackoffBase < 0, c.BackoffCap < 0, c.AckEvery < 0, c.Poll < 0:
		return errors.New("webhook: a duration in the config is negative")
	case c.BackoffCap < c.BackoffBase:
		return fmt.Errorf("webhook: backoff cap %v is below its base %v", c.BackoffCap, c.BackoffBase)
	case c.MaxAttempts < 0 || c.AckBatch < 0:
		return errors.New("webhook: max attempts and ack batch must not be negative")
	}
	return CheckSubscribers(c.Subscribers, c.Site)
}

// CheckSubscribers checks the subscribers against a site: a country with
// a checkpoint, once each, an http(s) URL with a host, and a secret.
func CheckSubscribers(subs []Subscriber, site *geo.Site) error {
	var countries []string
	for _, cp := range site.Checkpoints {
		if cp.Country != "" && !slices.Contains(countries, cp.Country) {
			countries = append(countries, cp.Country)
		}
	}
	var seen []string
	for i, s := range subs {
		name := fmt.Sprintf("webhook: subscriber %d (%s)", i+1, s.Country)
		switch {
		case s.Country == "":
			return fmt.Errorf("webhook: subscriber %d has no country", i+1)
		case !slices.Contains(countries, s.Country):
			return fmt.Errorf("%s: no checkpoint of %s on the site (its countries: %v)", name, s.Country, countries)
		case slices.Contains(seen, s.Country):
			return fmt.Errorf("%s: a second subscriber for %s", name, s.Country)
		case len(s.Secret) == 0:
			return fmt.Errorf("%s: no secret (set secret or secret_file)", name)
		}
		seen = append(seen, s.Country)
		u, err := url.Parse(s.URL)
		if err != nil {
			return fmt.Errorf("%s: url: %w", name, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s: url %q: want http:// or https:// and a host", name, s.URL)
		}
	}
	return nil
}
