package daemon

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/vehicles"
)

// appendCounter is a bolt journal that counts the records of each Append.
type appendCounter struct {
	*boltstore.Store
	mu    sync.Mutex
	sizes []int
}

func (j *appendCounter) Append(ctx context.Context, token uint64, recs ...[]byte) (uint64, error) {
	j.mu.Lock()
	j.sizes = append(j.sizes, len(recs))
	j.mu.Unlock()
	return j.Store.Append(ctx, token, recs...)
}

// quietBus takes subscriptions and publications and does nothing.
type quietBus struct{}

func (quietBus) Subscribe(string, byte, Handler) error    { return nil }
func (quietBus) Publish(string, byte, bool, []byte) error { return nil }

// Vehicle messages waiting in the inbox are journaled Batch at a time (one
// Append each), in the order they came, and every one is applied: with
// Batch 1 each has its own write, as before group commit.
func TestGroupCommit(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	const n = 40
	for _, batch := range []int{1, 16} {
		t.Run(fmt.Sprint("batch ", batch), func(t *testing.T) {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "j.db"))
			require.NoError(t, err)
			defer st.Close()
			j := &appendCounter{Store: st}
			roster, err := vehicles.NewRoster()
			require.NoError(t, err)
			d, err := New(Config{Graph: g, Journal: j, Batch: batch, BatchBudget: time.Hour, Vehicles: vehicles.Config{Roster: roster, AutoAdmit: true}})
			require.NoError(t, err)
			// every vehicle's first state waits in the inbox before the core runs
			var topics []string
			for i := range n {
				serial := fmt.Sprintf("s%02d", i+1)
				topic := "uagv/v2/acme/" + serial + "/state"
				topics = append(topics, topic)
				d.receive(topic, state(t, serial, site.Parking[i].ID))
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- d.Run(ctx, quietBus{}) }()
			var got []string
			require.Eventually(t, func() bool {
				es, err := st.Read(context.Background(), 0, 0)
				require.NoError(t, err)
				got = got[:0]
				for _, e := range es {
					rec, err := decodeRecord(e.Data)
					require.NoError(t, err)
					if rec.Kind == kindMessage {
						got = append(got, rec.Topic)
					}
				}
				return len(got) >= n
			}, 10*time.Second, 10*time.Millisecond)
			cancel()
			require.NoError(t, <-done)
			assert.Equal(t, topics, got, "every state journaled once, in the order received")
			joined := 0
			for _, v := range d.m.Vehicles() {
				if v.Joined {
					joined++
				}
			}
			assert.Equal(t, n, joined, "every state applied: each vehicle joined")
			j.mu.Lock()
			defer j.mu.Unlock()
			multi, inMulti := 0, 0
			for _, k := range j.sizes {
				if k > 1 {
					multi++
					inMulti += k
				}
			}
			if batch == 1 {
				assert.Zero(t, multi, "Batch 1: one record a write (%v)", j.sizes)
			} else {
				assert.Equal(t, n, inMulti, "the waiting states went in batches (%v)", j.sizes)
				assert.Equal(t, (n+batch-1)/batch, multi, "of at most %d (%v)", batch, j.sizes)
			}
		})
	}
}

// A batch takes as many records as fit the budget at the running average
// cost of applying one, at least one, at most Batch.
func TestBatchLimit(t *testing.T) {
	d := &Daemon{cfg: Config{Batch: 64, BatchBudget: 20 * time.Millisecond}}
	assert.Equal(t, 64, d.batchLimit(), "no cost known yet")
	d.noteApply(10*time.Millisecond, 20) // 0.5 ms each
	assert.Equal(t, 40, d.batchLimit())
	d.noteApply(0, 0)
	assert.Equal(t, 40, d.batchLimit(), "nothing applied changes nothing")
	for range 20 {
		d.noteApply(50*time.Millisecond, 1) // a dispatch pass each
	}
	assert.Equal(t, 1, d.batchLimit(), "records that cost more than the budget go one at a time")
	for range 40 {
		d.noteApply(100*time.Microsecond, 1)
	}
	assert.Equal(t, 64, d.batchLimit(), "cheap records: as many as Batch")
}
