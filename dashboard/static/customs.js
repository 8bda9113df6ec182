// customs.js: where a container stands with each country's customs: the
// moves table's clearance cells, and waiting times that tick with the
// fleet core's clock (a demo's runs faster than the wall clock).
import { countryClass } from "./map.js";
import { fmtClock } from "./ui.js";

// LONG_WAIT_MS: by default, a wait longer than this is highlighted (gate
// panel rows, moves table cells) and listed as stuck; the stuck panel's
// threshold changes it (stuck.js).
export const LONG_WAIT_MS = 5 * 60 * 1000;

// The clearance statuses (GET /v1/moves/{id} "clearances"), as shown.
const STATUS_TEXT = {
  expected: "expected",
  pre_cleared: "pre-cleared",
  released: "released",
  to_inspect: "to inspect",
  waiting: "waiting",
  inspection: "inspection",
  refused: "refused",
  passed: "passed",
};

// CoreClock estimates the fleet core's clock between two readings (a
// snapshot's or a customs answer's "at"): it runs at the rate the last
// two readings showed, so it stands still for a core standing by and runs
// 60 times faster in a 60x demo; between two readings it never runs
// backwards (at a reading it takes the core's word). Before the first
// reading it is the wall clock.
export class CoreClock {
  constructor() {
    this.reset();
  }

  // reset forgets the readings (at sign-out: the next fleetd's clock may
  // be behind this one's).
  reset() {
    this.at = NaN;
    this.local = 0;
    this.rate = 1;
    this.last = -Infinity;
  }

  set(at) {
    const t = Date.parse(at);
    if (Number.isNaN(t)) return;
    const now = Date.now();
    if (!Number.isNaN(this.at) && now - this.local > 200) {
      const r = (t - this.at) / (now - this.local);
      if (r >= 0 && r < 10000) this.rate = r;
    }
    this.at = t;
    this.local = now;
    this.last = t;
  }

  now() {
    if (Number.isNaN(this.at)) return Date.now();
    this.last = Math.max(this.last, this.at + (Date.now() - this.local) * this.rate);
    return this.last;
  }
}

// fmtWait is a waiting time: "45 s", "12 min", "1 h 05".
export function fmtWait(ms) {
  if (!(ms >= 0)) return "";
  if (ms < 60000) return `${Math.floor(ms / 1000)} s`;
  const m = Math.floor(ms / 60000);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")}`;
}

// tickWaits sets every waiting time under root (elements with
// data-since, milliseconds) from the clock, and marks those, and their
// host (the closest [data-wait-host]), "long" past limit.
export function tickWaits(root, clock, limit = LONG_WAIT_MS) {
  const now = clock.now();
  for (const e of root.querySelectorAll("[data-since]")) {
    const ms = now - Number(e.dataset.since);
    const text = fmtWait(ms);
    if (e.textContent !== text) e.textContent = text;
    const long = ms > limit && !("noLong" in e.dataset);
    e.classList.toggle("long", long);
    const host = e.closest("[data-wait-host]");
    if (host) host.classList.toggle("long", long);
  }
}

// waitingSince is when the container began to wait at a checkpoint (its
// arrival at the stop line), in milliseconds, or NaN if it is not held
// there now.
export function waitingSince(c) {
  const held = c.status === "waiting" || c.status === "inspection" || (c.status === "to_inspect" && c.arrived);
  return held && c.arrived ? Date.parse(c.arrived) : NaN;
}

// byCountry groups a move's clearance records by country in the order of
// its way; for each country the record shown is the one the container
// stands at: the first it has not passed, else the last.
export function byCountry(clearances) {
  const groups = new Map();
  for (const c of clearances || []) {
    const k = c.country || "?";
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(c);
  }
  return [...groups].map(([country, list]) => ({
    country,
    list,
    shown: list.find((c) => c.status !== "passed") || list[list.length - 1],
  }));
}

// clearanceTitle says, for each checkpoint of one country, its status
// and the decision in force: who took it, when, and why.
function clearanceTitle(list) {
  const lines = [];
  for (const c of list) {
    const when = c.passed || (c.status === "refused" && c.refused) ? " at " : " since ";
    lines.push(`${c.checkpoint}: ${STATUS_TEXT[c.status] || c.status}${c.since ? when + fmtClock(c.since) : ""}`);
    const ds = c.decisions || [];
    if (ds.length) {
      const d = ds[ds.length - 1];
      lines.push(`  ${d.decision} by ${d.officer} at ${fmtClock(d.at)}${d.reason ? `: ${d.reason}` : ""}`);
      if (ds.length > 1) lines.push(`  (${ds.length - 1} earlier decision${ds.length > 2 ? "s" : ""})`);
    } else {
      lines.push("  no decision");
    }
    if (c.arrived) lines.push(`  arrived ${fmtClock(c.arrived)}`);
    if (c.inspected) lines.push(`  at the inspection bay ${fmtClock(c.inspected)}`);
  }
  return lines.join("\n");
}

// clearanceCell shows in td one compact chip per country of the move's
// way: the country's code in its map colour, the status, and for a
// container held at the gate the time it has waited (ticked by
// tickWaits); the title names the decision in force. It rebuilds only
// when what it shows changes, so a hovered title stays put.
export function clearanceCell(td, clearances) {
  const groups = byCountry(clearances);
  const sig = JSON.stringify(groups.map((g) => [g.country, g.list]));
  if (td.dataset.sig === sig) return;
  td.dataset.sig = sig;
  td.textContent = "";
  if (!groups.length) {
    td.textContent = "—";
    return;
  }
  for (const g of groups) {
    const c = g.shown;
    const chip = document.createElement("span");
    chip.className = `clr ${countryClass(g.country)} s-${c.status}`;
    chip.dataset.country = g.country;
    chip.dataset.status = c.status;
    chip.title = clearanceTitle(g.list);
    const code = document.createElement("b");
    code.textContent = g.country;
    chip.append(code, ` ${STATUS_TEXT[c.status] || c.status}`);
    const since = waitingSince(c);
    if (!Number.isNaN(since)) {
      chip.dataset.waitHost = "";
      const w = document.createElement("span");
      w.className = "wait";
      w.dataset.since = String(since);
      chip.append(" ", w);
    }
    td.appendChild(chip);
  }
}
