package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhookConfigErrors(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "kz.secret")
	require.NoError(t, os.WriteFile(secret, []byte("s3cret\n"), 0o600))
	store := "bolt:" + filepath.Join(dir, "fleetd.db")
	for _, tc := range []struct {
		name, hooks, store, want string
	}{
		{"no store", `{"subscribers": [{"country": "KZ", "url": "https://kz.example/h", "secret": "x"}]}`, "", "set a store"},
		{"country without a checkpoint", `{"subscribers": [{"country": "MN", "url": "https://mn.example/h", "secret": "x"}]}`, store, "no checkpoint of MN on the site"},
		{"bad url", `{"subscribers": [{"country": "KZ", "url": "kz.example/h", "secret_file": "` + secret + `"}]}`, store, `url "kz.example/h": want http:// or https://`},
		{"no secret", `{"subscribers": [{"country": "KZ", "url": "https://kz.example/h"}]}`, store, "no secret"},
		{"missing secret file", `{"subscribers": [{"country": "KZ", "url": "https://kz.example/h", "secret_file": "/nonexistent/kz"}]}`, store, "no such file"},
		{"both secrets", `{"subscribers": [{"country": "KZ", "url": "https://kz.example/h", "secret": "x", "secret_file": "` + secret + `"}]}`, store, "keep one"},
		{"unknown key", `{"subscribers": [{"country": "KZ", "ur": "https://kz.example/h"}]}`, store, `unknown field "ur"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "fleetd.json")
			require.NoError(t, os.WriteFile(cfg, []byte(`{"webhooks": `+tc.hooks+`}`), 0o644))
			args := []string{"run", "--config", cfg, "--embedded-broker", "127.0.0.1:0", "--listen", "", "--status-every", "-1s"}
			if tc.store != "" {
				args = append(args, "--store", tc.store)
			}
			code, _, errOut := runCmd(args...)
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
}
