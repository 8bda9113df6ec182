// ui.js: the page's small DOM helpers, shared by app.js and lanes.js:
// toasts, error text, table rows kept in place, action buttons.
import { ApiError } from "./api.js";

export const $ = (sel) => document.querySelector(sel);

// toast shows a message in the corner: an error (kept 12 s) or "ok".
export function toast(msg, kind = "error") {
  const t = document.createElement("div");
  t.className = `toast ${kind}`;
  t.textContent = msg;
  t.setAttribute("role", kind === "error" ? "alert" : "status");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "ghost small";
  close.textContent = "×";
  close.title = "dismiss";
  close.addEventListener("click", () => t.remove());
  t.appendChild(close);
  $("#toasts").appendChild(t);
  setTimeout(() => t.remove(), kind === "error" ? 12000 : 4000);
}

// errText is an error as shown to the operator.
export function errText(e) {
  return e instanceof ApiError ? e.text() : String(e && e.message ? e.message : e);
}

// syncRows keeps one <tr> per key in tbody, in items' order: build makes
// a row's cells once, update refreshes them (inputs a user types into are
// kept).
export function syncRows(tbody, items, key, build, update) {
  const have = new Map();
  for (const tr of tbody.children) have.set(tr.dataset.key, tr);
  let prev = null;
  const keep = new Set();
  for (const it of items) {
    const k = key(it);
    keep.add(k);
    let tr = have.get(k);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.key = k;
      build(tr, it);
    }
    update(tr, it);
    const want = prev ? prev.nextSibling : tbody.firstChild;
    if (want !== tr) tbody.insertBefore(tr, want);
    prev = tr;
  }
  for (const [k, tr] of have) if (!keep.has(k)) tr.remove();
}

export function cells(tr, n) {
  for (let i = 0; i < n; i++) tr.appendChild(document.createElement("td"));
  return tr.children;
}

export function setText(td, text, cls) {
  if (td.textContent !== text) td.textContent = text;
  if (cls !== undefined && td.className !== cls) td.className = cls;
}

export function badge(td, st) {
  let b = td.firstChild;
  if (!b || b.nodeType !== 1) {
    td.textContent = "";
    b = document.createElement("span");
    td.appendChild(b);
  }
  const cls = `badge st-${st || "unknown"}`;
  if (b.className !== cls) b.className = cls;
  const text = (st || "—").replace(/_/g, " ");
  if (b.textContent !== text) b.textContent = text;
}

// actionButton is a small button that runs fn once at a time (disabled
// while it runs); its click does not reach the row.
export function actionButton(text, fn, cls = "") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `small ${cls}`;
  b.textContent = text;
  b.addEventListener("click", async (e) => {
    e.stopPropagation();
    b.disabled = true;
    try {
      await fn();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

// fmtClock is a time as the page shows it: UTC, to the second.
export function fmtClock(s) {
  if (!s) return "—";
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}
