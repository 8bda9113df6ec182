package daemon_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/store/boltstore"
)

func TestDeliveryProgressIsJournaledAndSurvivesFailover(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)

	a, _, stopA, _ := journaled(t, st, "a")
	require.Eventually(t, a.Active, 5*time.Second, 10*time.Millisecond)
	b, _, _, _ := journaled(t, st, "b")

	require.NoError(t, a.RecordDeliveries(ctx,
		daemon.DeliveryOp{Subscriber: "KZ", Op: daemon.DeliveryDelivered, Seq: 4, At: at},
		daemon.DeliveryOp{Subscriber: "CN", Op: daemon.DeliveryDelivered, Seq: 2, At: at}))
	require.NoError(t, a.RecordDeliveries(ctx, daemon.DeliveryOp{Subscriber: "CN", Op: daemon.DeliveryDead, Seq: 3, Attempts: 10, Reason: "HTTP 500", At: at}))
	require.NoError(t, a.RecordDeliveries(ctx, daemon.DeliveryOp{Subscriber: "CN", Op: daemon.DeliveryDead, Seq: 5, Attempts: 10, Reason: "timeout", At: at}))
	require.NoError(t, a.RecordDeliveries(ctx, daemon.DeliveryOp{Subscriber: "KZ", Op: daemon.DeliveryDelivered, Seq: 3, At: at}), "a cursor never goes back")
	assert.Error(t, a.RecordDeliveries(ctx, daemon.DeliveryOp{Subscriber: "KZ", Op: daemon.DeliveryReplay}), "replays go through ReplayDeadLetters")
	_, err = a.ReplayDeadLetters(ctx, "CN", 4)
	assert.ErrorIs(t, err, daemon.ErrNoDeadLetter)
	n, err := a.ReplayDeadLetters(ctx, "CN", 5)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = a.ReplayDeadLetters(ctx, "KZ", 0)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing to replay is no error")
	assert.ErrorIs(t, b.RecordDeliveries(ctx, daemon.DeliveryOp{Subscriber: "KZ", Op: daemon.DeliveryDelivered, Seq: 9, At: at}), daemon.ErrStandby)

	want := map[string]daemon.Delivery{
		"KZ": {Cursor: 4},
		"CN": {Cursor: 5, Dead: []daemon.DeadLetter{{Seq: 3, Attempts: 10, Reason: "HTTP 500", At: at}}, Replay: []uint64{5}},
	}
	got, err := a.Deliveries(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, stopA()) // b takes over with the same progress
	require.Eventually(t, b.Active, 5*time.Second, 10*time.Millisecond)
	got, err = b.Deliveries(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// a replayed dead letter that is delivered leaves the queue; one that
	// fails again is a dead letter again, and the cursor stays
	require.NoError(t, b.RecordDeliveries(ctx, daemon.DeliveryOp{Subscriber: "CN", Op: daemon.DeliveryDead, Seq: 5, Attempts: 3, Reason: "HTTP 503", At: at}))
	n, err = b.ReplayDeadLetters(ctx, "CN", 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	require.NoError(t, b.RecordDeliveries(ctx,
		daemon.DeliveryOp{Subscriber: "CN", Op: daemon.DeliveryRedelivered, Seq: 3, At: at},
		daemon.DeliveryOp{Subscriber: "CN", Op: daemon.DeliveryRedelivered, Seq: 5, At: at}))
	got, err = b.Deliveries(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), got["CN"].Cursor)
	assert.Empty(t, got["CN"].Dead)
	assert.Empty(t, got["CN"].Replay)
}
