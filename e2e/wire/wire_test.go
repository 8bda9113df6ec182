package wire

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
)

// Two vehicles reported on one node that holds one are a conflict; on a
// node that holds more, or one after the other, they are not; a state
// that does not decode changes nothing.
func TestConflicts(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	var one, many string
	for _, n := range g.Nodes {
		switch {
		case n.Capacity == 1 && one == "":
			one = n.ID
		case n.Capacity > 1 && many == "":
			many = n.ID
		}
	}
	require.NotEmpty(t, one)
	require.NotEmpty(t, many)
	topic := func(serial string) string {
		return vda5050.TopicName("uagv", "acme", serial, vda5050.TopicState)
	}
	w := New(g)
	w.Add(topic("a"), daemontest.State(t, "a", many))
	w.Add(topic("b"), daemontest.State(t, "b", many))
	require.Empty(t, w.Tally().Conflicts, "a node that holds more")
	w.Add(topic("a"), daemontest.State(t, "a", one))
	w.Add(topic("a"), []byte(`{"not": "a state"}`))
	s, ok := w.LastState("a")
	require.True(t, ok)
	require.Equal(t, one, s.Msg.LastNodeID)
	w.Add(topic("b"), daemontest.State(t, "b", one))
	require.Len(t, w.Tally().Conflicts, 1)
	require.Len(t, w.StatesSince("b", s.At), 1, "b's second state came after a's")
}
