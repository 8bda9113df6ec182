package daemon

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// drivingState is a state as a shuttle driving an order reports it: ten
// nodes and edges ahead, a pick and an instant action in its action
// states, a load, its position and velocity.
func drivingState(g *routing.Graph, serial string, headerID uint32, at time.Time, battery float64) []byte {
	st := vda5050.State{LastNodeID: g.Nodes[0].ID, LastNodeSequenceID: 4, Driving: true,
		OperatingMode: vda5050.ModeAutomatic, BatteryState: vda5050.BatteryState{BatteryCharge: battery},
		SafetyState: vda5050.SafetyState{EStop: vda5050.EStopNone}, Errors: []vda5050.Error{}, Loads: []vda5050.Load{{LoadID: "CSQU3054383"}},
		AgvPosition: &vda5050.AgvPosition{X: g.Nodes[0].XY[0], Y: g.Nodes[0].XY[1], MapID: g.MapID, PositionInitialized: true},
		Velocity:    &vda5050.Velocity{}}
	for i := range 10 {
		st.NodeStates = append(st.NodeStates, vda5050.NodeState{NodeID: g.Nodes[i+1].ID, SequenceID: uint32(6 + 2*i), Released: true})
		st.EdgeStates = append(st.EdgeStates, vda5050.EdgeState{EdgeID: g.Edges[i].ID, SequenceID: uint32(5 + 2*i), Released: true})
	}
	st.ActionStates = []vda5050.ActionState{
		{ActionID: serial + "-pick-3", ActionType: vda5050.ActionPick, ActionStatus: vda5050.StatusFinished},
		{ActionID: serial + "-state-1", ActionType: vda5050.ActionStateRequest, ActionStatus: vda5050.StatusFinished}}
	st.HeaderID, st.Timestamp, st.Version, st.Manufacturer, st.SerialNumber = headerID, vda5050.Timestamp(at), vda5050.Version, "acme", serial
	b, err := json.Marshal(st)
	if err != nil {
		panic(err)
	}
	return b
}

// charge is the battery charge of the i-th state: the same, or another
// than the last by a tenth of a point.
func charge(news bool, i int) float64 {
	if !news {
		return 70
	}
	return 70 - float64(i%2)*0.5
}

// BenchmarkStateIngest is what fleetd's core does with one vehicle state
// from its inbox: check it, compare it with the vehicle's last, and, if
// it is news, make its journal record and apply it to the Master and the
// Controller (no journal: the write is not measured). "repeat": the state
// repeats the last one in all that matters (most states of a standing
// fleet); "news": each state differs (its battery charge).
func BenchmarkStateIngest(b *testing.B) {
	site, err := geo.Default()
	if err != nil {
		b.Fatal(err)
	}
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	if err != nil {
		b.Fatal(err)
	}
	for _, news := range []bool{false, true} {
		name := "repeat"
		if news {
			name = "news"
		}
		b.Run(name, func(b *testing.B) {
			roster, err := vehicles.NewRoster()
			if err != nil {
				b.Fatal(err)
			}
			d, err := New(Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
			if err != nil {
				b.Fatal(err)
			}
			const topic = "uagv/v2/acme/s1/state"
			now := time.Now()
			msgs := make([][]byte, 1000)
			for i := range msgs {
				msgs[i] = drivingState(g, "s1", uint32(i+1), now, charge(news, i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				m := msgs[i%len(msgs)]
				if i > 0 && i%len(msgs) == 0 {
					b.StopTimer()
					for j := range msgs { // headerIds go on
						msgs[j] = drivingState(g, "s1", uint32(i+j+1), now, charge(news, j))
					}
					m = msgs[0]
					b.StartTimer()
				}
				if rec, ok := d.prepare(inMsg{topic: topic, payload: m, at: now}); ok {
					if _, err := d.apply(0, rec); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			if c := d.Counters(); news && c.MessagesSame > 0 || !news && c.MessagesSame < int64(b.N-1) {
				b.Fatal(fmt.Sprintf("%d of %d states taken as repeats", c.MessagesSame, b.N))
			}
		})
	}
}
