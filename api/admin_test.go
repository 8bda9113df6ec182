package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Only an admin's token reaches what AdminOnly guards.
func TestAdminOnly(t *testing.T) {
	_, s, _ := newTestServer(t)
	srv := httptest.NewServer(s.AdminOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("profile"))
	})))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		token string
		want  int
	}{
		{"", http.StatusUnauthorized},
		{"not-a-token-at-all-00", http.StatusUnauthorized},
		{tokViewer, http.StatusForbidden},
		{tokOperator, http.StatusForbidden},
		{tokKZ, http.StatusForbidden},
		{tokAdmin, http.StatusOK},
	} {
		code, body := call(t, srv, http.MethodGet, "/debug/pprof/", tc.token, "")
		assert.Equal(t, tc.want, code, "token %q", tc.token)
		if tc.want == http.StatusOK {
			assert.Equal(t, "profile", string(body))
		} else {
			assert.NotContains(t, string(body), "profile")
		}
	}
}
