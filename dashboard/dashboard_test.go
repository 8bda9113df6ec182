package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHandler serves the page and its files with their types and a strict
// content security policy, and nothing else.
func TestHandler(t *testing.T) {
	h := Handler()
	for _, tc := range []struct {
		method, path string
		code         int
		ctype, body  string
	}{
		{"GET", "/", 200, "text/html", `<script type="module" src="app.js">`},
		{"GET", "/app.js", 200, "text/javascript", "import"},
		{"GET", "/api.js", 200, "text/javascript", "Authorization"},
		{"GET", "/map.js", 200, "text/javascript", "export class SiteMap"},
		{"GET", "/iso6346.js", 200, "text/javascript", "checkDigit"},
		{"GET", "/ui.js", 200, "text/javascript", "export function syncRows"},
		{"GET", "/lanes.js", 200, "text/javascript", "encodeURIComponent"},
		{"GET", "/customs.js", 200, "text/javascript", "export const LONG_WAIT_MS"},
		{"GET", "/stuck.js", 200, "text/javascript", "export class Stuck"},
		{"GET", "/legend.js", 200, "text/javascript", "export function drawLegend"},
		{"GET", "/style.css", 200, "text/css", ":root"},
		{"HEAD", "/", 200, "text/html", ""},
		{"GET", "/nope.js", 404, "", ""},
		{"GET", "/v2/", 404, "", ""},
		{"POST", "/", 405, "", ""},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			assert.Equal(t, tc.code, rec.Code)
			if tc.code != http.StatusOK {
				return
			}
			assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), tc.ctype), rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'none'")
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			assert.Contains(t, rec.Body.String(), tc.body)
		})
	}
}

// TestNoExternalResources: the page loads nothing from elsewhere (no
// CDN, no tiles): the closed networks it runs in have none.
func TestNoExternalResources(t *testing.T) {
	for _, name := range []string{"static/index.html", "static/app.js", "static/api.js", "static/map.js", "static/ui.js", "static/lanes.js", "static/customs.js", "static/stuck.js", "static/legend.js", "static/style.css"} {
		b, err := static.ReadFile(name)
		assert.NoError(t, err)
		for _, bad := range []string{"http://", "https://", "//cdn", "@import"} {
			if bad == "http://" && strings.Contains(string(b), "http://www.w3.org/2000/svg") {
				continue
			}
			assert.NotContains(t, string(b), bad, name)
		}
	}
}
