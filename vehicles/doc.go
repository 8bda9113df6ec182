// Package vehicles holds the conversation between the fleet's Controller
// and the vehicles it drives, in VDA 5050 2.0: the roster of vehicles the
// fleet may use, each vehicle's order bookkeeping (orderId,
// orderUpdateId, sequence ids, base and decision point), and the
// translation both ways: Controller commands become orders and instant
// actions; vehicle states, connection changes and factsheets become
// Controller events.
//
// Master is deterministic and does no I/O: messages come in as bytes with
// the time they arrived, and what must be published goes out as Outgoing
// values. The daemon owns one Master and the Controller on one goroutine
// and moves bytes to and from MQTT.
//
// What it believes (trust.go): a message is read tolerantly (vda5050.Read:
// keys it does not know, such as vendor extensions or a known key in
// another letter case, are ignored, logged once per vehicle and key, and
// counted), and then refused whole, changing nothing, as a *RefusedError
// whose reason /metrics counts when: it does not decode (invalid); its
// header names another vehicle than its topic (identity); a state's
// headerId goes backwards while the link stays up (sequence; a lower one
// after a connection message is a restarted vehicle's new session); a
// position or node position is on another map (map) or more than 200 m
// outside the lane graph's extent (position); its lastNodeId is not in the
// lane graph (node); a position farther from the lastNodeId than the lane
// segments there allow is a position fault for a vehicle in the fleet
// (offNode); it is larger than MaxPayload, has an array of more
// than MaxEntries or a string of more than MaxText bytes or with a control
// character (limits). Master.Check is all of it but the headerId order: the
// daemon runs it first (CheckMessage, which returns what it decoded, for
// IncomingChecked to apply without decoding it again), and counts a
// vehicle as heard, or a state as a repeat, only after it. Broker accounts per vehicle are not built yet:
// on an open broker anyone may publish on a vehicle's topics, and a lie
// that passes every check (or a headerId far ahead, which then refuses the
// vehicle's own states until it reconnects) is believed.
//
// What it makes of a vehicle's reports:
//   - a state from a roster vehicle not yet in the fleet places it on the
//     lane graph (its lastNodeId, or the node nearest its position within
//     the allowed deviation) and joins it;
//   - lastNodeSequenceId advancing in the current order becomes one
//     NodeReached per node passed;
//   - a pick or drop FINISHED becomes ActionDone; a charging session ends
//     (ActionDone "charge") when the charge reaches the Controller's target
//     (Master sends stopCharging) or the vehicle stops charging by itself;
//   - a FATAL error, an operating mode other than AUTOMATIC or
//     SEMIAUTOMATIC, an emergency stop, a failed action, a rejected order,
//     a connection that is not ONLINE, or silence (Silent, from the daemon) take the
//     vehicle out of dispatch (FaultReported, once, with every reason); when
//     the last reason is gone it is back (FaultCleared).
//
// And of the Controller's commands:
//   - a drive extends the current order's base by an order update stitched
//     at its decision point, or starts a new order at the node where the
//     vehicle stands once it has settled there (first order, after a
//     cancel, or an action at the node it stands on);
//   - pick and drop are HARD node actions with the container as loadId;
//     charging is a startCharging node action and a stopCharging instant
//     action;
//   - cancel sends cancelOrder, and once the vehicle has stopped, a new
//     order for the rest of the lane it was granted, without the action;
//     the first node of such an order allows for where the vehicle really
//     stopped (the spec lets it stop mid-edge);
//   - a vehicle that rejects an order naming ours, or reports no longer
//     having the order it confirmed (a restart, manual mode), gets its
//     granted lane again as a new order with the action still to do; after
//     three rejections in a row it is left for an operator.
//
// Order ids are <serial>-<epoch>-<n>, the epoch being the time of the
// Master's first order in base 36, so a fleetd started afresh never sends
// an id a vehicle may still hold.
//
// Orders that no state has confirmed within ResendAfter are sent again
// (the vehicle ignores a duplicate), stitched where it last confirmed.
// An update is stitched at the decision point of the last update a state
// confirmed, never at that of one sent and not confirmed (which may have
// been lost: QoS 0, a link or broker down, fleetd killed between
// journaling and publishing): the next update waits for the state that
// confirms the last, or goes after ResendAfter from where the vehicle
// confirmed, with every grant since. An update the vehicle rejects while
// it drives the order is sent so again at once, without a cancel; only
// after maxRestitch (3) such rejections is it stopped and given its lane
// as a new order. No
// order goes to a vehicle sooner after the last than its factsheet's
// minOrderInterval: the grants made meanwhile go out as one update. With
// Config.UpdateWithin an update also waits while the vehicle has more than
// that many nodes of base ahead, and goes with the state that reports it
// nearer (the simulation, whose messages take no time, uses 1).
//
// Every order and instant action is checked against the vehicle's
// factsheet before it is sent (fit.go): id, enum, load id, topic and
// message lengths (maxStringLens), numbers of nodes, edges, actions and
// parameters (maxArrayLens), and the actions it lists at each scope. What
// it says it cannot take is not sent: an order or driving action holds it
// out of dispatch with the reason (ClearFault once mended); a stateRequest
// or factsheetRequest it does not list is not asked.
//
// A vehicle in the fleet whose reported loads are not those fleetd put
// there (picked and not dropped) for three states in a row is out of
// dispatch (checkLoads) until they are: a container that does not belong
// must come off; one that went missing an operator may confirm gone
// (ClearFault). A state without loads (the vehicle cannot tell) is not
// checked.
//
// # How each conversation ends
//
// Every exchange with a vehicle ends in a defined state within a bounded
// time, however the vehicle answers (each row has a test):
//
//	conversation  answer                                   end
//	cancelOrder   action state FINISHED or FAILED          over; the rest of the lane as a new order
//	cancelOrder   a noOrderToCancel error, no action state  over, the same
//	cancelOrder   it stands with no lane and no action      over, the same, for a vehicle that never reports instant actions
//	              (one that does ends a cancel by reporting it: a state read late may predate the cancel)
//	cancelOrder   silence, maxCancels (4) sends             out of dispatch, reason "cancelOrder ... unanswered", for the operator (ClearFault)
//	cancelOrder   the link drops                            out of dispatch (link); the cancel is sent again when it is back
//	order         no state confirms it                     sent again every ResendAfter, stitched where confirmed
//	order update  rejected while it drives the order        sent again at once, stitched where confirmed; after three, as below
//	order         rejected (an error naming our order)      the lane again as a new order; after three in a row, for the operator
//	order         lost (a restart, manual mode)             the lane again as a new order
//	pick, drop    FAILED                                   out of dispatch (action failed), for the operator
//	pick, drop    called off (a cancel), then FINISHED      after a resync: done (ActionDone, the load record); after the
//	                                                       Controller's cancel: logged with its container, held for its loads
//	pick, drop    called off, FAILED or never received      after a resync: sent again with the lane; else forgotten
//	stopCharging  FAILED, or still charging                sent again every ResendAfter
//	startPause,   a state shows it paused (or not)          over
//	stopPause     FINISHED / FAILED                        over / out of dispatch, for the operator
//	              silence (it may have subscribed late)     sent again every ResendAfter; after 4 sends out of dispatch, for the operator
//	factsheet-    silence                                  asked every 30 s, 4 times, then warned once; again when it reconnects
//	Request
//	stateRequest  silence                                  asked on every (re)connection; a vehicle that sends no state goes stale
package vehicles
