package daemon

import (
	"context"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/vehicles"
)

// TokenOf is the lease's fencing token d holds, read on its goroutine.
func TokenOf(ctx context.Context, d *Daemon) (uint64, error) {
	var tok uint64
	err := d.Do(ctx, func(time.Time, *fleet.Controller, *vehicles.Master) { tok = d.token })
	return tok, err
}

// OldLaneRecord is oldLaneRecord, for the tests of package daemon_test.
var OldLaneRecord = oldLaneRecord

// DecodeRecord decodes one journal record and, for an event record, its
// event: what a replay does with it before the Controller sees it.
func DecodeRecord(b []byte) (kind string, ev fleet.Event, err error) {
	r, err := decodeRecord(b)
	if err != nil || r.Kind != kindEvent {
		return r.Kind, nil, err
	}
	ev, err = r.Event.decode(r.V)
	return r.Kind, ev, err
}
