// Package daemon runs the fleet in real time: one goroutine owns the
// fleet Controller and the vehicles' Master (VDA 5050 bookkeeping), takes
// vehicle messages from MQTT, hands time to the core in ticks, and
// publishes the orders and instant actions that follow. MQTT handlers only
// copy the message into an inbox and return; operators' requests (moves,
// customs decisions, reads for displays) run on the same goroutine through
// Do and Submit.
package daemon
