package fleet

import (
	"fmt"
	"testing"

	"github.com/borderfleet/borderfleet/routing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A centre whose parking spots are all held by idle shuttles has no room
// for a laden shuttle to wait for its bay: makeRoom sends one idle shuttle
// to park at another centre, and no second one while the first is still
// leaving.
func TestMakeRoomSendsOneIdleShuttleToAnotherCentre(t *testing.T) {
	h := newHarness(t, "greedy", nil)
	centre := h.c.centreOf("cn-bay-01")
	var ids []string
	for _, p := range h.c.site.Parking {
		if p.Centre == centre {
			id := fmt.Sprintf("s-%s", p.ID)
			h.send(ShuttleJoined{Shuttle: id, Node: p.ID, SoC: 1})
			ids = append(ids, id)
		}
	}
	require.NotEmpty(t, ids)
	leaving := func() []string {
		var out []string
		for _, id := range ids {
			if r := h.c.shuttles[id]; r.task == taskPark {
				out = append(out, id)
				assert.NotEqual(t, centre, h.c.centreOf(r.goal), "%s parks at %s, in the full centre", id, r.goal)
			}
		}
		return out
	}
	require.Empty(t, leaving(), "idle shuttles at their spots stay while nobody needs one")
	require.Empty(t, h.c.parkingSpots(centre, func(string) routing.Reach { return routing.Reach{OK: true} }), "every spot of %s taken", centre)

	h.c.makeRoom(centre)
	require.Len(t, leaving(), 1, "one idle shuttle leaves")
	h.c.makeRoom(centre)
	assert.Len(t, leaving(), 1, "no second one while the first is still at its spot")
}
