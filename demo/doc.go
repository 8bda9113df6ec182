// Package demo plays the people around a running fleet for `fleetd demo`
// and end-to-end tests: operators who ask for container moves both ways
// at a steady rate, and each country's customs officers who release,
// inspect or refuse the containers that wait at their checkpoint. It talks
// to the daemon only as the API will: events in, snapshots out. Capacity
// says how many moves an hour a demo fleet can carry (sim's analytic
// bound), which fleetd demo takes its default demand from.
package demo
