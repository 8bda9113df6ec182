package daemon_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/audit"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// onBus runs a daemon of the default site (no store, a roster of its
// own that admits every vehicle) on a test bus until the test ends, when
// Run must return no error; it returns once the daemon has subscribed to
// its four topics.
func onBus(t *testing.T) (*daemon.Daemon, *geo.Site, *daemontest.Bus) {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	bus := &daemontest.Bus{}
	d, stop, _ := runDaemon(t, daemon.Config{Graph: g, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}}, bus)
	t.Cleanup(func() { require.NoError(t, stop(), "Run's end") })
	require.Eventually(t, func() bool { return len(bus.Subscriptions()) == 4 }, 5*time.Second, 10*time.Millisecond)
	return d, site, bus
}

func TestDaemonJoinsVehiclesAndSendsOrders(t *testing.T) {
	d, site, bus := onBus(t)
	ctx := t.Context()
	assert.Equal(t, map[string]byte{"uagv/v2/+/+/state": 0, "uagv/v2/+/+/connection": 1, "uagv/v2/+/+/factsheet": 0, "uagv/v2/+/+/visualization": 0}, bus.Subscriptions())

	bus.Handler()("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	bus.Handler()("uagv/v2/acme/s1/state", []byte("garbage"))
	require.Eventually(t, func() bool {
		s, err := d.Snapshot(ctx)
		return err == nil && s.Shuttles[fleet.ShuttleIdle] == 1
	}, 5*time.Second, 10*time.Millisecond)

	require.NoError(t, d.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-03", Destination: "cn-bay-07"}))
	var orders [][]byte
	require.Eventually(t, func() bool {
		orders = bus.Published("uagv/v2/acme/s1/order")
		return len(orders) > 0
	}, 5*time.Second, 10*time.Millisecond, "the move became an order for s1")
	o, err := vda5050.DecodeOrder(orders[0])
	require.NoError(t, err)
	assert.Equal(t, "kz-park-01", o.Nodes[0].NodeID)
	assert.Equal(t, site.MapID, o.Nodes[0].NodePosition.MapID)

	err = d.Submit(ctx, fleet.MoveRequested{ID: "m2", Container: "not a container", Origin: "kz-bay-03", Destination: "cn-bay-07"})
	assert.ErrorContains(t, err, "fleet:", "the controller's verdict comes back")

	s, err := d.Snapshot(ctx)
	require.NoError(t, err)
	assert.Contains(t, s.Line(), "moves: 0 delivered of 1")
	assert.Contains(t, s.Line(), "1 to_pickup")
	c := d.Counters()
	assert.Equal(t, int64(2), c.MessagesIn)
	assert.Equal(t, int64(1), c.MessagesRejected)
	assert.NotZero(t, c.MessagesOut)
}

func TestScaledClock(t *testing.T) {
	c := daemon.ScaledClock(60)
	a := c()
	time.Sleep(20 * time.Millisecond) // measuring a clock, not waiting for an event
	assert.GreaterOrEqual(t, c().Sub(a), time.Second)
}

// journaled runs a daemon on a store until stop is called; it returns the
// daemon, its bus and a function that stops it and returns Run's error.
func journaled(t *testing.T, st *boltstore.Store, owner string) (*daemon.Daemon, *daemontest.Bus, func() error, <-chan struct{}) {
	t.Helper()
	return running(t, st, owner, 600*time.Millisecond, fleet.Config{}, vehicles.Config{AutoAdmit: true})
}

// running runs a daemon of the default site with these fleet and vehicle
// settings (a roster of its own) on a store, as journaled does.
func running(t *testing.T, st *boltstore.Store, owner string, lease time.Duration, fc fleet.Config, vc vehicles.Config) (*daemon.Daemon, *daemontest.Bus, func() error, <-chan struct{}) {
	t.Helper()
	var err error
	vc.Roster, err = vehicles.NewRoster()
	require.NoError(t, err)
	bus := &daemontest.Bus{}
	d, stop, done := runDaemon(t, daemon.Config{Graph: defaultGraph(t), Journal: st, Owner: owner, LeaseTTL: lease, Fleet: fc, Vehicles: vc}, bus)
	return d, bus, stop, done
}

// defaultGraph is the default site's lane graph.
func defaultGraph(t *testing.T) *routing.Graph {
	t.Helper()
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	return g
}

// runDaemon makes a daemon of cfg and runs it on bus until stop is called
// or the test ends; it returns the daemon, stop (which returns Run's
// error) and a channel closed when Run returns.
func runDaemon(t *testing.T, cfg daemon.Config, bus daemon.Bus) (*daemon.Daemon, func() error, <-chan struct{}) {
	t.Helper()
	d, err := daemon.New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	go func() {
		runErr = d.Run(ctx, bus)
		close(done)
	}()
	stop := func() error {
		cancel()
		<-done
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return d, stop, done
}

func TestJournalReplaysAndStandbyTakesOver(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()

	a, busA, stopA, _ := journaled(t, st, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	b, _, stopB, doneB := journaled(t, st, "b")
	h := busA.Handler()
	h("uagv/v2/acme/s1/state", daemontest.State(t, "s1", "kz-park-01"))
	require.NoError(t, eventually(func() error {
		return a.Submit(ctx, fleet.MoveRequested{ID: "m1", Container: "CSQU3054383", Origin: "kz-bay-03", Destination: "cn-bay-07", IdempotencyKey: "k1"})
	}))
	// operators' verbs and a roster addition are journaled like the rest
	require.NoError(t, a.Submit(ctx, fleet.PriorityChanged{Move: "m1", Priority: 4, By: "otto"}))
	require.NoError(t, a.Submit(ctx, fleet.LaneClosed{Lane: "cn-yard-cut", By: "otto"}))
	require.NoError(t, a.Submit(ctx, fleet.EmergencyStopRequested{Shuttle: "s1"}))
	require.NoError(t, a.Admit(ctx, vehicles.Entry{Manufacturer: "kazauto", SerialNumber: "KA-7"}))
	assert.ErrorIs(t, a.Admit(ctx, vehicles.Entry{Manufacturer: "other", SerialNumber: "KA-7"}), vehicles.ErrDuplicate)
	assert.Eventually(t, func() bool {
		return strings.Contains(string(busA.Last("uagv/v2/kazauto/KA-7/instantActions")), "stateRequest")
	}, 5*time.Second, 10*time.Millisecond, "a vehicle put on the roster is asked for its state")
	assert.False(t, b.Active(), "b stands by")
	assert.ErrorIs(t, b.Submit(ctx, fleet.MoveRequested{ID: "m2"}), daemon.ErrStandby)

	require.NoError(t, stopA()) // a stops; b takes over and has what a had
	require.Eventually(t, b.Active, 5*time.Second, 10*time.Millisecond)
	var state fleet.MoveState
	var shuttle string
	var prio int
	var closed []string
	var sstate fleet.ShuttleState
	var roster []string
	require.NoError(t, b.Do(ctx, func(_ time.Time, ctl *fleet.Controller, m *vehicles.Master) {
		state, shuttle, prio = ctl.Moves()[0].State, ctl.Moves()[0].Shuttle, ctl.Moves()[0].Priority
		closed = ctl.ClosedLanes()
		sstate, _, _ = ctl.ShuttleState("s1")
		for _, v := range m.Vehicles() {
			roster = append(roster, v.ID)
		}
	}))
	assert.Equal(t, fleet.MoveToPickup, state)
	assert.Equal(t, "s1", shuttle)
	assert.Equal(t, 4, prio)
	assert.Equal(t, []string{"cn-yard-cut"}, closed)
	assert.Equal(t, fleet.ShuttleEStop, sstate)
	assert.Equal(t, []string{"KA-7", "s1"}, roster)
	assert.NotZero(t, b.Counters().Replayed)

	// the audit log has the move's story once, chained
	es := auditLog(t, st)
	var events []string
	for _, e := range es {
		events = append(events, e.Event)
	}
	assert.Equal(t, []string{"created", "assigned", "to_pickup"}, events)

	// someone else takes the lease: b is deposed and publishes nothing more
	_, err = st.Acquire(ctx, "c", time.Minute)
	require.ErrorIs(t, err, store.ErrHeld)
	require.NoError(t, st.Release(ctx, "b", tokenOf(t, b)))
	_, err = st.Acquire(ctx, "c", time.Minute)
	require.NoError(t, err)
	select {
	case <-doneB:
		require.ErrorIs(t, stopB(), daemon.ErrDeposed)
	case <-time.After(5 * time.Second):
		t.Fatal("b was not deposed in 5 s")
	}
	assert.False(t, b.Active())
}

func tokenOf(t *testing.T, d *daemon.Daemon) uint64 {
	tok, err := daemon.TokenOf(context.Background(), d)
	require.NoError(t, err)
	return tok
}

// eventually retries f for a while until it returns nil, then returns its
// last error.
func eventually(f func() error) error {
	var err error
	for i := 0; i < 100; i++ {
		if err = f(); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond) // polling a condition another goroutine brings about
	}
	return err
}

func TestJournalOfOtherSettingsIsRefused(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	a, _, stopA, _ := journaled(t, st, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, stopA())

	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	b, err := daemon.New(daemon.Config{Graph: g, Journal: st, Owner: "b", Seed: 99, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
	require.NoError(t, err)
	err = b.Run(context.Background(), &daemontest.Bus{})
	require.ErrorIs(t, err, daemon.ErrSettings)
	assert.Contains(t, err.Error(), `"seed":99`)
}

// auditLog reads a store's whole audit log and checks its chain.
func auditLog(t *testing.T, st interface {
	ReadAudit(ctx context.Context, after uint64, limit int) ([]store.Entry, error)
}) []audit.Entry {
	t.Helper()
	raw, err := st.ReadAudit(context.Background(), 0, 0)
	require.NoError(t, err)
	var es []audit.Entry
	for _, r := range raw {
		e, err := audit.Decode(r.Data)
		require.NoError(t, err)
		es = append(es, e)
	}
	require.NoError(t, audit.Verify(es))
	return es
}
