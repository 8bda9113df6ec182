package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/api"
	"github.com/borderfleet/borderfleet/daemon/daemontest"
	"github.com/borderfleet/borderfleet/fleet"
	"github.com/borderfleet/borderfleet/geo"
)

// turnedSite is the default site turned by deg degrees counter-clockwise
// about its origin, in its local frame (geo.Frame): the same lanes,
// places and ids, its corridor deg degrees off east (the default's runs
// within 2 degrees of it).
func turnedSite(t *testing.T, deg float64) *geo.Site {
	t.Helper()
	def, err := geo.Default()
	require.NoError(t, err)
	fc, err := geojson.UnmarshalFeatureCollection(geo.DefaultGeoJSON())
	require.NoError(t, err)
	fr := def.Frame
	s, c := math.Sincos(deg * math.Pi / 180)
	turn := func(p orb.Point) orb.Point {
		l := fr.ToLocal(p)
		return fr.ToWGS84(orb.Point{l[0]*c - l[1]*s, l[0]*s + l[1]*c})
	}
	line := func(ls []orb.Point) {
		for i := range ls {
			ls[i] = turn(ls[i])
		}
	}
	for _, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.Point:
			f.Geometry = turn(g)
		case orb.LineString:
			line(g)
		case orb.Polygon:
			for _, r := range g {
				line(r)
			}
		default:
			t.Fatalf("turnedSite: a %s in the default site", g.GeoJSONType())
		}
	}
	b, err := json.Marshal(fc)
	require.NoError(t, err)
	site, err := geo.Load(b)
	require.NoError(t, err, "the turned site")
	return site
}

// serveFake serves the dashboard and the API over a fake daemon on site
// (daemontest.Fleet: the real Controller and vehicles Master, no MQTT, no
// vehicles driving of their own accord, the core's clock moving only
// when the test drives). It returns the fleet and the listener's URL.
func serveFake(t *testing.T, site *geo.Site, token string) (*daemontest.Fleet, string) {
	t.Helper()
	f, g := daemontest.NewFleet(t, site)
	srv, err := api.New(api.Config{Fleet: f, Site: site, Graph: g, SnapshotEvery: 200 * time.Millisecond,
		Tokens: []api.Token{{Token: token, Name: "test-admin", Role: api.RoleAdmin}}})
	require.NoError(t, err)
	return f, serveDashboard(t, srv, nil)
}

// mapFit is how the map shows the site, measured on the screen: the
// panel's size, the box the drawn lanes fill in it (sampled along each
// lane every 25 m, in the panel's pixels), the angle of the line from
// the first logistics centre to the second (degrees counter-clockwise
// from the screen's x axis, -90 to 90: 0 is along the panel's width),
// and the turn the view says it applied (the map's data-rot).
type mapFit struct {
	W, H                   float64
	MinX, MaxX, MinY, MaxY float64
	Centres                float64
	Rot                    float64
}

// measureMap measures the map as mapFit says.
func measureMap(t *testing.T, ctx context.Context) mapFit {
	t.Helper()
	m := eval[map[string]float64](t, ctx, `(() => {
		const svg = document.querySelector("#map"), m = svg.getBoundingClientRect();
		const onScreen = (el, every) => {
			const ctm = el.getScreenCTM(), n = el.getTotalLength(), k = Math.max(1, Math.ceil(n / every)), out = [];
			for (let i = 0; i <= k; i++) {
				const q = DOMPoint.fromPoint(el.getPointAtLength((n * i) / k)).matrixTransform(ctm);
				out.push([q.x - m.left, q.y - m.top]);
			}
			return out;
		};
		const pts = [...svg.querySelectorAll(".lanes path.lane")].flatMap((p) => onScreen(p, 25));
		const mid = (el) => {
			const ps = onScreen(el, 5);
			return [ps.reduce((a, p) => a + p[0], 0) / ps.length, ps.reduce((a, p) => a + p[1], 0) / ps.length];
		};
		const [a, b] = [...svg.querySelectorAll("path.centre")].map(mid);
		let deg = (Math.atan2(a[1] - b[1], b[0] - a[0]) * 180) / Math.PI;
		if (deg > 90) deg -= 180;
		if (deg <= -90) deg += 180;
		return {
			W: m.width, H: m.height, Centres: deg, Rot: Number(svg.dataset.rot),
			MinX: Math.min(...pts.map((p) => p[0])), MaxX: Math.max(...pts.map((p) => p[0])),
			MinY: Math.min(...pts.map((p) => p[1])), MaxY: Math.max(...pts.map((p) => p[1])),
		};
	})()`)
	f := mapFit{W: m["W"], H: m["H"], MinX: m["MinX"], MaxX: m["MaxX"], MinY: m["MinY"], MaxY: m["MaxY"], Centres: m["Centres"], Rot: m["Rot"]}
	t.Logf("the map %.0fx%.0f px, its lanes from (%.0f, %.0f) to (%.0f, %.0f), centre to centre at %.1f degrees, turned %.0f degrees",
		f.W, f.H, f.MinX, f.MinY, f.MaxX, f.MaxY, f.Centres, f.Rot)
	return f
}

// inside: every lane is drawn whole inside the panel.
func (f mapFit) inside() bool {
	return f.MinX >= -1 && f.MinY >= -1 && f.MaxX <= f.W+1 && f.MaxY <= f.H+1
}

// fitted checks that the corridor runs along the panel's long side
// (within 3 degrees) and its lanes span at least 85 % of it, drawn whole,
// in a panel as tall as they want (sized). The bound: fit leaves 70 px
// of the long side to the markers and labels at the ends (35 px each
// side), so lanes that set the scale span (W-70)/W of a panel W px wide:
// 0.94 at the 1100 px the tests' window gives the panel, 0.91 at 800 px;
// places beyond the lanes' ends may take a little more. A corridor left
// turned 45 degrees spans at most the panel's short side (under 0.6 of
// the width there).
func (f mapFit) fitted(t *testing.T, what string) {
	t.Helper()
	long, span, along := f.W, f.MaxX-f.MinX, 0.0
	if f.H > f.W {
		long, span, along = f.H, f.MaxY-f.MinY, 90
	}
	off := math.Abs(f.Centres - along)
	off = math.Min(off, 180-off)
	assert.LessOrEqual(t, off, 3.0, "%s: the corridor (centre to centre) %.1f degrees off the panel's long side", what, off)
	assert.GreaterOrEqual(t, span/long, 0.85, "%s: the lanes span %.0f of the panel's long side, %.0f px", what, span, long)
	f.sized(t, what)
}

// sized checks that the lanes are drawn whole and fill the panel along
// the side that sets the scale (80 % of it at least: fit leaves 110 px of
// the short side to the territories' names above and the labels, so a
// panel the lanes fill in height spans (H-110)/H of it, 0.86 at the
// tallest, 760 px), and that the panel is as tall as the lanes want at
// its width (their height scaled to the width, and those 110 px), within
// 300 to 760 px, to 5 %.
func (f mapFit) sized(t *testing.T, what string) {
	t.Helper()
	w, h := f.MaxX-f.MinX, f.MaxY-f.MinY
	assert.True(t, f.inside(), "%s: lanes drawn outside the panel: %+v", what, f)
	assert.GreaterOrEqual(t, math.Max(w/f.W, h/f.H), 0.8, "%s: the lanes (%.0fx%.0f px) fill the panel (%.0fx%.0f px) on neither side", what, w, h, f.W, f.H)
	want := math.Min(math.Max(f.W*h/math.Max(w, 1)+110, 300), 760)
	assert.InEpsilon(t, want, f.H, 0.05, "%s: the panel's height, for lanes %.0fx%.0f px at its width", what, w, h)
}

// TestBrowserTurnedSite drives the dashboard in headless Chromium over the
// default site turned 45 degrees (its corridor runs south-west to
// north-east) and a fake daemon (real Controller, no vehicles driving):
// the map turns the corridor along the panel's long side and fills it,
// north up undoes the turn and shows the corridor at its true bearing,
// and a shuttle waiting for a charger past the stuck threshold is listed
// in the stuck panel with its reason, its station and how long.
func TestBrowserTurnedSite(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser tests run in scripts/test.sh's browser step; not with -short")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium found (/usr/bin/chromium; scripts/test.sh installs Debian's chromium): the browser test is skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const token = "dashboard-test-admin-token-0002"
	const turn = 45.0
	f, base := serveFake(t, turnedSite(t, turn), token)
	chargerWait(t, f)

	bctx := startBrowser(t, ctx, bin)
	defer func() {
		if t.Failed() {
			shot(t, bctx, "dashboard-turned-failed.png")
		}
	}()
	signIn(t, bctx, base, token)
	waitFor(t, bctx, `document.querySelectorAll("#map path.lane").length > 10 && document.querySelector("#map").dataset.rot !== undefined`,
		20*time.Second, "the site's lanes drawn and fitted")

	fit := measureMap(t, bctx)
	fit.fitted(t, "turned to the panel")
	assert.InDelta(t, -turn, fit.Rot, 3, "the view turns the site back by its corridor's bearing")
	t.Logf("screenshot: %s", shot(t, bctx, "dashboard-turned.png"))

	northUp := func(on bool) mapFit {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, chromedp.Click("#north-up")))
		waitFor(t, bctx, fmt.Sprintf(`document.querySelector("#north-up").getAttribute("aria-pressed") === "%t"`, on), 3*time.Second, "north up pressed")
		return measureMap(t, bctx)
	}
	up := northUp(true)
	assert.Zero(t, up.Rot, "north up: no turn")
	assert.InDelta(t, turn, up.Centres, 3, "north up: the corridor at its bearing on the screen")
	up.sized(t, "north up")
	t.Logf("screenshot: %s", shot(t, bctx, "dashboard-turned-north-up.png"))
	northUp(false).fitted(t, "turned again")

	stuckCharger(t, bctx)
}

// chargerWait makes s2 wait for a charger behind s1 at kz-charging, as
// api's TestShuttleWaitsForACharger does, for 7 minutes of the core's
// clock.
func chargerWait(t *testing.T, f *daemontest.Fleet) {
	t.Helper()
	f.Join("s1", "kz-park-01")
	f.Join("s2", "kz-park-02")
	f.Send(fleet.ChargeRequested{Shuttle: "s1"})
	for at := ""; at != "kz-charging-lane@0"; {
		at = f.Step("s1")
		require.NotEmpty(t, at, "s1 granted nothing further before the charging lane")
	}
	f.Send(fleet.ChargeRequested{Shuttle: "s2"})
	for f.Step("s2") != "" {
	}
	f.Wait(7 * time.Minute)
}

// stuckCharger: s2, waiting for a charger for 7 minutes, is not stuck
// with the threshold at 10 minutes and is at 5: listed in the stuck
// panel waiting for a charger at kz-charging, for 7 min, its row in the
// shuttles table marked.
func stuckCharger(t *testing.T, ctx context.Context) {
	t.Helper()
	threshold := func(min int) {
		eval[bool](t, ctx, fmt.Sprintf(`(() => { const i = document.querySelector("#stuck-min"); i.value = "%d"; i.dispatchEvent(new Event("change")); return true })()`, min))
	}
	row := `document.querySelector('#stuck tbody tr[data-shuttle="s2"]')`
	waitFor(t, ctx, `(document.querySelector('#shuttles tr[data-key="s2"]') || {dataset: {}}).dataset.state === "to_charger"`, 10*time.Second, "s2 in the shuttles table")
	threshold(10)
	waitFor(t, ctx, `document.querySelector("#stuck-count").textContent === "0"`, 3*time.Second, "nothing stuck under 10 minutes")
	threshold(5)
	waitFor(t, ctx, `!!`+row, 3*time.Second, "s2 listed as stuck past 5 minutes")
	assert.Equal(t, "charger", eval[string](t, ctx, row+`.dataset.kind`), "the stuck row's kind")
	assert.Equal(t, "waiting for a charger at kz-charging", eval[string](t, ctx, row+`.children[1].textContent`), "the stuck reason")
	assert.Equal(t, "7 min", eval[string](t, ctx, row+`.children[2].textContent`), "how long, on the core's clock")
	assert.Equal(t, "charger", eval[string](t, ctx, `document.querySelector('#shuttles tr[data-key="s2"]').dataset.stuck`), "s2's row in the shuttles table marked stuck")
	t.Logf("screenshot: %s", shot(t, ctx, "dashboard-turned-stuck.png"))
}
