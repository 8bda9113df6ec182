package daemon

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vehicles"
)

// A vehicle is silent by what the core has taken from its inbox, not by
// the wall clock: one whose states wait in the inbox of a core that fell
// behind, or that may have been dropped from a full one, is not reported
// silent (which faulted an overloaded fleet's shuttles with picks under
// way and gave their moves to others); one that sent nothing while the
// core kept up is.
func TestSilenceIsJudgedOnWhatWasTakenIn(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	const topic = "uagv/v2/acme/s1/state"
	start := time.Now()
	for _, tc := range []struct {
		name   string
		queued int // states that arrived after the first, still in the inbox
		drop   bool
		silent bool
	}{
		{name: "nothing arrived for a minute", silent: true},
		{name: "its states wait in the inbox", queued: 2},
		{name: "the inbox dropped messages since", drop: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roster, err := vehicles.NewRoster()
			require.NoError(t, err)
			d, err := New(Config{Graph: g, Inbox: 3, StaleAfter: 45 * time.Second, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
			require.NoError(t, err)
			clock := start
			d.wall = func() time.Time { return clock }
			d.receive(topic, state(t, "s1", site.Parking[0].ID))
			d.incoming(t.Context(), <-d.inbox)
			require.Contains(t, d.heard, "acme/s1")
			for i := range tc.queued {
				clock = start.Add(time.Duration(10*(i+1)) * time.Second)
				d.receive(topic, state(t, "s1", site.Parking[0].ID))
			}
			if tc.drop {
				for range 4 {
					clock = clock.Add(time.Second)
					d.receive("uagv/v2/acme/s2/state", state(t, "s2", site.Parking[1].ID))
				}
				require.Positive(t, d.dropped.Load())
				for len(d.inbox) > 0 {
					<-d.inbox // taken (and refused, say): the inbox is empty again
				}
			}
			clock = start.Add(time.Minute)
			d.tick(context.Background())
			assert.Equal(t, tc.silent, d.silent["acme/s1"])
		})
	}
}
