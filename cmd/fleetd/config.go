package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/charging"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/store/storeurl"
	"github.com/borderfleet/borderfleet/vehicles"
	"github.com/borderfleet/borderfleet/webhook"
)

// fileConfig is fleetd's configuration file (JSON). Every field is
// optional; flags override it.
type fileConfig struct {
	// Site is a site GeoJSON file; empty: the embedded default site.
	Site string `json:"site"`
	// Broker: where the vehicles' MQTT broker is. Without a URL fleetd
	// starts an embedded broker on Embedded (default 127.0.0.1:1884).
	Broker brokerConfig `json:"broker"`
	// Store is where state is kept: redis://host:port[/db][?prefix=...]
	// or bolt:PATH; empty keeps nothing.
	Store string `json:"store"`
	// Interface is the first level of VDA 5050 topics; default "uagv".
	Interface string `json:"interface"`
	// AutoAdmit admits vehicles that are not on the roster.
	AutoAdmit bool `json:"auto_admit"`
	// MaxVehicles caps the roster auto-admission fills: a vehicle that is
	// not on the roster and reports when it holds this many is refused
	// (counted: mqtt_messages_rejected_total{reason="full"}; logged once
	// per vehicle). Default: the site's parking spots; negative: no cap.
	MaxVehicles int `json:"max_vehicles"`
	// Roster: the vehicles the fleet may drive.
	Roster []vehicles.Entry `json:"roster"`
	// Dispatch policy (lookahead or greedy) and charging policy
	// (opportunity or threshold).
	Dispatch string `json:"dispatch"`
	Charging string `json:"charging"`
	// HoldWithoutDeclaration holds a container at a gate of a country
	// it has no customs declaration for, whatever was decided, until one
	// is filed (fleet.Config.HoldWithoutDeclaration); default false.
	HoldWithoutDeclaration bool `json:"hold_without_declaration"`
	// Tuning: the fleet core's tuning values (fleet.Tuning: dispatch
	// weights, charging windows, ...); fields left out keep their
	// defaults. Part of the journal's settings: a store written with other
	// values is refused.
	Tuning fleet.Tuning `json:"tuning"`
	// StaleAfterS: seconds without a state before a vehicle is out of
	// dispatch; default 45.
	StaleAfterS float64 `json:"stale_after_s"`
	// MaxClockSkewS: seconds a vehicle's state may be stamped from
	// fleetd's wall clock before it is refused; default 300; negative: not
	// checked.
	MaxClockSkewS float64 `json:"max_clock_skew_s"`
	// LeaseTTLS: seconds the store's lease lasts without renewal (renewed
	// every third of it, beside the core's work); a standby takes over at
	// most this long, and a sixth of it, after the active fleetd dies;
	// default 1 (daemon.DefaultLeaseTTL). Shorter fails over sooner, and
	// deposes (fenced) an active fleetd whose process or store stalls for
	// two thirds of it; a busy core does not lose it.
	LeaseTTLS float64 `json:"lease_ttl_s"`
	// StatusEveryS: seconds between status lines; default 5; negative: none.
	StatusEveryS float64 `json:"status_every_s"`
	// Listen is the HTTP API's address; absent: 127.0.0.1:8080; "": no
	// API.
	Listen *string `json:"listen"`
	// Tokens is the HTTP API's tokens file (see the README); without one
	// fleetd run answers only health and ready, and fleetd demo makes an
	// admin token.
	Tokens string `json:"tokens"`
	// AuditKey is the deployment's Ed25519 key (a PKCS#8 PEM file, made by
	// fleetd audit-key -o FILE) that signs the audit exports for customs;
	// empty: no export (fleetd demo makes a key of its own).
	AuditKey string `json:"audit_key"`
	// Webhooks subscribes each country's customs system to the audit
	// entries it may see (see the README's Customs section).
	Webhooks webhooksConfig `json:"webhooks"`
	// JournalBatch: the most vehicle messages journaled in one write
	// (group commit, daemon.Config.Batch); default 1, none.
	JournalBatch int `json:"journal_batch"`
	// Snapshots: when snapshots of the core are written to the store and
	// whether the journal is compacted (see the README's Persistence).
	Snapshots snapshotsConfig `json:"snapshots"`
	// MoveRetentionH: hours, of the core's clock, that an ended move
	// (delivered, returned, cancelled, failed) stays in fleetd's memory;
	// then it is read from the store's archive (fleet.Config.Retention).
	// Default 24; 0: every move stays. Without a store every move stays.
	MoveRetentionH *float64 `json:"move_retention_h"`
	// MetricsMaxShuttleSeries: at most this many shuttles (the first in
	// id order) get a state-of-charge series of their own in /metrics;
	// every shuttle is in the fleet's histogram all the same. Default 100;
	// 0: none.
	MetricsMaxShuttleSeries *int `json:"metrics_max_shuttle_series"`
}

// maxShuttleSeries is metrics_max_shuttle_series as metrics.Config takes
// it (0 the default, negative none).
func (c fileConfig) maxShuttleSeries() int {
	switch {
	case c.MetricsMaxShuttleSeries == nil:
		return 0
	case *c.MetricsMaxShuttleSeries == 0:
		return -1
	}
	return *c.MetricsMaxShuttleSeries
}

// defaultMoveRetention is move_retention_h's default.
const defaultMoveRetention = 24 * time.Hour

// moveRetention is move_retention_h as the Controller takes it.
func (c fileConfig) moveRetention() (time.Duration, error) {
	if c.MoveRetentionH == nil {
		return defaultMoveRetention, nil
	}
	h := *c.MoveRetentionH
	if h < 0 || h > 24*366 {
		return 0, fmt.Errorf("move_retention_h %g: want 0 (every move stays) to %d hours", h, 24*366)
	}
	return time.Duration(h * float64(time.Hour)), nil
}

// snapshotsConfig is the snapshots section. A field left out takes the
// default; 0 turns that trigger off.
type snapshotsConfig struct {
	// EveryRecords: a snapshot every this many journal records; default
	// 2000.
	EveryRecords *int `json:"every_records"`
	// EveryS: a snapshot every this many seconds of wall time (when
	// records came meanwhile); default 600.
	EveryS *float64 `json:"every_s"`
	// Keep: how many snapshots are kept; default and least 2.
	Keep int `json:"keep"`
	// Compact deletes the journal records before the oldest snapshot kept;
	// default false. The audit log is never compacted.
	Compact bool `json:"compact"`
}

// daemon turns the section into the daemon's settings.
func (c snapshotsConfig) daemon() (daemon.SnapshotConfig, error) {
	out := daemon.SnapshotConfig{Keep: c.Keep, Compact: c.Compact}
	if c.EveryRecords != nil {
		if *c.EveryRecords < 0 {
			return out, fmt.Errorf("snapshots: every_records %d: want 0 (off) or more", *c.EveryRecords)
		}
		out.EveryRecords = *c.EveryRecords
		if out.EveryRecords == 0 {
			out.EveryRecords = -1
		}
	}
	if c.EveryS != nil {
		if *c.EveryS < 0 {
			return out, fmt.Errorf("snapshots: every_s %g: want 0 (off) or more", *c.EveryS)
		}
		out.Every = seconds(*c.EveryS)
		if out.Every == 0 {
			out.Every = -1
		}
	}
	if c.Keep < 0 || c.Keep == 1 {
		return out, fmt.Errorf("snapshots: keep %d: want at least 2 (or leave it out)", c.Keep)
	}
	return out, nil
}

// webhooksConfig is the webhooks section; zero durations and counts take
// package webhook's defaults.
type webhooksConfig struct {
	Subscribers  []subscriberConfig `json:"subscribers"`
	TimeoutS     float64            `json:"timeout_s"`      // one POST; default 10
	BackoffBaseS float64            `json:"backoff_base_s"` // default 1
	BackoffCapS  float64            `json:"backoff_cap_s"`  // default 300
	MaxAttempts  int                `json:"max_attempts"`   // default 10
	AckEveryS    float64            `json:"ack_every_s"`    // default 1
}

// subscriberConfig is one country's customs system: its secret inline or,
// better, in a file of its own (surrounding white space is trimmed).
type subscriberConfig struct {
	Country    string `json:"country"`
	URL        string `json:"url"`
	Secret     string `json:"secret"`
	SecretFile string `json:"secret_file"`
}

// subscribers reads the secrets and returns the subscribers; what else is
// wrong with them webhook.CheckSubscribers says against the site.
func (w webhooksConfig) subscribers() ([]webhook.Subscriber, error) {
	var out []webhook.Subscriber
	for i, s := range w.Subscribers {
		secret := s.Secret
		switch {
		case s.Secret != "" && s.SecretFile != "":
			return nil, fmt.Errorf("webhooks: subscriber %d (%s): secret and secret_file both set; keep one", i+1, s.Country)
		case s.SecretFile != "":
			b, err := os.ReadFile(s.SecretFile)
			if err != nil {
				return nil, fmt.Errorf("webhooks: subscriber %d (%s): %w", i+1, s.Country, err)
			}
			secret = strings.TrimSpace(string(b))
		}
		out = append(out, webhook.Subscriber{Country: s.Country, URL: s.URL, Secret: []byte(secret)})
	}
	return out, nil
}

// seconds turns a config's seconds into a duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

type brokerConfig struct {
	URL      string `json:"url"`
	ClientID string `json:"client_id"`
	Username string `json:"username"`
	// Password; the environment variable FLEETD_MQTT_PASSWORD wins.
	Password   string  `json:"password"`
	CAFile     string  `json:"ca_file"`
	CertFile   string  `json:"cert_file"`
	KeyFile    string  `json:"key_file"`
	Insecure   bool    `json:"insecure_skip_verify"`
	KeepAliveS float64 `json:"keepalive_s"`
	Embedded   string  `json:"embedded"`
	// Accounts is a credentials.json of `fleetd mqtt acl`: the embedded
	// broker then lets in only those accounts, each to its own topics, and
	// fleetd logs in with its own (unless username is set).
	Accounts string `json:"accounts"`
}

// accounts reads the broker accounts file, if there is one.
func (b brokerConfig) accounts() (*vehicles.Accounts, error) {
	if b.Accounts == "" {
		return nil, nil
	}
	data, err := os.ReadFile(b.Accounts)
	if err != nil {
		return nil, err
	}
	var a vehicles.Accounts
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Accounts, err)
	}
	if a.Fleetd.Username == "" || a.Fleetd.Password == "" {
		return nil, fmt.Errorf("%s: no account for fleetd (write it with fleetd mqtt acl)", b.Accounts)
	}
	return &a, nil
}

// brokerAccess is the embedded broker's access control for accounts.
func brokerAccess(a *vehicles.Accounts) *mqttbus.Access {
	out := &mqttbus.Access{Users: map[string]mqttbus.UserAccess{}}
	for _, r := range a.Rules() {
		out.Users[r.Username] = mqttbus.UserAccess{Password: r.Password, Read: r.Read, Write: r.Write}
	}
	return out
}

// readConfig reads a configuration file; unknown fields are errors, so a
// misspelt one is not silently ignored.
func readConfig(path string) (fileConfig, error) {
	var c fileConfig
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if c.LeaseTTLS < 0 || c.LeaseTTLS > 0 && c.LeaseTTLS < 0.3 {
		return c, fmt.Errorf("%s: lease_ttl_s %v: at least 0.3 s (0: the default, 1 s)", path, c.LeaseTTLS)
	}
	for i, e := range c.Roster {
		if err := e.Validate(); err != nil {
			return c, fmt.Errorf("%s: roster entry %d: %w", path, i, err)
		}
	}
	return c, nil
}

// mqttConfig turns the broker section into a client config.
func (b brokerConfig) mqttConfig(url string) (mqttbus.Config, error) {
	cfg := mqttbus.Config{URL: url, ClientID: b.ClientID, Username: b.Username, Password: b.Password,
		KeepAlive: time.Duration(b.KeepAliveS * float64(time.Second))}
	if p := os.Getenv("FLEETD_MQTT_PASSWORD"); p != "" {
		cfg.Password = p
	}
	if cfg.ClientID == "" {
		// unique per instance: two fleetd with one client id would throw
		// each other off the broker
		host, _ := os.Hostname()
		cfg.ClientID = fmt.Sprintf("fleetd-%s-%d", host, os.Getpid())
	}
	if b.CAFile != "" || b.CertFile != "" || b.Insecure {
		t, err := mqttbus.TLSFiles(b.CAFile, b.CertFile, b.KeyFile, b.Insecure)
		if err != nil {
			return cfg, err
		}
		cfg.TLS = t
	}
	return cfg, cfg.Validate()
}

// validate checks the whole configuration, the flags merged in, without
// starting, opening or creating anything: fleetd run and demo call it
// before the store, the broker or a port is touched, so that a mistake
// anywhere in it is reported before any side effect. Each error names the
// setting (its JSON name; most have a flag of the same name).
func (c fileConfig) validate() error {
	retention, err := c.moveRetention()
	if err != nil {
		return err
	}
	fc := fleet.Config{Dispatch: c.Dispatch, Tuning: c.Tuning, Retention: retention}
	if err := fc.Validate(); err != nil {
		return err // names the setting: "fleet: unknown dispatch policy ..."
	}
	if _, err := charging.PolicyByName(c.Charging); err != nil {
		return fmt.Errorf("charging: %w", err)
	}
	if _, err := vehicles.NewRoster(c.Roster...); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if _, err := c.Snapshots.daemon(); err != nil {
		return err
	}
	if n := c.MetricsMaxShuttleSeries; n != nil && *n < 0 {
		return fmt.Errorf("metrics_max_shuttle_series %d: want 0 (none) or more", *n)
	}
	if c.Store != "" {
		if err := storeurl.Check(c.Store); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	if len(c.Webhooks.Subscribers) > 0 {
		if c.Store == "" {
			return errors.New("webhooks: they deliver the store's audit log: set a store")
		}
		if _, err := c.Webhooks.subscribers(); err != nil {
			return err
		}
	}
	if _, err := c.Broker.accounts(); err != nil {
		return fmt.Errorf("broker: accounts: %w", err)
	}
	url := c.Broker.URL
	if url == "" {
		url = "tcp://" + mqttbus.DefaultBrokerAddr // the embedded broker's, for the check
	}
	if _, err := c.Broker.mqttConfig(url); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	return nil
}
