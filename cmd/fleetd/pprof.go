package main

import (
	"net/http"
	"net/http/pprof"
)

// pprofHandler serves Go's profiles under /debug/pprof/ (fleetd --pprof)
// on a mux of its own, which serveAPI puts behind the admin check.
// (Importing net/http/pprof also registers them on http.DefaultServeMux,
// which fleetd never serves.)
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // the named profiles: heap, goroutine, allocs, block, mutex, ...
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
