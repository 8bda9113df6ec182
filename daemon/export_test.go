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
