package webhook

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
)

func TestCheckSubscribers(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	ok := Subscriber{Country: "KZ", URL: "https://customs.example.kz/hooks", Secret: []byte("x")}
	for _, c := range []struct {
		name string
		subs []Subscriber
		want string // in the error; "" for none
	}{
		{"good", []Subscriber{ok, {Country: "CN", URL: "http://127.0.0.1:9000/h", Secret: []byte("y")}}, ""},
		{"none", nil, ""},
		{"no checkpoint of the country", []Subscriber{{Country: "MN", URL: ok.URL, Secret: ok.Secret}}, "no checkpoint of MN on the site"},
		{"no country", []Subscriber{{URL: ok.URL, Secret: ok.Secret}}, "has no country"},
		{"twice", []Subscriber{ok, ok}, "a second subscriber for KZ"},
		{"no secret", []Subscriber{{Country: "KZ", URL: ok.URL}}, "no secret"},
		{"not http", []Subscriber{{Country: "KZ", URL: "ftp://x/y", Secret: ok.Secret}}, "want http:// or https://"},
		{"no host", []Subscriber{{Country: "KZ", URL: "https:///path", Secret: ok.Secret}}, "want http:// or https://"},
		{"unparsable", []Subscriber{{Country: "KZ", URL: "http://[::1", Secret: ok.Secret}}, "url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckSubscribers(c.subs, site)
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, c.want)
		})
	}
}

// coreOnly is a Fleet with a real Controller and no daemon: enough to
// ask for the moves' countries.
type coreOnly struct{ ctl *fleet.Controller }

func (c coreOnly) Read(_ context.Context, fn func(time.Time, daemon.View)) error {
	fn(time.Now(), daemon.NewView(c.ctl, nil))
	return nil
}
func (coreOnly) Active() bool { return true }
func (coreOnly) Deliveries(context.Context) (map[string]daemon.Delivery, error) {
	return map[string]daemon.Delivery{}, nil
}
func (coreOnly) RecordDeliveries(context.Context, ...daemon.DeliveryOp) error { return nil }
func (coreOnly) ReplayDeadLetters(context.Context, string, uint64) (int, error) {
	return 0, nil
}

func TestVisibleFollowsTheSharingRule(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	ctl, err := fleet.NewController(fleet.Config{Graph: g})
	require.NoError(t, err)
	_, err = ctl.Handle(time.Now(), fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-01", Destination: "cn-bay-01"})
	require.NoError(t, err)

	es := []audit.Entry{
		{Seq: 1, Move: "m1", Event: "created"},
		{Seq: 2, Move: "m1", Event: "at_gate", Checkpoint: "kz-bakhty-out"},
		{Seq: 3, Move: "m1", Event: "customs_release", Checkpoint: "cn-pokitu-in"},
		{Seq: 4, Move: "m1", Event: audit.EventSealAlert, Checkpoint: "kz-bakhty-out"},
		{Seq: 5, Move: "nowhere", Event: "created"},
		{Seq: 6, Move: "m1", Event: "at_gate", Checkpoint: "no-such-gate"},
	}
	for country, want := range map[string][]bool{
		"KZ": {true, true, false, true, false, false},
		"CN": {true, false, true, true, false, false},
		"MN": {false, false, false, false, false, false},
		"":   {false, false, false, false, false, false},
	} {
		got, err := visible(context.Background(), coreOnly{ctl}, site, country, es)
		require.NoError(t, err)
		assert.Equal(t, want, got, country)
	}
}
