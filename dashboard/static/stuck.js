// stuck.js: what waits too long, and for what. The API says, typed, what
// each shuttle and move waits for and since when (the core's clock:
// "waiting" {kind, detail, since}, "activity_since", "state_since"); this
// compares that with a threshold the operator sets (kept in this browser)
// and words the reason. Nothing here is guessed from prose.
import { LONG_WAIT_MS, fmtWait } from "./customs.js";

const KEY = "borderfleet.stuckMinutes";

// WAIT_TEXT words each wait kind (api.WaitKind), with where when known.
const WAIT_TEXT = {
  route: () => "a route",
  bay: (d) => (d ? `bay ${d}` : "a bay"),
  release: (d) => (d ? `customs release at ${d}` : "a customs release"),
  held: (d) => (d ? `a hold to end at ${d}` : "a hold to end"),
  inspection: (d) => (d ? `inspection at ${d}` : "an inspection"),
  customs_place: () => "a place at customs",
  charger: (d) => (d ? `a charger at ${d}` : "a charger"),
  traffic: () => "traffic ahead",
  shuttle: () => "a shuttle",
};

// STOPPED are shuttle states that stop it whatever it waits for; one
// that lasts past the threshold is stuck too.
const STOPPED = { fault: "fault", emergency_stop: "emergency stop", offline: "offline", paused: "paused", out_of_service: "out of service" };

export class Stuck {
  constructor() {
    const m = Number(localStorage.getItem(KEY));
    this.ms = Number.isFinite(m) && m >= 1 ? m * 60000 : LONG_WAIT_MS;
  }

  get minutes() {
    return Math.round(this.ms / 60000);
  }

  // setMinutes sets the threshold (1 to 1440 minutes); false if m is not
  // such a number.
  setMinutes(m) {
    if (!Number.isInteger(m) || m < 1 || m > 1440) return false;
    this.ms = m * 60000;
    localStorage.setItem(KEY, String(m));
    return true;
  }

  // waitOf is a wait as shown: {kind, text, detail, since (ms)}, or null.
  static waitOf(w) {
    if (!w || !w.kind) return null;
    const since = w.since ? Date.parse(w.since) : NaN;
    const word = WAIT_TEXT[w.kind];
    // the detail of a route or a shuttle wait is why, not where: shown
    // beside the reason
    const why = w.kind === "route" || w.kind === "shuttle" || w.kind === "customs_place";
    return { kind: w.kind, text: `waiting for ${word ? word(why ? "" : w.detail) : w.kind}`, detail: why ? w.detail || "" : "", since };
  }

  // shuttle is why a shuttle is stuck at now (ms, the core's clock), or
  // null: a wait, or a stopping state, longer than the threshold.
  shuttle(sh, now) {
    let r = Stuck.waitOf(sh.waiting);
    if (!r && STOPPED[sh.state]) {
      r = { kind: sh.state, text: STOPPED[sh.state], detail: "", since: sh.activity_since ? Date.parse(sh.activity_since) : NaN };
    }
    return this.over(r, now);
  }

  // move is why a move is stuck at now, or null: what it waits for of
  // itself (a shuttle, a release, an inspection), or what its shuttle
  // (sh, if it has one) is stuck on.
  move(m, sh, now) {
    const own = this.over(Stuck.waitOf(m.waiting), now);
    if (own) return own;
    return sh && m.shuttle === sh.id ? this.shuttle(sh, now) : null;
  }

  over(r, now) {
    if (!r || Number.isNaN(r.since) || now - r.since <= this.ms) return null;
    r.for = fmtWait(now - r.since);
    return r;
  }
}

// reasonCell shows a stuck reason in td: a chip with what it waits for,
// the detail (why) beside it, data-kind for the wait's kind.
export function reasonCell(td, r) {
  const sig = r ? `${r.kind}|${r.text}|${r.detail}` : "";
  if (td.dataset.sig === sig) return;
  td.dataset.sig = sig;
  td.textContent = "";
  if (!r) return;
  const chip = document.createElement("span");
  chip.className = "why";
  chip.dataset.kind = r.kind;
  chip.textContent = r.text;
  td.appendChild(chip);
  if (r.detail) {
    const d = document.createElement("span");
    d.className = "why-detail";
    d.textContent = r.detail;
    td.appendChild(d);
  }
  td.title = r.detail ? `${r.text}: ${r.detail}` : r.text;
}
