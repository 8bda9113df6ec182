package api

import "net/http"

// AdminOnly lets only callers with an admin's bearer token through to h;
// others get the API's 401 or 403. fleetd mounts its profiling endpoints
// (--pprof) behind it, beside the API.
func (s *Server) AdminOnly(h http.Handler) http.Handler {
	return s.wrap(route{method: "GET", pattern: "/debug/pprof/", perm: admins, h: func(w http.ResponseWriter, r *http.Request, _ Token) error {
		h.ServeHTTP(w, r)
		return nil
	}})
}
