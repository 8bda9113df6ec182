// legend.js: the map's legend, drawn with the map's own classes so its
// swatches are the map's colours and shapes.
const NS = "http://www.w3.org/2000/svg";

function svg(cls, parts) {
  const s = document.createElementNS(NS, "svg");
  s.setAttribute("class", "sw");
  s.setAttribute("viewBox", "-11 -9 22 18");
  s.setAttribute("aria-hidden", "true");
  const g = document.createElementNS(NS, "g");
  g.setAttribute("class", cls);
  s.appendChild(g);
  for (const [name, attrs] of parts) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    g.appendChild(e);
  }
  return s;
}

const body = (extra = []) => [["circle", { r: 6, class: "body" }], ...extra];

// SHUTTLE_STATES are the shuttle colours, by state.
const SHUTTLE_STATES = [
  ["idle", "idle"],
  ["to_pickup", "to pickup"],
  ["loading", "loading / unloading"],
  ["laden_transit", "laden"],
  ["at_gate", "at a gate"],
  ["charging", "charging"],
  ["paused", "paused"],
  ["fault", "fault / stopped"],
  ["out_of_service", "out of service"],
];

// MARKS are the other symbols: of a shuttle, then of the site.
const MARKS = [
  ["shuttle laden st-laden_transit", body([["rect", { x: -3, y: -3, width: 6, height: 6, class: "box" }]]), "carries a container"],
  ["shuttle stuck st-at_gate", body([["circle", { r: 9, class: "stuck-ring" }]]), "stuck (waits past the threshold)"],
  ["shuttle st-idle", [["rect", { x: -9, y: 2, width: 18, height: 3, class: "soc-bg" }], ["rect", { x: -9, y: 2, width: 11, height: 3, class: "soc ok" }]], "charge"],
  ["", [["line", { x1: -9, y1: 5, x2: 5, y2: -4, class: "leader" }], ["circle", { cx: -9, cy: 5, r: 2.5, class: "leader-hub" }]], "spread: line to where it is"],
  ["mark checkpoint c0", [["rect", { x: -5, y: -5, width: 10, height: 10, rx: 2, transform: "rotate(45)" }], ["rect", { x: -3, y: -1, width: 6, height: 2, class: "bar" }]], "customs checkpoint"],
  ["mark charger", [["circle", { r: 7 }], ["path", { d: "M1,-5 L-3,1 L0,1 L-1,5 L3,-1 L0,-1 Z", class: "bolt" }]], "charging station"],
  ["mark bay", [["rect", { x: -3.5, y: -3.5, width: 7, height: 7 }]], "bay"],
  ["mark parking", [["circle", { r: 2 }]], "parking"],
  ["", [["path", { d: "M-10,0 L10,0", class: "lane two-way" }]], "two-way lane"],
  ["", [["path", { d: "M-10,0 L10,0", class: "closed-lane" }]], "closed lane"],
];

function item(sw, text) {
  const s = document.createElement("span");
  s.className = "item";
  s.append(sw, text);
  return s;
}

function group(title, items) {
  const g = document.createElement("span");
  g.className = "group";
  const b = document.createElement("b");
  b.textContent = title;
  g.append(b, ...items);
  return g;
}

// drawLegend fills el with the legend; withShuttles: the role sees
// shuttles.
export function drawLegend(el, withShuttles) {
  el.textContent = "";
  if (withShuttles) {
    el.appendChild(group("shuttles", SHUTTLE_STATES.map(([st, text]) => item(svg(`shuttle st-${st}`, body()), text))));
  }
  const marks = MARKS.filter(([cls]) => withShuttles || !cls.startsWith("shuttle"));
  el.appendChild(group("map", marks.map(([cls, parts, text]) => item(svg(cls, parts), text))));
}
