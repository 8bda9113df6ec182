package fleet

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ladenOnItsWay drives s1 with move m1 from kz-bay-03 to its pick and one node on
// towards the border, where it holds lane ahead of where it stands.
func ladenOnItsWay(t *testing.T) *harness {
	h := newHarness(t, "lookahead", map[string]string{"s1": "kz-park-01"})
	h.send(request("m1", "CSQU3054383", "kz-bay-03", "cn-bay-07", true))
	h.drive("s1")
	h.finish("s1")
	p, _ := h.c.Traffic().Position("s1")
	require.Greater(t, p.Granted, p.AtStep+2, "s1 is granted more than a node ahead")
	h.now = h.now.Add(2 * time.Second)
	h.send(NodeReached{Shuttle: "s1", Step: p.AtStep + 2, SoC: 0.7})
	h.pending["s1"] = nil
	p, _ = h.c.Traffic().Position("s1")
	require.Greater(t, p.Granted, p.AtStep, "s1 holds lane ahead of where it stands")
	return h
}

// stands sends what the shuttle's vehicle says once it stands paused on
// the node the fleet has it at.
func (h *harness) stands(id string) {
	h.t.Helper()
	p, _ := h.c.Traffic().Position(id)
	h.send(PausedAtNode{Shuttle: id, Step: p.AtStep})
}

// A shuttle that breaks down holding lane ahead is paused; once its
// vehicle says it stands paused on its node, the lane is lent (those
// behind may pass); repaired, it has the lane back and is resumed, and
// goes on with its move.
func TestBrokenDownShuttleLendsTheLaneItHoldsAhead(t *testing.T) {
	h := ladenOnItsWay(t)
	cmds := h.handle(FaultReported{Shuttle: "s1", Reason: "drive fault"})
	assert.Contains(t, h.kinds(cmds), CmdPause, "paused, so that its lane may be lent")
	assert.False(t, h.c.Traffic().Stilled("s1"), "nothing lent before the vehicle says it stands")

	p, _ := h.c.Traffic().Position("s1")
	h.send(PausedAtNode{Shuttle: "s1", Step: p.AtStep - 2})
	assert.False(t, h.c.Traffic().Stilled("s1"), "said of another node than the one it is at: not believed")
	h.stands("s1")
	assert.True(t, h.c.Traffic().Stilled("s1"), "lent once it stands paused")
	h.wait(time.Minute)
	assert.Equal(t, ShuttleFault, h.state("s1"))

	cmds = h.handle(FaultCleared{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdResume, "repaired, with nobody on its lane: resumed")
	assert.False(t, h.c.Traffic().Stilled("s1"))
	for i := 0; i < 10 && h.move("m1").State != MoveUnloading; i++ {
		h.driveOut("s1")
		h.wait(time.Minute)
	}
	assert.Equal(t, MoveUnloading, h.move("m1").State, "on with its move, to its drop")
	assert.Zero(t, h.c.Stats().IllegalTransitions, h.c.Stats().Illegal)
}

// A vehicle that cannot be told anything might drive on when repaired:
// nothing is paused or lent. A pause confirmed for a shuttle not in
// fault (an operator's) lends nothing either; a repair before the
// confirmation resumes it, and a late confirmation lends nothing.
func TestNothingLentUnlessTheBrokenDownVehicleStandsPaused(t *testing.T) {
	h := ladenOnItsWay(t)
	cmds := h.handle(FaultReported{Shuttle: "s1", Reason: "silent", Unreachable: true})
	assert.NotContains(t, h.kinds(cmds), CmdPause)
	h.stands("s1")
	assert.False(t, h.c.Traffic().Stilled("s1"), "not paused for a breakdown: nothing lent")
	h.send(FaultCleared{Shuttle: "s1"})

	h = ladenOnItsWay(t)
	h.send(FaultReported{Shuttle: "s1", Reason: "drive fault"})
	cmds = h.handle(FaultCleared{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdResume, "repaired before it said it stands: resumed at once")
	h.stands("s1")
	assert.False(t, h.c.Traffic().Stilled("s1"), "a late confirmation lends nothing")
}

// An operator's resume of a stilled shuttle whose lane is lent does not
// let its vehicle drive onto the lane others may be on: it is resumed
// once repaired and the lane is back.
func TestOperatorResumeWaitsForTheLentLane(t *testing.T) {
	h := ladenOnItsWay(t)
	h.send(FaultReported{Shuttle: "s1", Reason: "drive fault"})
	h.stands("s1")
	require.True(t, h.c.Traffic().Stilled("s1"))
	cmds := h.handle(EmergencyStopRequested{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdPause)
	cmds = h.handle(EmergencyReleaseRequested{Shuttle: "s1"})
	assert.NotContains(t, h.kinds(cmds), CmdResume, "still broken down, its lane lent")
	cmds = h.handle(FaultCleared{Shuttle: "s1"})
	assert.Contains(t, h.kinds(cmds), CmdResume)
	assert.False(t, h.c.Traffic().Stilled("s1"))
}
