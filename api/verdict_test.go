package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
)

// A store that fails is no fault of the request: 503, to be sent again.
func TestVerdict(t *testing.T) {
	var s Server
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{daemon.ErrStandby, http.StatusServiceUnavailable},
		{fmt.Errorf("%w (x)", daemon.ErrDeposed), http.StatusServiceUnavailable},
		{fmt.Errorf("%w: %w", daemon.ErrNotJournaled, errors.New("redisstore: write not acknowledged by enough replicas")), http.StatusServiceUnavailable},
		{fmt.Errorf("%w: it appended record 1 after applying 2", daemon.ErrJournalLost), http.StatusServiceUnavailable},
		{context.DeadlineExceeded, http.StatusServiceUnavailable},
		{fmt.Errorf("%w: m1", fleet.ErrConflict), http.StatusConflict},
		{errors.New("fleet: no such bay"), http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		err := s.verdict(tt.err, "f")
		var e *Error
		switch {
		case tt.want == 0 && err != nil:
			t.Errorf("verdict(nil) = %v", err)
		case tt.want != 0 && (!errors.As(err, &e) || e.Status != tt.want):
			t.Errorf("verdict(%v) = %v, want status %d", tt.err, err, tt.want)
		}
	}
}
