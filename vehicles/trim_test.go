package vehicles

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An order driven a long way keeps only the nodes ahead of the vehicle
// (trim), and still sends what it sent before: each update stitched at
// the last decision point, and a resend from the last one the vehicle
// confirmed, however far behind.
func TestLongOrderKeepsOnlyWhatItMaySendAgain(t *testing.T) {
	for _, lag := range []int{0, 1, 5, 40} {
		r := newRig(t, Config{ResendAfter: 5 * time.Second})
		r.joined()
		far := r.g.Site().BaysOf(r.g.Site().Centres[len(r.g.Site().Centres)-1].ID)[0].ID
		steps := r.route(far)
		require.GreaterOrEqual(t, len(steps), 8*trimBatch, "a long route")
		start := r.st.LastNodeID

		sent := map[uint32]vda5050.Node{} // every node sent, by sequence id
		var id string
		var updates []uint32 // each update's first sequence id
		var outs []Outgoing  // every order sent, to check none changed since
		for k := 0; 2*k+2 <= len(steps); k++ {
			out := r.commands(fleet.Command{Shuttle: "s1", Kind: fleet.CmdDrive, From: 2 * k, To: 2*k + 2, Steps: steps[2*k : 2*k+2]})
			outs = append(outs, out...)
			os := orders(t, out)
			require.Len(t, os, 1, "grant %d", k)
			o := os[0]
			if k == 0 {
				id = o.OrderID
			}
			require.Equal(t, id, o.OrderID)
			require.Equal(t, uint32(k), o.OrderUpdateID)
			require.Equal(t, uint32(2*k), o.Nodes[0].SequenceID, "stitched at the decision point")
			if k > 0 {
				assert.Equal(t, sent[uint32(2*k)], o.Nodes[0], "the stitching node as it was sent")
			}
			for _, n := range o.Nodes {
				sent[n.SequenceID] = n
			}
			updates = append(updates, o.Nodes[0].SequenceID)
			if 2*k+4 > len(steps) {
				break // the last update: lost, no state confirms it
			}
			// it confirms the update and drives on, lag nodes behind the
			// new decision point (an update goes out only once the last
			// one is confirmed: see sendDue)
			j := max(0, k+1-lag)
			r.st.OrderID, r.st.OrderUpdateID = id, uint32(k)
			r.st.LastNodeID, r.st.LastNodeSequenceID = start, 0
			if j > 0 {
				r.st.LastNodeID, r.st.LastNodeSequenceID = steps[2*j-1], uint32(2*j)
			}
			_, _ = r.state()
		}
		o := r.m.byID["s1"].ord
		assert.Greater(t, o.off, 0, "lag %d: the nodes behind are dropped", lag)
		for _, out := range outs {
			b, err := json.Marshal(out.Msg)
			require.NoError(t, err)
			require.JSONEq(t, string(out.Payload), string(b), "lag %d: an order changed after it was sent", lag)
		}
		assert.LessOrEqual(t, len(o.nodes), lag+trimBatch+1, "lag %d", lag)

		// a resend goes from the last decision point confirmed
		_, out := r.m.Tick(r.now.Add(6 * time.Second))
		again := orders(t, out)
		require.Len(t, again, 1, "lag %d", lag)
		// the last node of the update confirmed
		from := updates[len(updates)-1]
		require.Equal(t, from, again[0].Nodes[0].SequenceID, "lag %d", lag)
		for i, n := range again[0].Nodes {
			assert.Equal(t, sent[from+uint32(2*i)], n, "lag %d: node %d of the resend", lag, i)
		}
		assert.Len(t, again[0].Nodes, len(steps)/2+1-int(from)/2)
	}
}
