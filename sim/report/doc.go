// Package report writes the report folder of a simulated fleet day
// (`fleetd sim --report DIR`): summary.json (the sim.Report), events.csv
// (every move, gate, charge, fault and lane event with its time),
// timeseries.csv (a row each simulated minute), plots as SVG and PNG made
// with gonum.org/v1/plot, and an index.html that shows them with the
// summary, readable offline. It also puts several runs side by side
// (Compare) and plots a sweep's figures against its parameter
// (WriteSweep). It reads sim's types; sim knows nothing of it.
//
// Output is deterministic: a run's report is the same bytes each time
// (columns and rows in a fixed order, numbers in fixed formats), but for
// the wall time in summary.json, so reports can be diffed.
package report
