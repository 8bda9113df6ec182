package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/vda5050"
	"github.com/borderfleet/borderfleet/vehicles"
)

// mosquittoWith starts a private Mosquitto that wants the accounts of dir
// (passwd and acl, as fleetd mqtt acl writes them) and returns its URL.
func mosquittoWith(t *testing.T, dir string, useTLS bool) string {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/mosquitto"); e == nil {
			bin = "/usr/sbin/mosquitto"
		} else if os.Getenv("BORDERFLEET_TEST_MQTT_URL") != "" {
			t.Fatal("scripts/test.sh installed Mosquitto, yet there is no mosquitto binary")
		} else {
			t.Skip("no mosquitto binary (scripts/test.sh installs it)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	conf := filepath.Join(dir, "mosquitto.conf")
	body := fmt.Appendf(nil, "listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s\nacl_file %s\npersistence false\n",
		port, filepath.Join(dir, "passwd"), filepath.Join(dir, "acl"))
	scheme := "tcp"
	if useTLS {
		scheme = "ssl"
		writeTestCA(t, dir)
		body = fmt.Appendf(body, "cafile %s\ncertfile %s\nkeyfile %s\n",
			filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"))
	}
	if os.Geteuid() == 0 {
		// started as root, mosquitto becomes user mosquitto, who may not
		// read the test's 0600 files
		body = append(body, "user root\n"...)
	}
	require.NoError(t, os.WriteFile(conf, body, 0o600))
	cmd := exec.Command(bin, "-c", conf)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("mosquitto:\n%s", lastLines(out.String(), 30))
		}
	})
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "mosquitto did not listen")
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
}

// writeTestCA writes a CA (ca.pem) and a server certificate for 127.0.0.1
// signed by it (server.pem, server.key) to dir.
func writeTestCA(t *testing.T, dir string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "borderfleet test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	srv := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, ca, &srvKey.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	require.NoError(t, err)
	for name, block := range map[string]*pem.Block{"ca.pem": {Type: "CERTIFICATE", Bytes: caDER},
		"server.pem": {Type: "CERTIFICATE", Bytes: srvDER}, "server.key": {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o600))
	}
}

func login(t *testing.T, url, id string, acc vehicles.Account, ca string) (*mqttbus.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cfg := mqttbus.Config{URL: url, ClientID: id, Username: acc.Username, Password: acc.Password, MaxReconnectInterval: time.Second}
	if ca != "" {
		tc, err := mqttbus.TLSFiles(ca, "", "", false)
		require.NoError(t, err)
		cfg.TLS = tc
	}
	c, err := mqttbus.Connect(ctx, cfg, nil, nil)
	if err == nil {
		t.Cleanup(c.Disconnect)
	}
	return c, err
}

// TestPerVehicleAccounts: with the accounts `fleetd mqtt acl` writes, a
// real Mosquitto (and the embedded broker, given the same accounts) lets
// a vehicle neither publish as another nor read another's orders, refuses
// anonymous and wrong logins, and fleetd still drives both vehicles, each
// logged in as itself.
func TestPerVehicleAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end over MQTT: not in -short")
	}
	t.Parallel() // light: two shuttles, mostly waiting on their clocks
	dir := t.TempDir()
	cfg := filepath.Join(dir, "fleetd.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"interface": "e2eacl", "roster": [
		{"manufacturer": "borderfleet", "serialNumber": "acl-01"},
		{"manufacturer": "borderfleet", "serialNumber": "acl-02"}]}`), 0o600))
	out, err := exec.Command(fleetdBin, "mqtt", "acl", "--config", cfg, "-o", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	b, err := os.ReadFile(filepath.Join(dir, "credentials.json"))
	require.NoError(t, err)
	var acc vehicles.Accounts
	require.NoError(t, json.Unmarshal(b, &acc))
	t.Run("mosquitto with TLS", func(t *testing.T) {
		t.Parallel()
		url := mosquittoWith(t, dir, true)
		perVehicleAccounts(t, url, dir, acc, filepath.Join(dir, "ca.pem"))
		// and nobody who does not trust the CA gets in
		_, err := login(t, url, "untrusting", acc.Fleetd, "")
		assert.Error(t, err, "a client that does not know the CA connected")
	})
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		access := &mqttbus.Access{Users: map[string]mqttbus.UserAccess{}}
		for _, r := range acc.Rules() {
			access.Users[r.Username] = mqttbus.UserAccess{Password: r.Password, Read: r.Read, Write: r.Write}
		}
		br, err := mqttbus.StartBrokerWith("127.0.0.1:0", false, access, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = br.Close() })
		perVehicleAccounts(t, br.URL(), dir, acc, "")
	})
}

// perVehicleAccounts runs fleetd and two shuttles, each logged in as
// itself, over the broker at url (ca: the CA to trust for ssl://).
func perVehicleAccounts(t *testing.T, url, dir string, acc vehicles.Accounts, ca string) {
	iface := acc.Interface
	var err error
	_, err = login(t, url, "anonymous", vehicles.Account{}, ca)
	assert.Error(t, err, "an anonymous client was let in")
	a1, _ := acc.Vehicle("borderfleet", "acl-01")
	_, err = login(t, url, "wrong", vehicles.Account{Username: a1.Username, Password: "guess"}, ca)
	assert.Error(t, err, "a wrong password was let in")

	// fleetd, logged in as itself, with the roster
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	roster, err := vehicles.NewRoster(vehicles.Entry{Manufacturer: "borderfleet", SerialNumber: "acl-01"}, vehicles.Entry{Manufacturer: "borderfleet", SerialNumber: "acl-02"})
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Graph: g, TimeScale: scale,
		Vehicles: vehicles.Config{Roster: roster, Interface: iface, ResendAfter: 3 * time.Second * scale}})
	require.NoError(t, err)
	bus, err := login(t, url, "fleetd", acc.Fleetd, ca)
	require.NoError(t, err)
	spy, err := login(t, url, "fleetd-spy", acc.Fleetd, ca)
	require.NoError(t, err)
	seen := &capture{}
	require.NoError(t, spy.Subscribe(vda5050.Subscription(iface, vda5050.TopicState), 1, seen.add))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		assert.NoError(t, d.Run(ctx, mqttBus{bus}))
	}()
	t.Cleanup(func() { <-done })
	f := &fleetd{d: d, site: site, cap: &capture{}, iface: iface}
	f.officers(t, ctx)
	args := []string{"--shuttles", "2", "--serial-prefix", "acl-", "--credentials", filepath.Join(dir, "credentials.json"),
		"--start", parkingOf(site, site.Centres[0].ID, 0) + "," + parkingOf(site, site.Centres[1].ID, 0)}
	if ca != "" {
		args = append(args, "--tls-ca", ca)
	}
	shuttles(t, url, iface, args...)

	// vehicle acl-01 tries to speak for acl-02 and to read its orders
	evil, err := login(t, url, "borderfleet-acl-01-evil", a1, ca)
	require.NoError(t, err)
	stolen := &capture{}
	_ = evil.Subscribe(vda5050.TopicName(iface, "borderfleet", "acl-02", vda5050.TopicOrder), 1, stolen.add) // refused or never delivered
	forged := []byte(`{"forgedBy": "acl-01"}`)
	require.NoError(t, evil.Publish(vda5050.TopicName(iface, "borderfleet", "acl-02", vda5050.TopicState), 1, false, forged))

	west, east := site.BaysOf(site.Centres[0].ID), site.BaysOf(site.Centres[1].ID)
	f.move(ctx, t, "a1", container(31), west[1].ID, east[1].ID)
	f.move(ctx, t, "a2", container(32), east[2].ID, west[2].ID)
	require.Eventually(t, func() bool {
		n := 0
		for _, m := range f.moves(t, ctx) {
			if m.State == fleet.MoveDelivered {
				n++
			}
		}
		return n == 2
	}, 3*time.Minute, 250*time.Millisecond, "fleetd drives both vehicles over the broker with accounts")
	joined := 0
	require.NoError(t, d.Do(ctx, func(_ time.Time, _ *fleet.Controller, m *vehicles.Master) {
		for _, v := range m.Vehicles() {
			if v.Joined {
				joined++
			}
		}
	}))
	assert.Equal(t, 2, joined, "both vehicles joined")
	for _, m := range seen.all() {
		assert.False(t, bytes.Contains(m.payload, []byte("forgedBy")), "acl-01's message on acl-02's topic reached fleetd: %s", m.topic)
	}
	assert.Empty(t, stolen.all(), "acl-01 read acl-02's orders")
	states := 0
	for _, m := range seen.all() {
		if strings.HasSuffix(m.topic, "/acl-02/state") {
			states++
		}
	}
	assert.NotZero(t, states, "acl-02's own states reach fleetd")
}
