package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWebhookVerbs runs the webhook verbs against a stand-in for fleetd
// that answers as the API does and records what it was asked.
func TestWebhookVerbs(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		asked = append(asked, r.Method+" "+r.URL.Path+" "+string(body))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/customs/webhooks":
			_, _ = io.WriteString(w, `{"webhooks": [{"country": "KZ", "url": "https://kz.example/h", "cursor": 41, "backlog": 3, "head": 42,
				"attempts": 2, "last_error": "HTTP 500: down", "dead_letters": 1, "replaying": 0, "counts": {"delivered": 40}}]}`)
		case "/v1/customs/webhooks/KZ/dead-letters":
			_, _ = io.WriteString(w, `{"country": "KZ", "dead_letters": [{"seq": 7, "attempts": 10, "reason": "timeout after 10s", "at": "2026-12-06T08:00:00Z"}]}`)
		case "/v1/customs/webhooks/KZ/dead-letters/replay":
			_, _ = io.WriteString(w, `{"country": "KZ", "replayed": 1}`)
		default:
			http.Error(w, `{"error": "no endpoint"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		args []string
		want []string
		req  string
	}{
		{[]string{"webhooks", "status"}, []string{"COUNTRY URL CURSOR BACKLOG HEAD ATTEMPTS LAST ERROR DEAD LETTERS REPLAYING",
			"KZ https://kz.example/h 41 3 42 2 HTTP 500: down 1 0"}, "GET /v1/customs/webhooks "},
		{[]string{"webhooks", "dead-letters", "kz"}, []string{"SEQ GIVEN UP ATTEMPTS REASON", "7 2026-12-06T08:00:00Z 10 timeout after 10s"},
			"GET /v1/customs/webhooks/KZ/dead-letters "},
		{[]string{"webhooks", "replay", "KZ", "--seq", "7"}, []string{"1 dead letter(s) of KZ queued for delivery"},
			`POST /v1/customs/webhooks/KZ/dead-letters/replay {"seq":7}`},
		{[]string{"webhooks", "replay", "KZ"}, []string{"1 dead letter(s) of KZ queued"},
			`POST /v1/customs/webhooks/KZ/dead-letters/replay {}`},
	} {
		asked = nil
		r := apiCall(t, srv.URL, tokAdmin, tt.args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("fleetctl %v = %+v", tt.args, r)
		}
		for _, w := range tt.want {
			if !containsSpaced(r.stdout, w) {
				t.Errorf("fleetctl %v lacks %q:\n%s", tt.args, w, r.stdout)
			}
		}
		if len(asked) != 1 || asked[0] != tt.req {
			t.Errorf("fleetctl %v asked %q, want %q", tt.args, asked, tt.req)
		}
	}
	if r := apiCall(t, srv.URL, tokAdmin, "webhooks", "replay"); r.code != 2 {
		t.Errorf("replay without a country = %+v", r)
	}
}
