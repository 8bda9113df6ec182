package daemon

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/store/boltstore"
)

// auditLen finds the audit log's last index for every length, the empty
// log too.
func TestAuditLen(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	defer st.Close()
	tok, err := st.Acquire(ctx, "test", time.Minute)
	require.NoError(t, err)
	n := uint64(0)
	for _, want := range []uint64{0, 1, 2, 3, 4, 5, 7, 8, 9, 1000, 1024, 1025, 2500} {
		var batch [][]byte
		for ; n < want; n++ {
			batch = append(batch, []byte(`{}`))
		}
		if len(batch) > 0 {
			_, err := st.AppendAudit(ctx, tok, batch...)
			require.NoError(t, err)
		}
		got, err := auditLen(ctx, st)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}
