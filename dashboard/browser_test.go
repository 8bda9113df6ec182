package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/dashboard"
	"github.com/borderfleet/borderfleet/geo"
	"github.com/borderfleet/borderfleet/mqttbus"
	"github.com/borderfleet/borderfleet/routing"
	"github.com/borderfleet/borderfleet/sim/agv"
	"github.com/borderfleet/borderfleet/vehicles"
)

// scale is how much faster than real time the browser test's fleet runs.
const scale = 60

// chromium finds a Chromium or Chrome binary, or "".
func chromium() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// artifacts is where the test writes its screenshot.
func artifacts(t *testing.T) string {
	if d := os.Getenv("BORDERFLEET_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// viewerToken is a wallboard's token (role viewer) on the test fleet.
const viewerToken = "dashboard-test-viewer-token-0001"

// mqttBus is an MQTT client as the daemon's Bus, as fleetd wires it.
type mqttBus struct{ c *mqttbus.Client }

func (b mqttBus) Subscribe(filter string, qos byte, h daemon.Handler) error {
	return b.c.Subscribe(filter, qos, mqttbus.Handler(h))
}

func (b mqttBus) Publish(topic string, qos byte, retained bool, payload []byte) error {
	return b.c.Publish(topic, qos, retained, payload)
}

// startFleet runs a fleet as fleetd demo does, in this process: the
// embedded broker, the daemon core, simulated shuttles over MQTT and the
// API with the dashboard on one listener. It returns the listener's URL.
func startFleet(t *testing.T, ctx context.Context, token string, shuttles int) string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	site, err := geo.Default()
	require.NoError(t, err)
	g, err := routing.NewGraph(site, routing.GraphConfig{})
	require.NoError(t, err)
	broker, err := mqttbus.StartBroker("127.0.0.1:0", false, quiet)
	require.NoError(t, err)
	t.Cleanup(func() { _ = broker.Close() })
	mc := mqttbus.Config{URL: broker.URL(), ClientID: "dashboard-test-fleetd"}
	bus, err := mqttbus.Connect(ctx, mc, nil, quiet)
	require.NoError(t, err)
	t.Cleanup(bus.Disconnect)
	roster, err := vehicles.NewRoster()
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Graph: g,
		Vehicles:  vehicles.Config{Roster: roster, AutoAdmit: true, ResendAfter: 5 * time.Second * scale},
		TimeScale: scale, Log: quiet})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		if err := d.Run(ctx, mqttBus{bus}); err != nil && ctx.Err() == nil {
			t.Errorf("daemon: %v", err)
		}
	}()
	fc := agv.FleetConfig{Shuttles: shuttles, SerialPrefix: "shuttle-",
		Vehicle: agv.Config{Site: site, Graph: g, TimeScale: scale, Seed: 1}}
	simCfg := mqttbus.Config{URL: broker.URL()}
	go func() {
		defer func() { done <- struct{}{} }()
		if err := agv.RunFleet(ctx, fc, agv.MQTTDial(simCfg, quiet), quiet); err != nil && ctx.Err() == nil {
			t.Errorf("shuttles: %v", err)
		}
	}()
	srv, err := api.New(api.Config{Fleet: d, Site: site, Graph: g, Log: quiet,
		Tokens: []api.Token{{Token: token, Name: "test-admin", Role: api.RoleAdmin}, {Token: viewerToken, Name: "test-wallboard", Role: api.RoleViewer}}})
	require.NoError(t, err)
	return serveDashboard(t, srv, func() {
		cancel()
		<-done
		<-done
	})
}

// serveDashboard serves the API at /v1/ and the dashboard at / on a test
// listener and returns its URL; stop (if not nil) runs when the test ends,
// after the clients are cut off and before the listener closes.
func serveDashboard(t *testing.T, srv *api.Server, stop func()) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/v1/", srv.Handler())
	mux.Handle("/", dashboard.Handler())
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		if stop != nil {
			stop()
		}
		hs.Close()
	})
	return hs.URL
}

// TestBrowser drives the dashboard in a real headless Chromium against a
// real fleet at 60x: sign in, see the shuttles move, create a move from
// the form and see it delivered; a screenshot is kept.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test runs a fleet for about a minute; not with -short")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium found (/usr/bin/chromium; scripts/test.sh installs Debian's chromium): the browser test is skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const token = "dashboard-test-admin-token-0001"
	base := startFleet(t, ctx, token, 6)

	bctx := startBrowser(t, ctx, bin)
	defer func() {
		if t.Failed() {
			shot(t, bctx, "dashboard-failed.png")
		}
	}()
	start := time.Now()
	signIn(t, bctx, base, token)
	require.Equal(t, "admin", eval[string](t, bctx, `document.querySelector("#role").textContent`))

	// the site is drawn, the shuttles appear
	waitFor(t, bctx, `document.querySelectorAll("#map path.lane").length > 10`, 20*time.Second, "the site's lanes drawn")
	waitFor(t, bctx, `document.querySelectorAll("#map .shuttle").length === 6`, 30*time.Second, "six shuttles on the map")
	t.Logf("signed in, site and six shuttles drawn %v after the page was asked for", time.Since(start).Round(time.Millisecond))
	mapAndLegend(t, bctx)
	keyboard(t, bctx)
	operatorVerbs(t, bctx, base, token)

	// the form: a bad check digit first shows the API's error on its field
	fill := func(c string) {
		require.NoError(t, chromedp.Do(bctx,
			chromedp.SetValue("#f-container", c),
			chromedp.SetValue("#f-origin", "kz-bay-01"),
			chromedp.SetValue("#f-destination", "cn-bay-02"),
			chromedp.Click("#f-submit"),
		))
	}
	fill("MSCU1234567")
	waitFor(t, bctx, `!document.querySelector("#f-error").hidden && document.querySelector("#f-container").classList.contains("bad")`,
		10*time.Second, "the check digit error shown on the container field")
	ferr := eval[string](t, bctx, `document.querySelector("#f-error").textContent`)
	require.Contains(t, ferr, "HTTP 400")
	require.Contains(t, ferr, "check digit")
	require.Contains(t, ferr, "[container]")

	const container = "CSQU3054383"
	row := `document.querySelector('#moves tr[data-container="` + container + `"]')`
	fill(container)
	waitFor(t, bctx, `document.querySelector("#f-error").hidden && !!`+row, 10*time.Second, "the new move in the moves table")
	created := time.Now()
	// where the container stands with each country: one chip per country
	// of its way, in the map's colours, none passed yet
	chips := func(what string) string {
		return `[...` + row + `.querySelectorAll("td.customs .clr")].map(c => ` + what + `).join(" ")`
	}
	waitFor(t, bctx, chips("c.dataset.country")+` === "KZ CN"`, 10*time.Second, "a clearance chip for KZ and CN in the move's row")
	require.Equal(t, "c0 c1", eval[string](t, bctx, chips(`[...c.classList].find(k => /^c\d$/.test(k))`)), "the chips in the countries' map colours")
	require.NotContains(t, eval[string](t, bctx, chips("c.dataset.status")), "passed")
	require.Contains(t, eval[string](t, bctx, row+`.querySelector("td.customs .clr").title`), "kz-bakhty-out: ", "the chip's title names the checkpoint")
	eval[bool](t, bctx, `(() => { const f = document.querySelector("#moves-filter"); f.value = "all"; f.dispatchEvent(new Event("change")); return true })()`)

	// shuttles move: a drawn position changes between two reads
	positions := func() map[string]string {
		return eval[map[string]string](t, bctx,
			`Object.fromEntries([...document.querySelectorAll("#map .shuttle")].map(g => [g.dataset.id, g.dataset.x + "," + g.dataset.y]))`)
	}
	before := positions()
	moved := ""
	for deadline := time.Now().Add(60 * time.Second); moved == "" && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		for id, p := range positions() {
			if b, ok := before[id]; ok && b != p {
				moved = fmt.Sprintf("%s moved on the map from %s to %s", id, b, p)
			}
		}
	}
	require.NotEmpty(t, moved, "no shuttle moved on the map: %v", before)
	t.Log(moved)

	// the move is delivered (at 60x half a minute to a minute), released
	// at both gates with the gate queue's buttons
	// each release is clicked on a gate row that shows how long the
	// container has waited there ("" when no button was clicked)
	st, released := "", 0
	release := `(() => {
		for (const tr of document.querySelectorAll("#gates tbody tr")) {
			const b = tr.querySelector("button.ok");
			if (tr.textContent.includes("` + container + `") && b && !b.hidden && !b.disabled) {
				const w = tr.querySelector(".wait").textContent;
				b.click();
				return w || "no waiting time shown";
			}
		}
		return ""
	})()`
	for deadline := time.Now().Add(150 * time.Second); st != "delivered" && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		if w := eval[string](t, bctx, release); w != "" {
			released++
			require.Regexp(t, `^\d+ (s|min)$|^\d+ h \d\d$`, w, "the waiting time on the gate row")
		}
		st = eval[string](t, bctx, `(`+row+` || {dataset: {}}).dataset.state || ""`)
	}
	t.Logf("released at a gate %d times", released)
	require.Equal(t, "delivered", st, "the move's state in the moves table")
	waitFor(t, bctx, chips("c.dataset.status")+` === "passed passed"`, 10*time.Second, "both countries' chips passed")
	t.Logf("the move made with the form was delivered %v later (%v after the page was asked for)",
		time.Since(created).Round(time.Second), time.Since(start).Round(time.Second))
	t.Logf("screenshot: %s", shot(t, bctx, "dashboard.png"))
	stuckAtGate(t, bctx, base, token)
	viewerPage(t, bctx, base, container)
}

// startBrowser starts a headless Chromium (bin) for the test, in a
// window of 1600x1100, and returns its first tab; it is closed when the
// test ends.
func startBrowser(t *testing.T, ctx context.Context, bin string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1100),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(bcancel)
	return bctx
}

// signIn opens the dashboard at base and signs in with token.
func signIn(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", token),
		chromedp.Click(`#login button[type="submit"]`),
		chromedp.WaitVisible("#app"),
	), "sign in")
}

// mapAndLegend: the map fits the site's lanes to the panel, as on a
// turned site (mapFit.fitted: the corridor along the panel's long side,
// its lanes spanning most of it, drawn whole, in a panel as tall as they
// want), no two labels shown overlap, and the legend names the colours
// and shapes.
func mapAndLegend(t *testing.T, ctx context.Context) {
	t.Helper()
	measureMap(t, ctx).fitted(t, "the default site")
	overlaps := eval[[]string](t, ctx, `(() => {
		const ls = [...document.querySelectorAll("#map text")].filter(e => e.getBoundingClientRect().width > 0);
		const out = [];
		for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
			const a = ls[i].getBoundingClientRect(), b = ls[j].getBoundingClientRect();
			if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(ls[i].textContent + " / " + ls[j].textContent);
		}
		return out })()`)
	require.Empty(t, overlaps, "labels shown over each other")
	t.Logf("%d labels hidden as clutter (shown on hover or focus)", eval[int](t, ctx, `document.querySelectorAll("#map .clutter").length`))
	legend := eval[string](t, ctx, `document.querySelector("#legend").textContent`)
	for _, want := range []string{"idle", "laden", "at a gate", "charging", "fault", "carries a container", "stuck", "customs checkpoint", "charging station", "bay", "closed lane"} {
		require.Contains(t, legend, want, "the legend")
	}
	require.GreaterOrEqual(t, eval[int](t, ctx, `document.querySelectorAll("#legend svg.sw").length`), 15, "a swatch per legend item")
}

// keyboard: Tab reaches the shuttles' rows with a visible focus, Enter
// selects one (its box on the map), Escape closes the box and gives the
// focus back to the row; Tab goes on to the next row.
func keyboard(t *testing.T, ctx context.Context) {
	t.Helper()
	first := `document.querySelector("#shuttles tbody tr")`
	id := eval[string](t, ctx, first+`.dataset.key`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Focus(`#shuttles tbody tr`)))
	require.Equal(t, id, eval[string](t, ctx, `document.activeElement.dataset.key || ""`), "the first shuttle's row has the focus")
	require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent("\r")))
	waitFor(t, ctx, `!document.querySelector("#selected").hidden && document.querySelector("#selected").dataset.id === "`+id+`"`, 3*time.Second, "Enter selects "+id)
	require.True(t, eval[bool](t, ctx, `document.querySelector('#map .shuttle[data-id="`+id+`"]').classList.contains("sel")`), "selected on the map")
	require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)))
	waitFor(t, ctx, `document.querySelector("#selected").hidden`, 3*time.Second, "Escape closes the selection")
	require.Equal(t, id, eval[string](t, ctx, `document.activeElement.dataset.key || ""`), "the focus back on the row")
	require.NotEqual(t, "none", eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`), "a visible focus")
	second := eval[string](t, ctx, `document.querySelectorAll("#shuttles tbody tr")[1].dataset.key`)
	for i := 0; i < 12 && eval[string](t, ctx, `document.activeElement.dataset.key || ""`) != second; i++ {
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
		require.True(t, eval[bool](t, ctx, `!!document.activeElement.closest("#shuttles")`), "Tab stays in the shuttles table on the way to the next row")
	}
	require.Equal(t, second, eval[string](t, ctx, `document.activeElement.dataset.key || ""`), "Tab reaches the next shuttle's row")
	require.NoError(t, chromedp.Do(ctx, chromedp.Focus(`#map`), chromedp.KeyEvent(kb.Tab)))
	require.True(t, eval[bool](t, ctx, `document.activeElement.classList.contains("shuttle")`), "from the map, Tab reaches a shuttle's marker")
	require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent("\r")))
	waitFor(t, ctx, `!document.querySelector("#selected").hidden && document.querySelector("#selected").dataset.id === document.activeElement.dataset.id`, 3*time.Second, "Enter on a marker selects its shuttle")
	require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)))
	waitFor(t, ctx, `document.querySelector("#selected").hidden`, 3*time.Second, "Escape closes it")
}

// stuckAtGate: three containers from China to Kazakhstan are left at the
// CN exit gate with no decision; with the threshold at 1 minute (1 s of
// the test's wall time at 60x) the shuttle at the stop line is listed as
// stuck waiting for a customs release there, its row and marker marked,
// the API says the same, typed; the moves' clearance chips show CN
// waiting; the shuttles queued at the gate are spread on the map, none
// over another.
func stuckAtGate(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	began := time.Now()
	eval[bool](t, ctx, `(() => { const i = document.querySelector("#stuck-min"); i.value = "1"; i.dispatchEvent(new Event("change")); return true })()`)
	for i, c := range []string{"MSCU1234566", "TGHU8765436", "CSQU3054383"} {
		apiPost(t, base+"/v1/moves", token, fmt.Sprintf(`{"container": %q, "origin": "cn-bay-0%d", "destination": "kz-bay-0%d"}`, c, i+3, i+4))
	}
	row := `document.querySelector('#stuck tbody tr[data-kind="release"]')`
	waitFor(t, ctx, `!!`+row, 120*time.Second, "a shuttle listed as stuck waiting for a release")
	id := eval[string](t, ctx, row+`.dataset.shuttle`)
	why := eval[string](t, ctx, row+`.children[1].textContent`)
	require.Regexp(t, `^waiting for customs release at cn-`, why, "the stuck reason")
	require.Regexp(t, `^\d+ (s|min)$`, eval[string](t, ctx, row+`.children[2].textContent`), "how long")
	require.True(t, eval[bool](t, ctx, `document.querySelector('#shuttles tr[data-key="`+id+`"]').classList.contains("stuck")`), "the shuttle's row marked stuck")
	require.True(t, eval[bool](t, ctx, `document.querySelector('#map .shuttle[data-id="`+id+`"]').classList.contains("stuck")`), "its marker marked stuck")
	var sh struct {
		Waiting struct{ Kind, Detail string }
	}
	apiGet(t, base+"/v1/shuttles/"+url.PathEscape(id), token, &sh)
	require.Equal(t, "release", sh.Waiting.Kind, "the API's wait of %s", id)
	require.Contains(t, why, sh.Waiting.Detail)
	mv := eval[string](t, ctx, row+`.dataset.move`)
	mrow := `document.querySelector('#moves tr[data-key="` + mv + `"]')`
	waitFor(t, ctx, mrow+`.classList.contains("stuck") && `+mrow+`.querySelector('.clr[data-country="CN"]').dataset.status === "waiting"`, 5*time.Second, "the move's row stuck, CN waiting")

	// the shuttles queued at the gate: where they are, close on the
	// screen; where they are drawn, apart
	spread := `(() => {
		const m = document.querySelector("#map").getBoundingClientRect();
		const gs = [...document.querySelectorAll("#map .shuttle")];
		const near = [], apart = [];
		for (let i = 0; i < gs.length; i++) for (let j = i + 1; j < gs.length; j++) {
			const a = gs[i].querySelector(".body").getBoundingClientRect(), b = gs[j].querySelector(".body").getBoundingClientRect();
			const d = Math.hypot(gs[i].dataset.sx - gs[j].dataset.sx, gs[i].dataset.sy - gs[j].dataset.sy);
			if (gs[i].classList.contains("spread") && gs[j].classList.contains("spread")) near.push(gs[i].dataset.id + "/" + gs[j].dataset.id + " " + d.toFixed(0));
			if (d < 16) apart.push(gs[i].dataset.id + "/" + gs[j].dataset.id + " " + d.toFixed(0));
		}
		return {near, overlapping: apart};
	})()`
	waitFor(t, ctx, spread+`.near.length > 0`, 60*time.Second, "shuttles queued close together, spread on the map")
	got := eval[map[string][]string](t, ctx, spread)
	t.Logf("spread pairs (distance drawn, px): %v", got["near"])
	require.Empty(t, got["overlapping"], "shuttle markers drawn over each other")
	t.Logf("a shuttle stuck at the gate shown with its reason %v after the moves were made", time.Since(began).Round(time.Second))
	eval[bool](t, ctx, `(() => { document.querySelectorAll("#toasts .toast").forEach(t => t.remove()); return true })()`)
	eval[bool](t, ctx, `(() => { const r = document.querySelector('#stuck tbody tr[data-kind="release"]'); r.focus(); r.click(); return true })()`)
	waitFor(t, ctx, `!document.querySelector("#selected").hidden`, 3*time.Second, "the stuck shuttle selected from its row")
	t.Logf("screenshot: %s", shot(t, ctx, "dashboard-stuck.png"))
}

// apiPost posts a JSON body to the API as an operator's new request.
func apiPost(t *testing.T, u, token, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("browser-test-%d", time.Now().UnixNano()))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	require.Less(t, res.StatusCode, 300, "POST %s: %s", u, b)
}

// viewerPage signs a wallboard (role viewer) in, in a second tab: it sees
// the moves and shuttles, never the container number, no cell reads
// "undefined", and the container columns are hidden.
func viewerPage(t *testing.T, ctx context.Context, base, container string) {
	t.Helper()
	vctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	require.NoError(t, chromedp.Do(vctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", viewerToken),
		chromedp.Click(`#login button[type="submit"]`),
		chromedp.WaitVisible("#app"),
	), "sign in as a viewer")
	require.Equal(t, "viewer", eval[string](t, vctx, `document.querySelector("#role").textContent`))
	eval[bool](t, vctx, `(() => { const f = document.querySelector("#moves-filter"); f.value = "all"; f.dispatchEvent(new Event("change")); return true })()`)
	waitFor(t, vctx, `!!document.querySelector('#moves tr[data-state="delivered"]')`, 20*time.Second, "the delivered move in a viewer's moves table")
	waitFor(t, vctx, `document.querySelectorAll("#shuttles tbody tr").length === 6`, 20*time.Second, "six shuttles in a viewer's table")
	require.False(t, eval[bool](t, vctx, `document.body.textContent.includes("`+container+`")`), "a viewer's page names no container")
	require.False(t, eval[bool](t, vctx, `document.querySelector("#app").textContent.includes("undefined")`), "no cell reads undefined")
	waitFor(t, vctx, `[...document.querySelectorAll("#shuttles tbody td.since")].every(td => /^\d+ (s|min)$|^\d+ h \d\d$/.test(td.textContent))`, 5*time.Second,
		"how long each shuttle has done what it does, for a viewer too")
	require.False(t, eval[bool](t, vctx, `!!document.querySelector("#moves tr[data-container]")`))
	for _, col := range []string{"#moves th:nth-child(2)", "#shuttles th:nth-child(6)", "#moves th.customs"} {
		require.Equal(t, "none", eval[string](t, vctx, `getComputedStyle(document.querySelector("`+col+`")).display`), "%s hidden for a viewer", col)
	}
	t.Logf("screenshot: %s", shot(t, vctx, "dashboard-viewer.png"))
}

// operatorVerbs stops a shuttle from its row of the shuttles table and
// releases it, and closes a lane and a link (its id holds a '#') with the
// lanes panel and reopens them, checking the page and the API agree.
func operatorVerbs(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	began := time.Now()
	state := func(id string) string { // the shuttle's state as the API has it
		var sh struct{ State string }
		apiGet(t, base+"/v1/shuttles/"+url.PathEscape(id), token, &sh)
		return sh.State
	}
	click := func(scope, verb string) {
		t.Helper()
		js := fmt.Sprintf(`(() => { const b = %s.querySelector('button[data-verb=%q]'); if (!b || b.hidden) return false; b.click(); return true })()`, scope, verb)
		require.True(t, eval[bool](t, ctx, js), "no %s button shown in %s", verb, scope)
	}
	pick := `(() => {
		for (const tr of document.querySelectorAll("#shuttles tbody tr"))
			if (tr.dataset.state === "idle" && !tr.querySelector('button[data-verb="emergency-stop"]').hidden) return tr.dataset.key;
		return "" })()`
	waitFor(t, ctx, `!!`+pick, 10*time.Second, "an idle shuttle with a stop button")
	id := eval[string](t, ctx, pick)
	row := fmt.Sprintf(`document.querySelector('#shuttles tr[data-key=%q]')`, id)
	shows := func(verb string) string {
		return row + `.querySelector('button[data-verb="` + verb + `"]').hidden === false`
	}
	click(row, "emergency-stop")
	waitFor(t, ctx, row+`.dataset.state === "emergency_stop" && `+row+`.querySelector(".badge").textContent === "emergency stop" && `+
		shows("emergency-release")+` && !(`+shows("emergency-stop")+`) && !(`+shows("charge")+`)`, 5*time.Second, id+" shown stopped, with release and no charge")
	require.Equal(t, "emergency_stop", state(id), "the API's state of %s after stop", id)
	click(row, "emergency-release")
	waitFor(t, ctx, row+`.dataset.state === "idle" && `+shows("emergency-stop")+` && !(`+shows("emergency-release")+`)`, 5*time.Second, id+" shown released")
	require.Equal(t, "idle", state(id), "the API's state of %s after release", id)

	closed := func() []string {
		var l struct{ Closed []string }
		apiGet(t, base+"/v1/lanes", token, &l)
		return l.Closed
	}
	closeLane := func(lane string) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, chromedp.SetValue("#lane-id", lane), chromedp.Click("#lane-submit")))
	}
	closeLane("no-such-lane")
	waitFor(t, ctx, `!document.querySelector("#lane-error").hidden && document.querySelector("#lane-id").classList.contains("bad")`,
		5*time.Second, "the unknown lane's error shown in the lanes form")
	lerr := eval[string](t, ctx, `document.querySelector("#lane-error").textContent`)
	require.Contains(t, lerr, "HTTP 404")
	require.Contains(t, lerr, "[id]")
	const lane, link = "crossover-e340", "kz-yard-cut#1"
	listed := `[...document.querySelectorAll("#lanes tbody tr")].map(tr => tr.dataset.key).join(" ")`
	onMap := `[...document.querySelectorAll("#map path.closed-lane")].map(p => p.dataset.id).join(" ")`
	for _, l := range []string{lane, link} {
		closeLane(l)
		waitFor(t, ctx, `(`+listed+`).split(" ").includes(`+strconv.Quote(l)+`)`, 5*time.Second, l+" listed as closed")
	}
	require.True(t, eval[bool](t, ctx, `document.querySelector("#lane-error").hidden`), "a lane error still shown")
	require.ElementsMatch(t, []string{lane, link}, closed(), "the API's closed lanes")
	require.Equal(t, lane+" "+link, eval[string](t, ctx, listed), "closed in the lanes panel")
	require.Equal(t, lane+" "+link, eval[string](t, ctx, onMap), "closed on the map")
	for _, l := range []string{lane, link} {
		click(fmt.Sprintf(`document.querySelector('#lanes tr[data-key=%q]')`, l), "reopen")
		waitFor(t, ctx, `!(`+listed+`).split(" ").includes(`+strconv.Quote(l)+`)`, 5*time.Second, l+" no longer listed")
	}
	require.Empty(t, closed(), "the API's closed lanes after reopening")
	require.Empty(t, eval[string](t, ctx, onMap), "closed lanes left on the map")
	toasts := eval[string](t, ctx, `[...document.querySelectorAll("#toasts .toast")].map(t => t.firstChild.textContent).join("; ")`)
	for _, want := range []string{id + " stopped", id + " released", lane + " closed", link + " reopened"} {
		require.Contains(t, toasts, want, "the toasts")
	}
	eval[bool](t, ctx, `(() => { document.querySelectorAll("#toasts .toast").forEach(t => t.remove()); return true })()`) // they would cover the form
	t.Logf("stopped and released %s, closed and reopened %s and %s from the page in %v", id, lane, link, time.Since(began).Round(time.Millisecond))
}

// apiGet reads an API resource as JSON into v.
func apiGet(t *testing.T, u, token string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "GET %s", u)
	require.NoError(t, json.NewDecoder(res.Body).Decode(v), "GET %s", u)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "%s", expr)
	return v
}

// waitFor polls a JavaScript condition in the page until it holds.
func waitFor(t *testing.T, ctx context.Context, cond string, within time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if eval[bool](t, ctx, cond) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// shot saves a screenshot of the page in the artifacts directory.
func shot(t *testing.T, ctx context.Context, name string) string {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return ""
	}
	path := filepath.Join(artifacts(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
	}
	return path
}
