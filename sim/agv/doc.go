// Package agv simulates one driverless cargo shuttle that speaks VDA 5050
// 2.0 as a vehicle: it takes orders and instant actions, accepts or rejects
// them by the specification's rules, drives the released part of its order
// over the site's lane graph in real (optionally scaled) time, picks and
// drops containers, charges at charging stations, drains its battery with
// the charging package's energy model, and reports state, visualization,
// connection and factsheet messages.
//
// A Vehicle publishes through a Link, a small interface it defines, so that
// its protocol logic runs in tests against a fake link under
// testing/synctest. Run owns all of its state on one goroutine; the Handle
// methods and the fault triggers only queue input for it and never block,
// so MQTT callbacks may call them.
//
// Time. Every duration in Config is vehicle time except the publication
// periods (StatePeriod, VisualizationPeriod and the 30 s heartbeat), which
// are real time. With TimeScale 60 a minute of vehicle time passes in a
// real second: driving, handling, charging, battery drain, repairs and link
// outages all run 60 times faster. Header timestamps are real time.
//
// Protocol choices where the specification leaves room:
//   - Node actions supported: pick, drop (loadId parameter), startCharging,
//     stopCharging. No edge actions. Anything else is an orderError.
//   - pick and drop always keep the vehicle from driving, whatever their
//     blocking type; they cannot be interrupted by cancelOrder.
//   - startCharging FINISHES once the plug-in overhead has passed; charging
//     goes on until stopCharging, 100 %, or the vehicle drives off (which
//     unplugs it).
//   - A cancelled vehicle stops at the end of the edge it is on.
//   - Rejections, noOrderToCancel and unsupported instant actions are
//     WARNINGs kept until the next order is accepted.
//
// Start, Step and Next drive a vehicle on a caller's clock instead of Run,
// synchronously and without goroutines (step.go): package sim steps its
// vehicles so on its virtual clock.
//
// RunFleet runs several vehicles, each over its own MQTT connection made by
// a Dial function; MQTTDial makes them with package mqttbus.
package agv
