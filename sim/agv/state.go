package agv

import (
	"math/rand"
	"time"

	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/paulmach/orb"
)

// state is everything Run owns.
type state struct {
	last  time.Time     // real time of the last advance
	clock time.Duration // vehicle time since Run began

	orderID       string
	orderUpdateID uint32
	nodes         []*stop        // still to traverse, base then horizon
	edges         []vda5050.Edge // still to traverse; edges[k] ends at nodes[k]
	edgeArr       []vda5050.Edge // the array edges is in, from its start (appendEdges)
	lastNode      string
	lastSeq       uint32

	pos   orb.Point
	theta float64
	leg   *leg // the edge being driven, if any: legBuf or nil
	// legBuf holds the edge being driven
	legBuf leg

	actions []*action // actionStates, in the order they came
	cancel  *action   // a cancelOrder under way
	loads   []vda5050.Load
	soc     float64
	charge  *session

	paused   bool
	broken   bool
	repair   time.Duration // left while broken
	depleted bool
	warnings []vda5050.Error // rejections and the like, until the next accepted order

	linkDown   bool
	outage     time.Duration // left while the link is down
	restore    bool          // Run should start Restore
	restoring  bool          // Restore is under way
	rng        *rand.Rand
	nextBreak  time.Duration // vehicle time to the next random breakdown
	nextLoss   time.Duration // vehicle time to the next random link loss
	dirty      bool          // an event happened: state goes out
	factsheet  bool          // a factsheet is due
	lastState  time.Time
	sent       *vda5050.State // the last state made (stateMsg), whose unchanged parts the next shares
	lastVis    time.Time
	wasDriving bool
	wasNBR     bool
}

// stop is a node of the order still to traverse, with its actions.
type stop struct {
	vda5050.Node
	acts []*action
}

// leg is the edge being driven.
type leg struct {
	edge   vda5050.Edge
	path   orb.LineString
	length float64 // metres, as driven
	speed  float64 // m/s
	total  time.Duration
	done   time.Duration
}

// action is one action and its state.
type action struct {
	vda5050.Action
	status    string
	result    string
	instant   bool
	triggered bool          // its node has been traversed (instant: always)
	left      time.Duration // vehicle time left while it runs
}

// session is a charging session.
type session struct {
	start time.Duration // vehicle clock when it began (plug-in included)
	from  float64       // state of charge then
	kw    float64       // charger power
	act   *action       // the startCharging action, until it finishes
}

func terminal(status string) bool {
	return status == vda5050.StatusFinished || status == vda5050.StatusFailed
}

func (a *action) running() bool {
	return a.status == vda5050.StatusRunning || a.status == vda5050.StatusPaused || a.status == vda5050.StatusInitializing
}
