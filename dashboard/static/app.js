// app.js: the dashboard page: sign-in, the live stream, tables and actions.
import { ApiError, Client, newKey } from "./api.js";
import { LADEN, SiteMap, countryClass, countryOf, shortID } from "./map.js";
import { exampleContainer } from "./iso6346.js";
import { LanesPanel } from "./lanes.js";
import { $, actionButton, badge, cells, errText, fmtClock, setText, syncRows, toast } from "./ui.js";
import { CoreClock, clearanceCell, fmtWait, tickWaits } from "./customs.js";
import { Stuck, reasonCell } from "./stuck.js";
import { drawLegend } from "./legend.js";

const TOKEN_KEY = "borderfleet.token";

const OPEN = new Set(["pending", "assigned", "to_pickup", "loading", "laden_transit", "at_gate", "in_inspection", "to_dropoff", "unloading", "returning"]);
const GATE = new Set(["at_gate", "in_inspection"]);
const BAD = new Set(["refused_returned", "cancelled", "failed", "returning"]);
const FINAL = new Set(["delivered", "refused_returned", "cancelled", "failed"]);
const CANCELLABLE = new Set(["pending", "assigned", "to_pickup"]); // before the pick

// shuttle states by what an operator may do then (fleet's transition table)
const PAUSABLE = new Set(["idle", "to_pickup", "laden_transit", "to_dropoff", "to_charger", "to_parking"]);
const FREE = new Set(["idle", "to_parking"]); // may be sent to charge or to park
const TAKE_OUT = new Set(["idle", "to_pickup", "to_charger", "to_parking", "fault"]);

// SHUTTLE_ACTS are the operator's shuttle verbs (POST
// /v1/shuttles/{id}/{verb}), each shown only in the states it can work in,
// so no button leads nowhere.
const SHUTTLE_ACTS = [
  { verb: "pause", text: "pause", done: "paused", show: (s) => PAUSABLE.has(s.state) },
  { verb: "resume", text: "resume", done: "resumed", show: (s) => s.state === "paused" },
  { verb: "clear-fault", text: "clear fault", done: "fault cleared", show: (s) => s.state === "fault" },
  { verb: "charge", text: "charge", done: "sent to charge", show: (s) => !s.move && FREE.has(s.state) },
  { verb: "park", text: "park", done: "sent to park", show: (s) => !s.move && (FREE.has(s.state) || s.state === "to_charger") },
  { verb: "out-of-service", text: "out of service", cls: "warn", done: "out of service", show: (s) => TAKE_OUT.has(s.state) },
  { verb: "in-service", text: "in service", cls: "ok", done: "back in service", show: (s) => s.state === "out_of_service" },
  { verb: "emergency-stop", text: "stop", cls: "danger", done: "stopped", show: (s) => !!s.state && s.state !== "offline" && s.state !== "emergency_stop" },
  { verb: "emergency-release", text: "release", cls: "ok", done: "released", show: (s) => s.state === "emergency_stop" },
];

// state is everything the page knows; one place, rendered from.
const state = {
  client: null,
  role: null, // {label, reads, operates, customs}
  moves: new Map(), // id -> move
  snap: null,
  lastEventId: "", // the last snapshot's or delta's id: a reconnect goes on from it
  lastSnapAt: 0,
  gates: [],
  bays: [],
  laneIds: [], // the site's lanes, then its links ("lane#n")
  selected: "",
  abort: null,
  timers: [],
};

// clock is the fleet core's clock as last read (a snapshot's or a customs
// answer's "at"), for the waiting times.
const clock = new CoreClock();

// stuck says what waits longer than the operator's threshold, and why.
const stuck = new Stuck();

// opener is the element that selected the shown shuttle (a row, a
// marker), given the focus back when the selection box closes.
let opener = null;

let map = null;
let lanes = null;

// ---- sign-in and role ---------------------------------------------------------

async function signIn(token) {
  const c = new Client(token);
  const st = await c.status("GET", "/v1/openapi.json");
  if (st === 401) throw new ApiError(401, "fleetd does not know this token");
  if (st !== 200) throw new ApiError(st, "fleetd did not accept the sign-in");
  // what the role may do, from what the API answers (nothing changes:
  // a POST without an Idempotency-Key is refused before it is read)
  const [reads, customs, postMove] = await Promise.all([
    c.status("GET", "/v1/moves?limit=1"),
    c.status("GET", "/v1/customs/queue"),
    c.status("POST", "/v1/moves", ""),
  ]);
  const role = { reads: reads === 200, customs: customs === 200, operates: postMove !== 403 && postMove !== 401 };
  role.label = role.reads && role.customs ? "admin" : role.customs ? "customs" : role.operates ? "operator" : "viewer";
  state.client = c;
  state.role = role;
  sessionStorage.setItem(TOKEN_KEY, token);
  return role;
}

// seesCustoms: operators and admins see every country's clearances,
// an officer its own country's (the API filters them); a viewer none.
function seesCustoms() {
  return !!(state.role && (state.role.operates || state.role.customs));
}

// redacted: a viewer's token (a wallboard's): the API gives it moves and
// shuttles without container numbers or customs records, so the columns
// it cannot fill are hidden (body.redacted in style.css).
function redacted() {
  return !!(state.role && state.role.reads && !state.role.operates && !state.role.customs);
}

// officerOnly: a customs officer's token, which reads no moves and no
// stream: its moves table comes from GET /v1/customs/clearances.
function officerOnly() {
  return !!(state.role && state.role.customs && !state.role.reads);
}

function signOut(msg) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.abort) state.abort.abort();
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
  state.client = null;
  state.role = null;
  state.moves.clear();
  state.snap = null;
  state.lastEventId = "";
  clock.reset();
  $("#app").hidden = true;
  $("#welcome").hidden = false;
  $("#login").hidden = false;
  $("#who").hidden = true;
  $("#token").value = "";
  setLive("off", "offline");
  const le = $("#login-error");
  le.hidden = !msg;
  le.textContent = msg || "";
}

async function start(token) {
  let role;
  try {
    role = await signIn(token);
  } catch (e) {
    signOut(`Sign-in failed: ${errText(e)}`);
    return;
  }
  $("#welcome").hidden = true;
  $("#login").hidden = true;
  $("#who").hidden = false;
  $("#role").textContent = role.label;
  $("#role").className = `role r-${role.label}`;
  $("#app").hidden = false;
  $("#newmove-panel").hidden = !role.operates;
  $("#shuttles-panel").hidden = !role.reads;
  $("#moves-panel").hidden = !role.reads && !role.customs;
  $("#chargers-panel").hidden = !role.reads;
  $("#lanes-panel").hidden = !role.reads;
  $("#map-panel").hidden = false; // every role may see the site
  $("#map-note").hidden = role.reads;
  $("#legend").hidden = !role.reads; // the shuttles' colours
  $("#map-note").textContent = role.reads ? "" : "This role sees the site; shuttles and closed lanes are shown to viewers, operators and admins.";
  document.body.classList.toggle("can-operate", role.operates);
  document.body.classList.toggle("can-decide", role.customs);
  document.body.classList.toggle("sees-customs", seesCustoms());
  document.body.classList.toggle("officer", officerOnly());
  document.body.classList.toggle("redacted", redacted());
  $("#stuck-panel").hidden = !role.reads;
  $("#stuck-min").value = String(stuck.minutes);
  state.timers.push(setInterval(tick, 1000));
  if (!map) {
    map = new SiteMap($("#map"), { onSelect: selectShuttle, tip: $("#tip") });
    map.stuckOf = (sh) => stuck.shuttle(sh, clock.now());
    map.bindTips($(".map-wrap"));
    $("#zoom-in").addEventListener("click", () => map.zoom(1.5));
    $("#zoom-out").addEventListener("click", () => map.zoom(1 / 1.5));
    $("#zoom-fit").addEventListener("click", () => map.fit());
    $("#north-up").addEventListener("click", () => {
      map.northUp = !map.northUp;
      $("#north-up").setAttribute("aria-pressed", String(map.northUp));
      sizeMap();
      map.fit();
    });
  }
  await loadSite();
  if (role.reads) {
    if (!lanes) lanes = new LanesPanel($("#lanes-panel"), map);
    lanes.client = state.client;
    lanes.setChoices(state.laneIds);
    lanes.refresh();
    state.timers.push(setInterval(() => lanes.refresh(), 5000));
    await refreshMoves();
    follow();
    state.timers.push(setInterval(refreshMoves, 15000));
    refreshChargers();
    state.timers.push(setInterval(refreshChargers, 5000));
    state.timers.push(setInterval(checkStale, 1000));
  } else {
    setLive("on", "polling");
  }
  if (role.customs && !role.reads) {
    refreshQueue();
    refreshClearances();
    state.timers.push(setInterval(refreshQueue, 2000));
    state.timers.push(setInterval(refreshClearances, 2000));
  }
}

// ---- site and stream ------------------------------------------------------------

async function loadSite() {
  try {
    const fc = await state.client.get("/v1/site");
    map.load(fc);
    sizeMap();
    map.fit();
    $("#site-name").textContent = map.name;
    const ids = (k) => fc.features.filter((f) => f.properties.kind === k).map((f) => String(f.properties.id));
    const byNum = (a, b) => a.localeCompare(b, undefined, { numeric: true });
    state.laneIds = [...ids("lane").sort(byNum), ...ids("graph_link").sort(byNum)];
    state.bays = fc.features
      .filter((f) => f.properties.kind === "bay" && f.properties.centre)
      .map((f) => ({ id: f.properties.id, centre: f.properties.centre }))
      .sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
    const centres = new Map(
      fc.features.filter((f) => f.properties.kind === "centre").map((f) => [f.properties.id, f.properties.name || f.properties.id]),
    );
    fillBays($("#f-origin"), centres, "");
    fillBays($("#f-destination"), centres, "");
    pickDestination();
    drawLegend($("#legend"), state.role.reads);
  } catch (e) {
    toast(`The site could not be loaded: ${errText(e)}`);
  }
}

function fillBays(sel, centres, keep) {
  sel.innerHTML = "";
  const groups = new Map();
  for (const b of state.bays) {
    if (!groups.has(b.centre)) {
      const og = document.createElement("optgroup");
      og.label = centres.get(b.centre) || b.centre;
      groups.set(b.centre, og);
      sel.appendChild(og);
    }
    const o = document.createElement("option");
    o.value = b.id;
    o.textContent = b.id;
    groups.get(b.centre).appendChild(o);
  }
  if (keep) sel.value = keep;
}

// pickDestination offers a bay of the other centre.
function pickDestination() {
  const from = state.bays.find((b) => b.id === $("#f-origin").value);
  const to = state.bays.find((b) => b.id === $("#f-destination").value);
  if (from && (!to || to.centre === from.centre)) {
    const other = state.bays.filter((b) => b.centre !== from.centre);
    if (other.length) $("#f-destination").value = other[Math.floor(Math.random() * other.length)].id;
  }
}

// sizeMap gives the map the height the site wants at the panel's width
// (a long thin corridor a low panel), within limits.
function sizeMap() {
  const wrap = $(".map-wrap");
  const w = wrap.getBoundingClientRect().width || 800;
  const h = Math.round(Math.min(Math.max(w / Math.max(map.aspect(), 0.5) + 110, 300), 760));
  wrap.style.height = `${h}px`;
}

// tick runs every second: waiting times, and what is stuck, move with
// the core's clock.
function tick() {
  tickWaits($("#app"), clock, stuck.ms);
  if (state.role && state.role.reads && state.snap) {
    renderShuttles(state.snap.shuttles || []);
    renderMoves();
    map.markStuck();
    renderStuck();
  }
}

// follow reads the event stream, reconnecting while signed in.
async function follow() {
  const ctl = new AbortController();
  state.abort = ctl;
  let wait = 1000;
  while (!ctl.signal.aborted && state.client) {
    setLive("wait", "connecting");
    try {
      if (!state.snap) state.lastEventId = ""; // nothing to apply a delta to
      await state.client.stream("/v1/events", onEvent, ctl.signal, state.lastEventId);
      wait = 1000;
    } catch (e) {
      if (e.status === 401) {
        signOut("fleetd no longer accepts this token.");
        return;
      }
      if (e.status === 403) {
        setLive("off", "no stream for this role");
        return;
      }
      setLive("off", "reconnecting");
      if (e.status !== 0) toast(`Event stream: ${errText(e)}`);
    }
    if (ctl.signal.aborted) return;
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 10000);
  }
}

function onEvent(name, data, id) {
  if (name === "move") {
    state.moves.set(data.id, data);
    renderMoves();
    return;
  }
  if (name === "delta") {
    if (!state.snap) return; // a delta to nothing: the next reconnect asks afresh
    data = { ...data, shuttles: mergeShuttles(state.snap.shuttles || [], data.shuttles || []) };
  } else if (name !== "snapshot") return;
  if (id) state.lastEventId = id;
  state.snap = data;
  state.lastSnapAt = Date.now();
  clock.set(data.at);
  state.gates = data.gates || [];
  state.gateCounts = data.gate_counts || {};
  setLive(data.active ? "on" : "standby", data.active ? "live" : "standby");
  $("#clock").textContent = fmtClock(data.at);
  renderCounts(data.moves || {});
  map.update(data.shuttles || [], state.moves);
  renderShuttles(data.shuttles || []);
  renderGates();
  renderSelected();
  renderStuck();
}

// mergeShuttles is the shuttles of the last snapshot with those a delta
// says changed put in their place (in id order, as fleetd sends them).
function mergeShuttles(old, changed) {
  if (changed.length === 0) return old;
  const byId = new Map(changed.map((s) => [s.id, s]));
  const out = old.map((s) => {
    const c = byId.get(s.id);
    byId.delete(s.id);
    return c || s;
  });
  for (const s of byId.values()) out.push(s);
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

function checkStale() {
  if (state.lastSnapAt && Date.now() - state.lastSnapAt > 4000 && $("#live").classList.contains("on")) {
    setLive("wait", "stale");
  }
}

function setLive(kind, text) {
  const l = $("#live");
  l.className = `live ${kind}`;
  l.textContent = text;
}

async function refreshMoves() {
  try {
    const r = await state.client.get(`/v1/moves?limit=200${seesCustoms() ? "&clearances=true" : ""}`);
    for (const m of r.moves || []) {
      const old = state.moves.get(m.id);
      state.moves.set(m.id, old && old.history && !m.history ? { ...old, ...m } : m);
    }
    renderMoves();
  } catch (e) {
    if (e.status === 401) signOut("fleetd no longer accepts this token.");
  }
}

async function refreshChargers() {
  try {
    const r = await state.client.get("/v1/chargers");
    renderChargers(r.stations || []);
  } catch {
    /* shown by the stream's status */
  }
}

async function refreshQueue() {
  try {
    const r = await state.client.get("/v1/customs/queue");
    clock.set(r.at);
    state.gates = Array.isArray(r) ? r : r.queue || r.gates || [];
    setLive("on", "polling");
    renderGates();
  } catch (e) {
    setLive("off", "fleetd unreachable");
    if (e.status === 401) signOut("fleetd no longer accepts this token.");
  }
}

// refreshClearances is an officer's moves table: the open moves at the
// officer's country's checkpoints, one row per move with its records
// there (the API shows an officer nothing of the other country's).
async function refreshClearances() {
  try {
    const r = await state.client.get("/v1/customs/clearances");
    clock.set(r.at);
    const moves = new Map();
    for (const it of r.clearances || []) {
      const { move, container, move_state: st, ...c } = it;
      if (!moves.has(move)) moves.set(move, { id: move, container, state: st, clearances: [] });
      moves.get(move).clearances.push(c);
    }
    state.moves.clear();
    for (const [id, m] of moves) state.moves.set(id, m);
    renderMoves();
  } catch (e) {
    if (e.status === 401) signOut("fleetd no longer accepts this token.");
  }
}

// ---- rendering ---------------------------------------------------------------------

function renderCounts(byState) {
  const sum = (set) => Object.entries(byState).reduce((n, [k, v]) => n + (set.has(k) ? v : 0), 0);
  const chips = [
    ["pending", byState.pending || 0, "waiting for a shuttle"],
    ["open", sum(OPEN) - (byState.pending || 0), "assigned and under way"],
    ["gate", sum(GATE), "at a gate or in inspection"],
    ["delivered", byState.delivered || 0, "delivered"],
    ["bad", sum(new Set(["refused_returned", "cancelled", "failed"])), "refused, cancelled or failed"],
  ];
  const el = $("#counts");
  if (!el.children.length) {
    for (const [k, , title] of chips) {
      const c = document.createElement("span");
      c.className = `chip k-${k}`;
      c.title = title;
      c.innerHTML = `<b></b><small>${k}</small>`;
      el.appendChild(c);
    }
  }
  chips.forEach(([, n], i) => (el.children[i].firstChild.textContent = String(n)));
}

// containerOf is the container a shuttle carries, "" if none or if the
// role sees no container numbers.
function containerOf(sh) {
  const mv = sh.move ? state.moves.get(sh.move) : null;
  return (mv && LADEN.has(mv.state) && mv.container) || "";
}

function renderShuttles(list) {
  const sorted = [...list].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
  $("#shuttles-count").textContent = String(list.length);
  syncRows(
    $("#shuttles tbody"),
    sorted,
    (s) => s.id,
    (tr, s) => {
      cells(tr, 9);
      selectable(tr, () => selectShuttle(s.id, tr));
      tr.children[2].innerHTML = `<span class="act-name"></span><span class="act-detail"></span>`;
      tr.children[3].innerHTML = `<span class="wait"></span>`;
      tr.children[3].className = "num since";
      const act = tr.children[8];
      act.className = "act";
      shuttleButtons(act, s.id);
    },
    (tr, s) => {
      const c = tr.children;
      const why = stuck.shuttle(s, clock.now());
      setText(c[0], s.id, "mono");
      badge(c[1], s.state);
      setText(c[2].firstChild, s.activity || "");
      setText(c[2].lastChild, s.activity_detail || "");
      c[2].title = s.activity_detail || "";
      since(c[3].firstChild, s.activity_since, "doing this since");
      socCell(c[4], s.soc);
      setText(c[5], containerOf(s), "mono");
      setText(c[6], s.move || "", "mono dim");
      setText(c[7], s.last_node || "", "mono dim");
      tr.dataset.state = s.state || "";
      tr.classList.toggle("sel", s.id === state.selected);
      tr.classList.toggle("stuck", !!why);
      tr.dataset.stuck = why ? why.kind : "";
      tr.title = why ? `stuck: ${why.text}${why.detail ? ` (${why.detail})` : ""} for ${why.for}` : "";
      showShuttleButtons(c[8], s);
    },
  );
  tickWaits($("#shuttles"), clock, stuck.ms);
}

// selectable makes a table row reachable with Tab and chosen with a
// click, Enter or Space (not when a button or a field in it is used).
function selectable(tr, choose) {
  tr.tabIndex = 0;
  tr.addEventListener("click", (e) => {
    if (!e.target.closest("button, input, select")) choose();
  });
  tr.addEventListener("keydown", (e) => {
    if (e.target !== tr || (e.key !== "Enter" && e.key !== " ")) return;
    e.preventDefault();
    choose();
  });
}

// since shows in el how long since iso (a time of the core's clock),
// ticked by tickWaits; nothing when iso is absent.
function since(el, iso, title) {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) {
    delete el.dataset.since;
    el.textContent = "";
    el.title = "";
    return;
  }
  if (el.dataset.since !== String(t)) {
    el.dataset.since = String(t);
    el.dataset.noLong = ""; // the row shows stuck, with why, itself
    el.title = `${title} ${fmtClock(iso)}`;
  }
}

function socCell(td, soc) {
  const pct = Math.round((soc || 0) * 100);
  if (!td.firstChild) {
    td.className = "soc-cell";
    td.innerHTML = `<span class="meter"><span></span></span><span class="num"></span>`;
  }
  const bar = td.querySelector(".meter span");
  bar.style.width = `${pct}%`;
  bar.className = pct < 25 ? "low" : pct < 45 ? "mid" : "ok";
  td.querySelector(".num").textContent = `${pct} %`;
}

function movesFiltered() {
  const f = $("#moves-filter").value;
  const all = [...state.moves.values()].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  const ok = {
    all: () => true,
    open: (m) => OPEN.has(m.state),
    gate: (m) => GATE.has(m.state),
    done: (m) => m.state === "delivered",
    bad: (m) => BAD.has(m.state),
  }[f];
  return { list: all.filter(ok).slice(0, 200), total: all.length };
}

function renderMoves() {
  const { list, total } = movesFiltered();
  $("#moves-count").textContent = String(total);
  $("#moves-empty").hidden = list.length > 0;
  const now = state.snap ? Date.parse(state.snap.at) : Date.now();
  syncRows(
    $("#moves tbody"),
    list,
    (m) => m.id,
    (tr, m) => {
      cells(tr, 11);
      selectable(tr, () => selectMove(m.id, tr));
      tr.children[4].innerHTML = `<span class="wait"></span>`;
      tr.children[4].className = "num since";
      tr.children[5].className = "customs";
      priorityCell(tr.children[9], m.id);
      const act = tr.children[10];
      act.className = "act";
      const b = actionButton("cancel", () => cancelMove(m.id), "danger");
      b.dataset.verb = "cancel";
      act.appendChild(b);
    },
    (tr, m) => {
      const c = tr.children;
      tr.dataset.state = m.state;
      if (m.container) tr.dataset.container = m.container;
      setText(c[0], m.id, "mono dim");
      setText(c[1], m.container || "", "mono");
      setText(c[2], m.origin ? `${m.origin} → ${m.destination}` : "—", "mono");
      badge(c[3], m.state);
      since(c[4].firstChild, FINAL.has(m.state) ? "" : m.state_since, "in this state since");
      if (seesCustoms()) clearanceCell(c[5], m.clearances);
      setText(c[6], m.shuttle || "", "mono");
      setText(c[7], m.created ? fmtClock(m.created) : "", "dim");
      const end = m.state === "delivered" && m.history ? Date.parse(m.history[m.history.length - 1].at) : now;
      setText(c[8], m.created ? fmtDur(end - Date.parse(m.created)) : "", "num");
      showPriority(c[9], m);
      c[10].firstChild.hidden = !CANCELLABLE.has(m.state);
      const why = FINAL.has(m.state) ? null : stuck.move(m, shuttleOf(m.shuttle), clock.now());
      tr.classList.toggle("stuck", !!why);
      tr.dataset.stuck = why ? why.kind : "";
      tr.title = why ? `stuck: ${why.text}${why.detail ? ` (${why.detail})` : ""} for ${why.for}` : "";
    },
  );
  tickWaits($("#moves"), clock, stuck.ms);
}

// shuttleOf is a shuttle of the last snapshot, or undefined.
function shuttleOf(id) {
  return id && state.snap ? (state.snap.shuttles || []).find((s) => s.id === id) : undefined;
}

// renderStuck lists what waits longer than the threshold, longest first:
// each stuck shuttle (with its move), then each stuck move whose shuttle
// is not listed (one waiting for a shuttle, at a gate, in inspection).
function renderStuck() {
  const now = clock.now();
  const rows = [];
  const listed = new Set();
  for (const sh of (state.snap && state.snap.shuttles) || []) {
    const why = stuck.shuttle(sh, now);
    if (!why) continue;
    listed.add(sh.id);
    rows.push({ key: `s/${sh.id}`, shuttle: sh.id, move: sh.move || "", why });
  }
  for (const m of state.moves.values()) {
    if (FINAL.has(m.state) || (m.shuttle && listed.has(m.shuttle))) continue;
    const why = stuck.move(m, shuttleOf(m.shuttle), now);
    if (why) rows.push({ key: `m/${m.id}`, shuttle: m.shuttle || "", move: m.id, why });
  }
  rows.sort((a, b) => a.why.since - b.why.since);
  $("#stuck-count").textContent = String(rows.length);
  $("#stuck-empty").hidden = rows.length > 0;
  $("#stuck-panel").classList.toggle("none", rows.length === 0);
  syncRows(
    $("#stuck tbody"),
    rows,
    (r) => r.key,
    (tr, r) => {
      cells(tr, 3);
      tr.children[0].className = "mono";
      tr.children[2].className = "num since";
      tr.children[2].innerHTML = `<span class="wait"></span>`;
      selectable(tr, () => (r.shuttle ? selectShuttle(r.shuttle, tr, true) : selectMove(r.move, tr)));
    },
    (tr, r) => {
      const c = tr.children;
      tr.dataset.kind = r.why.kind;
      tr.dataset.shuttle = r.shuttle;
      tr.dataset.move = r.move;
      setText(c[0], [r.shuttle, r.move].filter(Boolean).join(" · "));
      reasonCell(c[1], r.why);
      const w = c[2].firstChild;
      w.dataset.since = String(r.why.since);
      w.dataset.noLong = "";
      w.textContent = r.why.for;
    },
  );
}

// priorityCell builds a move's priority cell: the number, or for an
// operator while the move is not over a field to change it (Enter or
// "set" sends it, Escape puts it back).
function priorityCell(td, id) {
  td.className = "num prio";
  const val = document.createElement("span");
  const input = document.createElement("input");
  input.type = "number";
  input.step = "1";
  input.min = "-1000";
  input.max = "1000";
  input.setAttribute("aria-label", `priority of move ${id}`);
  const set = actionButton("set", () => setPriority(id, input));
  set.dataset.verb = "priority";
  set.hidden = true;
  const current = () => String((state.moves.get(id) || {}).priority || 0);
  input.addEventListener("input", () => {
    input.dataset.edited = "1";
    input.classList.remove("bad");
    set.hidden = input.value === current();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !set.hidden) set.click();
    if (e.key === "Escape") {
      delete input.dataset.edited;
      input.classList.remove("bad");
      input.value = current();
      set.hidden = true;
    }
  });
  td.append(val, input, set);
}

function showPriority(td, m) {
  const [val, input, set] = td.children;
  const editable = !!(state.role && state.role.operates) && !FINAL.has(m.state);
  const prio = m.priority === undefined ? "" : String(m.priority);
  setText(val, prio);
  val.hidden = editable;
  input.hidden = !editable;
  if (document.activeElement !== input && (!input.dataset.edited || input.value === prio)) {
    delete input.dataset.edited;
    input.value = prio;
  }
  set.hidden = !editable || input.value === prio;
}

// byWait orders gate waits longest waiting first (an unknown arrival
// last), as the API sends them.
function byWait(a, b) {
  const x = a.since ? Date.parse(a.since) : Infinity;
  const y = b.since ? Date.parse(b.since) : Infinity;
  return x === y ? 0 : x < y ? -1 : 1;
}

function renderGates() {
  // a viewer's stream carries only how many wait at each checkpoint; only
  // customs (their own country's queue) and admins may decide, and only
  // where the API says a decision would be taken (can_decide)
  const counted = state.role && !state.role.customs && !state.role.operates;
  const gates = counted
    ? Object.entries(state.gateCounts || {}).map(([cp, n]) => ({ checkpoint: cp, count: n, move: "" }))
    : [...(state.gates || [])].sort(byWait);
  const decides = !!(state.role && state.role.customs);
  $("#gates-count").textContent = String(counted ? gates.reduce((n, g) => n + g.count, 0) : gates.length);
  $("#gates-empty").hidden = gates.length > 0;
  syncRows(
    $("#gates tbody"),
    gates,
    (g) => `${g.checkpoint}/${g.move}`,
    (tr, g) => {
      cells(tr, 3);
      tr.dataset.waitHost = "";
      tr.children[0].innerHTML = `<span class="cp mono"></span><br><span class="gate-st"></span> <span class="wait"></span>`;
      const act = tr.children[2];
      act.className = "act decide";
      const reason = document.createElement("input");
      reason.placeholder = "reason";
      reason.className = "reason";
      reason.maxLength = 500;
      act.appendChild(reason);
      const btns = document.createElement("span");
      btns.className = "btns";
      act.appendChild(btns);
      for (const [d, cls] of [
        ["release", "ok"],
        ["inspect", "warn"],
        ["refuse", "danger"],
      ]) {
        btns.appendChild(actionButton(d, () => decide(g, d, reason), cls));
      }
    },
    (tr, g) => {
      const c = tr.children;
      c[0].className = countryClass(g.country || countryOf(g.checkpoint));
      setText(c[0].querySelector(".cp"), g.checkpoint);
      const wait = c[0].querySelector(".wait");
      const since = g.since ? Date.parse(g.since) : NaN;
      if (Number.isNaN(since)) {
        delete wait.dataset.since;
        wait.textContent = "";
        tr.classList.remove("long");
      } else {
        wait.dataset.since = String(since);
        wait.title = `at the stop line since ${fmtClock(g.since)}`;
      }
      if (g.count !== undefined) {
        setText(c[0].querySelector(".gate-st"), "waiting", "gate-st waiting");
        setText(c[1], `${g.count} container${g.count === 1 ? "" : "s"}`, "num");
        c[1].title = "";
        c[2].hidden = true;
        return;
      }
      const st = g.decided ? "decided" : g.at_inspection_bay ? "inspecting" : g.inspection ? "to inspection" : "waiting";
      setText(c[0].querySelector(".gate-st"), st, `gate-st ${st.replace(/ /g, "-")}`);
      setText(c[1], g.shuttle ? `${g.container} · ${shortID(g.shuttle)}` : g.container, "mono");
      c[1].title = g.shuttle ? `${g.container} on ${g.shuttle}, move ${g.move}` : `move ${g.move}`;
      c[2].hidden = false;
      const offer = decides && !g.decided && g.can_decide === true;
      tr.dataset.canDecide = String(offer);
      for (const b of c[2].querySelectorAll("button")) b.hidden = !offer;
      c[2].querySelector("input").hidden = !offer;
    },
  );
  tickWaits($("#gates"), clock);
}

function renderChargers(stations) {
  syncRows(
    $("#chargers tbody"),
    stations,
    (s) => s.id,
    (tr) => cells(tr, 4),
    (tr, s) => {
      const c = tr.children;
      setText(c[0], s.name || s.id);
      c[0].title = s.id;
      setText(c[1], `${s.free} / ${s.chargers}`, `num ${s.free === 0 ? "full" : ""}`);
      setText(c[2], `${s.charger_power_kw} kW`, "num dim");
      setText(c[3], (s.charging || []).map(shortID).join(", ") || "—", "mono");
    },
  );
}

// ---- selection -------------------------------------------------------------------

// selectShuttle shows a shuttle in the selection box on the map, or
// closes it when it is the one shown (keep: show it all the same); from
// is the element that chose it, which gets the focus back on Escape.
function selectShuttle(id, from, keep) {
  state.selected = state.selected === id && !keep ? "" : id;
  opener = state.selected && from ? from : null;
  map.select(state.selected);
  for (const tr of $("#shuttles tbody").children) tr.classList.toggle("sel", tr.dataset.key === state.selected);
  renderSelected();
}

// selectMove shows a move's shuttle, if it has one; a move without one
// is shown in the moves table (all moves listed).
function selectMove(id, from) {
  const m = state.moves.get(id);
  if (m && m.shuttle) {
    selectShuttle(m.shuttle, from, true);
    return;
  }
  const row = () => document.querySelector(`#moves tr[data-key="${CSS.escape(id)}"]`);
  if (!row()) {
    $("#moves-filter").value = "all";
    renderMoves();
  }
  const tr = row();
  if (tr) {
    tr.scrollIntoView({ block: "nearest" });
    tr.focus();
  }
}

// closeSelected closes the selection box; the focus goes back to what
// opened it.
function closeSelected() {
  if (!state.selected) return false;
  const back = opener;
  selectShuttle(state.selected);
  if (back && back.isConnected) back.focus();
  return true;
}

function renderSelected() {
  const box = $("#selected");
  const sh = state.snap && (state.snap.shuttles || []).find((s) => s.id === state.selected);
  if (!sh) {
    box.hidden = true;
    return;
  }
  const mv = sh.move ? state.moves.get(sh.move) : null;
  if (box.dataset.id !== sh.id) {
    box.dataset.id = sh.id;
    box.innerHTML = "";
    const h = document.createElement("div");
    h.className = "sel-head";
    box.appendChild(h);
    const x = document.createElement("button");
    x.type = "button";
    x.className = "ghost small close";
    x.textContent = "×";
    x.title = "close (Escape)";
    x.setAttribute("aria-label", "close");
    x.addEventListener("click", closeSelected);
    box.appendChild(x);
    const body = document.createElement("div");
    body.className = "sel-body";
    box.appendChild(body);
    const acts = document.createElement("div");
    acts.className = "sel-acts operate-only";
    shuttleButtons(acts, sh.id);
    box.appendChild(acts);
  }
  box.querySelector(".sel-head").textContent = sh.id;
  const why = stuck.shuttle(sh, clock.now());
  const since = sh.activity_since ? fmtWaitSince(sh.activity_since) : "";
  const lines = [
    ["state", (sh.state || "not joined").replace(/_/g, " ")],
    ["activity", `${sh.activity || "—"}${sh.activity_detail ? ` (${sh.activity_detail})` : ""}${since ? ` for ${since}` : ""}`],
    ...(why ? [["stuck", `${why.text}${why.detail ? ` (${why.detail})` : ""} for ${why.for}`]] : []),
    ["charge", `${Math.round((sh.soc || 0) * 100)} %`],
    ["move", mv ? `${mv.id} (${mv.state.replace(/_/g, " ")})` : "—"],
    ...(redacted() ? [] : [["container", mv && mv.container ? mv.container + (LADEN.has(mv.state) ? " on board" : " to pick") : "—"]]),
    ["at", sh.last_node || "—"],
    ["x, y", sh.position ? `${sh.position.x.toFixed(0)} m, ${sh.position.y.toFixed(0)} m` : "—"],
  ];
  const body = box.querySelector(".sel-body");
  body.innerHTML = "";
  for (const [k, v] of lines) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    if (k === "stuck") dd.className = "stuck";
    body.append(dt, dd);
  }
  if (mv && seesCustoms() && mv.clearances && mv.clearances.length) {
    const dt = document.createElement("dt");
    dt.textContent = "customs";
    const dd = document.createElement("dd");
    dd.className = "customs";
    clearanceCell(dd, mv.clearances);
    body.append(dt, dd);
  }
  showShuttleButtons(box.querySelector(".sel-acts"), sh);
  box.hidden = false;
}

// ---- actions --------------------------------------------------------------------

// shuttleButtons adds a button per shuttle verb to el, in SHUTTLE_ACTS'
// order; showShuttleButtons shows those that fit the shuttle's state.
function shuttleButtons(el, id) {
  for (const a of SHUTTLE_ACTS) {
    const b = actionButton(a.text, () => shuttleAct(id, a), a.cls);
    b.dataset.verb = a.verb;
    b.hidden = true;
    el.appendChild(b);
  }
}

function showShuttleButtons(el, s) {
  SHUTTLE_ACTS.forEach((a, i) => (el.children[i].hidden = !a.show(s)));
}

async function shuttleAct(id, a) {
  try {
    const sh = await state.client.post(`/v1/shuttles/${encodeURIComponent(id)}/${a.verb}`);
    toast(`${id} ${a.done}`, "ok");
    showShuttle(sh);
  } catch (e) {
    toast(`${a.text[0].toUpperCase()}${a.text.slice(1)} ${id}: ${errText(e)}`);
  }
}

// showShuttle puts a verb's answer (the shuttle afterwards) in the
// tables before the next snapshot, so its buttons fit its new state.
function showShuttle(sh) {
  const list = (state.snap && state.snap.shuttles) || [];
  const i = sh ? list.findIndex((s) => s.id === sh.id) : -1;
  if (i < 0) return;
  list[i] = { ...list[i], state: sh.state, activity: sh.activity, move: sh.move };
  renderShuttles(list);
  renderSelected();
}

async function cancelMove(id) {
  const m = state.moves.get(id);
  const reason = prompt(`Cancel move ${id} (${m ? m.container : ""})?\nReason (optional):`, "");
  if (reason === null) return;
  try {
    const body = reason.trim() ? { reason: reason.trim() } : {};
    const mv = await state.client.post(`/v1/moves/${encodeURIComponent(id)}/cancel`, body);
    state.moves.set(mv.id, mv);
    renderMoves();
    toast(`Move ${id} (${mv.container}) ${mv.state.replace(/_/g, " ")}`, "ok");
  } catch (e) {
    toast(`Cancel ${id}: ${errText(e)}`);
  }
}

async function setPriority(id, input) {
  const priority = Number(input.value.trim() === "" ? NaN : input.value);
  if (!Number.isInteger(priority)) {
    input.classList.add("bad");
    toast(`Priority of ${id}: a whole number, please`);
    return;
  }
  try {
    const mv = await state.client.post(`/v1/moves/${encodeURIComponent(id)}/priority`, { priority });
    input.classList.remove("bad");
    delete input.dataset.edited;
    state.moves.set(mv.id, mv);
    renderMoves();
    toast(`Move ${id}: priority ${mv.priority}`, "ok");
  } catch (e) {
    if (e.field === "priority") input.classList.add("bad");
    toast(`Priority of ${id}: ${errText(e)}`);
  }
}

async function decide(g, decision, reasonInput) {
  const body = { checkpoint: g.checkpoint, move: g.move, decision };
  if (reasonInput.value.trim()) body.reason = reasonInput.value.trim();
  try {
    const r = await state.client.post("/v1/customs/decisions", body);
    toast(`${g.container} at ${g.checkpoint}: ${decision} (move now ${r.move_state.replace(/_/g, " ")})`, "ok");
    reasonInput.value = "";
    if (!state.role.reads) {
      refreshQueue();
      refreshClearances();
    }
  } catch (e) {
    toast(`${decision} ${g.container} at ${g.checkpoint}: ${errText(e)}`);
  }
}

// the new-move form: one Idempotency-Key per content, so a retry after a
// lost answer cannot make a second move
let formKey = "";
let formKeyFor = "";

function moveBody() {
  const body = {
    container: $("#f-container").value.trim().toUpperCase(),
    origin: $("#f-origin").value,
    destination: $("#f-destination").value,
    priority: Number($("#f-priority").value || 0),
    pre_cleared: $("#f-precleared").checked,
  };
  const decl = $("#f-declaration").value.trim();
  if (decl) body.declaration = decl;
  return body;
}

function fieldError(field, msg) {
  for (const i of document.querySelectorAll("#newmove .bad")) i.classList.remove("bad");
  const err = $("#f-error");
  err.hidden = !msg;
  err.textContent = msg || "";
  const input = field && document.querySelector(`#newmove [name="${field}"]`);
  if (input) {
    input.classList.add("bad");
    input.focus();
  }
}

async function submitMove(e) {
  e.preventDefault();
  const body = moveBody();
  if (!Number.isInteger(body.priority)) {
    fieldError("priority", "priority must be a whole number");
    return;
  }
  const content = JSON.stringify(body);
  if (content !== formKeyFor) {
    formKey = newKey();
    formKeyFor = content;
  }
  const btn = $("#f-submit");
  btn.disabled = true;
  try {
    const m = await state.client.post("/v1/moves", body, { "Idempotency-Key": formKey });
    state.moves.set(m.id, m);
    renderMoves();
    fieldError("", "");
    toast(`Move ${m.id}: ${m.container} ${m.origin} → ${m.destination} (${m.state})`, "ok");
    formKeyFor = "";
    $("#f-container").value = "";
    $("#f-declaration").value = "";
  } catch (err) {
    fieldError(err.field, errText(err));
  } finally {
    btn.disabled = false;
  }
}

// ---- formatting -----------------------------------------------------------------

// fmtWaitSince is how long ago iso was on the core's clock.
function fmtWaitSince(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "" : fmtWait(clock.now() - t);
}

function fmtDur(ms) {
  if (!(ms >= 0)) return "";
  const m = Math.floor(ms / 60000);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")}`;
}

// ---- wiring ------------------------------------------------------------------------

function main() {
  $("#login").addEventListener("submit", (e) => {
    e.preventDefault();
    const tok = $("#token").value.trim();
    if (tok) start(tok);
  });
  $("#logout").addEventListener("click", () => signOut(""));
  $("#newmove").addEventListener("submit", submitMove);
  $("#f-origin").addEventListener("change", pickDestination);
  $("#f-example").addEventListener("click", () => ($("#f-container").value = exampleContainer()));
  $("#moves-filter").addEventListener("change", renderMoves);
  $("#stuck-min").addEventListener("change", () => {
    const i = $("#stuck-min");
    const ok = stuck.setMinutes(Number(i.value));
    i.classList.toggle("bad", !ok);
    if (!ok) {
      toast("Stuck threshold: a whole number of minutes, 1 to 1440");
      return;
    }
    renderStuck();
    renderMoves();
    if (state.snap) renderShuttles(state.snap.shuttles || []);
  });
  // Escape closes the selected shuttle's box (not while typing)
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.target.closest("input, select, textarea")) return;
    if (closeSelected()) e.preventDefault();
  });
  for (const i of document.querySelectorAll("#newmove input, #newmove select")) {
    i.addEventListener("input", () => i.classList.remove("bad"));
  }
  const tok = sessionStorage.getItem(TOKEN_KEY);
  if (tok) start(tok);
}

main();
