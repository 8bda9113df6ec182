// map.js: the site drawn from its GeoJSON in SVG, with the shuttles on it.
//
// Geometry is kept in the site's local frame (metres east and north of the
// origin, the same frame as the VDA 5050 positions the shuttles report);
// the view maps it to the screen. Areas and lanes sit in one group under
// the view's matrix (strokes do not scale); point markers and labels are
// placed in screen space so they keep their size when zooming.

const NS = "http://www.w3.org/2000/svg";

// WGS84, as geo.Frame: metres per degree at the origin's latitude.
function frame(lon0, lat0) {
  const a = 6378137.0;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const phi = (lat0 * Math.PI) / 180;
  const s = Math.sin(phi);
  const w = 1 - e2 * s * s;
  const n = a / Math.sqrt(w);
  const m = (a * (1 - e2)) / (w * Math.sqrt(w));
  const mx = n * Math.cos(phi) * (Math.PI / 180);
  const my = m * (Math.PI / 180);
  return ([lon, lat]) => [(lon - lon0) * mx, (lat - lat0) * my];
}

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// Laden move states: the shuttle carries the move's container.
export const LADEN = new Set(["loading", "laden_transit", "at_gate", "in_inspection", "to_dropoff", "unloading", "returning"]);

export class SiteMap {
  constructor(svg, { onSelect, tip }) {
    this.svg = svg;
    this.tip = tip;
    this.onSelect = onSelect;
    this.view = { cx: 0, cy: 0, k: 1 };
    this.bbox = null;
    this.points = []; // screen-space markers: {node, x, y, minK}
    this.shuttles = new Map(); // id -> {g, x, y, data}
    this.selected = "";
    this.lines = new Map(); // lane or link id -> its points in the local frame
    this.closed = []; // ids of the lanes and links closed to new routes
    this.svg.innerHTML = "";
    this.world = el("g", { class: "world" }, svg);
    this.marks = el("g", { class: "marks" }, svg);
    this.fleet = el("g", { class: "fleet" }, svg);
    this.bindView();
    new ResizeObserver(() => this.render(false)).observe(svg);
  }

  // load draws a site from its GeoJSON FeatureCollection (GET /v1/site).
  load(fc) {
    const site = fc.features.find((f) => f.properties.kind === "site");
    const o = site ? site.geometry.coordinates : fc.features[0].geometry.coordinates[0];
    this.toLocal = frame(o[0], o[1]);
    this.name = site ? site.properties.name || site.properties.id : "site";
    this.world.innerHTML = "";
    this.marks.innerHTML = "";
    this.points = [];
    this.zoneLabels = [];
    const by = (k) => fc.features.filter((f) => f.properties.kind === k);
    learnCountries(by("checkpoint"), by("zone"));
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    const grow = ([x, y]) => {
      box[0] = Math.min(box[0], x);
      box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x);
      box[3] = Math.max(box[3], y);
    };
    const path = (rings, closed) =>
      rings
        .map((ring) => {
          const pts = ring.map((p) => this.toLocal(p));
          pts.forEach(grow);
          return "M" + pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L") + (closed ? "Z" : "");
        })
        .join("");
    const zones = el("g", { class: "zones" }, this.world);
    const noGrow = (rs) => rs.map((ring) => "M" + ring.map((p) => this.toLocal(p).map((v) => v.toFixed(1)).join(",")).join("L") + "Z").join("");
    for (const f of by("zone")) {
      const p = f.properties;
      const cls = `zone ${p.zone_type || ""} ${countryClass(p.country)}`;
      const e = el("path", { d: noGrow(rings(f.geometry)), class: cls }, zones);
      el("title", {}, e).textContent = p.name || p.id;
      const [cx] = centroid(f.geometry, this.toLocal);
      this.zoneLabels.push(this.label([cx, 0], p.name || p.id, "zone-label", 0));
    }
    for (const f of by("centre")) {
      const p = f.properties;
      el("path", { d: path(rings(f.geometry), true), class: `centre ${countryClass(p.country)}` }, zones);
      this.label(centroid(f.geometry, this.toLocal), p.name || p.id, "centre-label", 0, 0, -18);
    }
    const lanes = el("g", { class: "lanes" }, this.world);
    this.lines.clear();
    for (const f of [...by("lane"), ...by("graph_link")]) {
      this.lines.set(String(f.properties.id), f.geometry.coordinates.map((q) => this.toLocal(q)));
    }
    for (const f of by("lane")) {
      const p = f.properties;
      const cls = `lane ${p.direction === "two-way" ? "two-way" : "one-way"}`;
      const e = el("path", { d: path([f.geometry.coordinates], false), class: cls, "vector-effect": "non-scaling-stroke" }, lanes);
      el("title", {}, e).textContent = `${p.id} · ${p.direction || ""} · ${p.speed_limit_kmh || "?"} km/h`;
    }
    this.closedLanes = el("g", { class: "closed-lanes" }, this.world);
    this.setClosed(this.closed);
    for (const f of by("parking")) this.point(f, "parking", 2.2);
    for (const f of by("bay")) this.point(f, "bay", 4, f.properties.id);
    for (const f of by("charging_station")) {
      const p = f.properties;
      this.point(f, "charger", 2, p.name || p.id, `${p.chargers} × ${p.charger_power_kw} kW`);
    }
    for (const f of by("checkpoint")) {
      const p = f.properties;
      this.point(f, `checkpoint ${countryClass(p.country)}`, 2.5, p.name || p.id, p.id);
    }
    this.bbox = box;
    // territory names above the yards
    for (const z of this.zoneLabels) z.y = box[3] + 0.12 * (box[3] - box[1]) + 60;
    this.fit();
  }

  // setClosed draws the lanes and links of ids (GET /v1/lanes "closed")
  // over the lanes as closed.
  setClosed(ids) {
    this.closed = [...ids];
    if (!this.closedLanes) return;
    this.closedLanes.innerHTML = "";
    for (const id of this.closed) {
      const pts = this.lines.get(id);
      if (!pts) continue;
      const d = "M" + pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L");
      const e = el("path", { d, class: "closed-lane", "data-id": id, "vector-effect": "non-scaling-stroke" }, this.closedLanes);
      el("title", {}, e).textContent = `${id} · closed`;
    }
  }

  // label places a text at a world point, shown from zoom minK on.
  label([x, y], text, cls, minK, dx = 0, dy = 0) {
    const t = el("text", { class: `label ${cls}`, "text-anchor": "middle" }, this.marks);
    t.textContent = text;
    const p = { node: t, x, y, minK, dx, dy };
    this.points.push(p);
    return p;
  }

  // point draws a point feature's marker, and its label from zoom minK on.
  point(f, cls, minK, text, title) {
    const [x, y] = this.toLocal(f.geometry.coordinates);
    const g = el("g", { class: `mark ${cls}` }, this.marks);
    if (cls.startsWith("checkpoint")) {
      el("rect", { x: -7, y: -7, width: 14, height: 14, rx: 2, transform: "rotate(45)" }, g);
      el("rect", { x: -4, y: -1, width: 8, height: 2, class: "bar" }, g);
    } else if (cls === "charger") {
      el("circle", { r: 8 }, g);
      el("path", { d: "M1,-6 L-4,1 L0,1 L-1,6 L4,-1 L0,-1 Z", class: "bolt" }, g);
    } else if (cls === "bay") {
      el("rect", { x: -3.5, y: -3.5, width: 7, height: 7 }, g);
    } else {
      el("circle", { r: 1.6 }, g);
    }
    el("title", {}, g).textContent = [f.properties.id, title].filter(Boolean).join(" · ");
    this.points.push({ node: g, x, y, minK: 0 });
    if (text) this.label([x, y], text, `${cls.split(" ")[0]}-label`, minK, 0, cls === "bay" ? -7 : -13);
  }

  // screen maps a world point to the SVG's pixels.
  screen(x, y) {
    const { cx, cy, k } = this.view;
    return [(x - cx) * k + this.w / 2, -(y - cy) * k + this.h / 2];
  }

  fit() {
    if (!this.bbox) return;
    const r = this.svg.getBoundingClientRect();
    this.w = r.width || 800;
    this.h = r.height || 500;
    const [x0, y0, x1, y1] = this.bbox;
    const k = Math.min((this.w - 60) / Math.max(x1 - x0, 1), (this.h - 120) / Math.max(y1 - y0, 1));
    this.view = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, k };
    this.k0 = k;
    this.render(false);
  }

  zoom(f, px, py) {
    const { cx, cy, k } = this.view;
    const nk = Math.min(Math.max(k * f, (this.k0 || k) / 2), (this.k0 || k) * 60);
    if (px === undefined) {
      px = this.w / 2;
      py = this.h / 2;
    }
    // keep the world point under (px, py) in place
    const wx = cx + (px - this.w / 2) / k;
    const wy = cy - (py - this.h / 2) / k;
    this.view = { cx: wx - (px - this.w / 2) / nk, cy: wy + (py - this.h / 2) / nk, k: nk };
    this.render(false);
  }

  bindView() {
    this.svg.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const r = this.svg.getBoundingClientRect();
        this.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
    let drag = null;
    this.svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, cx: this.view.cx, cy: this.view.cy, moved: false };
    });
    window.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.svg.classList.add("dragging");
      this.view.cx = drag.cx - dx / this.view.k;
      this.view.cy = drag.cy + dy / this.view.k;
      this.render(false);
    });
    window.addEventListener("pointerup", () => {
      this.svg.classList.remove("dragging");
      if (drag && drag.moved) this.suppressClick = true;
      drag = null;
    });
    this.svg.addEventListener("click", (e) => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      const g = e.target.closest(".shuttle");
      this.onSelect(g ? g.dataset.id : "");
    });
  }

  // render places everything for the current view; animate lets the
  // shuttles glide to their new places (not when the view changes).
  render(animate) {
    const r = this.svg.getBoundingClientRect();
    if (!r.width) return;
    this.w = r.width;
    this.h = r.height;
    const { cx, cy, k } = this.view;
    this.world.setAttribute("transform", `matrix(${k},0,0,${-k},${this.w / 2 - cx * k},${this.h / 2 + cy * k})`);
    for (const p of this.points) {
      const [sx, sy] = this.screen(p.x, p.y);
      const show = k >= (this.k0 || k) * p.minK;
      p.node.setAttribute("transform", `translate(${(sx + (p.dx || 0)).toFixed(1)},${(sy + (p.dy || 0)).toFixed(1)})`);
      p.node.classList.toggle("hidden", !show);
    }
    this.fleet.classList.toggle("glide", animate);
    for (const s of this.shuttles.values()) this.place(s);
  }

  place(s) {
    const [sx, sy] = this.screen(s.x, s.y);
    s.g.style.transform = `translate(${sx.toFixed(1)}px, ${sy.toFixed(1)}px)`;
  }

  // update draws the shuttles of a snapshot; moves maps move id to move
  // (for the container).
  update(list, moves) {
    const seen = new Set();
    for (const sh of list) {
      if (!sh.position) continue;
      seen.add(sh.id);
      let s = this.shuttles.get(sh.id);
      if (!s) {
        const g = el("g", { class: "shuttle", "data-id": sh.id }, this.fleet);
        el("circle", { r: 13, class: "halo" }, g);
        el("circle", { r: 8, class: "body" }, g);
        el("rect", { x: -4, y: -4, width: 8, height: 8, class: "box" }, g);
        el("rect", { x: -9, y: 11, width: 18, height: 3, class: "soc-bg" }, g);
        el("rect", { x: -9, y: 11, width: 18, height: 3, class: "soc" }, g);
        el("text", { x: 12, y: -8, class: "sh-label" }, g);
        s = { g, x: 0, y: 0 };
        this.shuttles.set(sh.id, s);
      }
      const mv = sh.move ? moves.get(sh.move) : null;
      const laden = !!(mv && LADEN.has(mv.state));
      s.data = sh;
      s.x = sh.position.x;
      s.y = sh.position.y;
      s.g.dataset.x = String(sh.position.x);
      s.g.dataset.y = String(sh.position.y);
      s.g.dataset.state = sh.state || "unknown";
      s.g.setAttribute("class", `shuttle st-${sh.state || "unknown"}${laden ? " laden" : ""}${sh.id === this.selected ? " sel" : ""}`);
      const soc = Math.max(0, Math.min(1, sh.soc || 0));
      const bar = s.g.querySelector(".soc");
      bar.setAttribute("width", (18 * soc).toFixed(1));
      bar.setAttribute("class", `soc ${soc < 0.25 ? "low" : soc < 0.45 ? "mid" : "ok"}`);
      s.g.querySelector(".sh-label").textContent = shortID(sh.id);
      s.tip = tipText(sh, mv, laden);
    }
    for (const [id, s] of this.shuttles) {
      if (!seen.has(id)) {
        s.g.remove();
        this.shuttles.delete(id);
      }
    }
    this.render(true);
  }

  select(id) {
    this.selected = id;
    for (const s of this.shuttles.values()) s.g.classList.toggle("sel", s.g.dataset.id === id);
  }

  // bindTips shows a shuttle's details when hovered.
  bindTips(wrap) {
    this.svg.addEventListener("pointermove", (e) => {
      const g = e.target.closest && e.target.closest(".shuttle");
      const s = g && this.shuttles.get(g.dataset.id);
      if (!s) {
        this.tip.hidden = true;
        return;
      }
      const r = wrap.getBoundingClientRect();
      this.tip.textContent = s.tip;
      this.tip.style.transform = `translate(${e.clientX - r.left + 14}px, ${e.clientY - r.top + 14}px)`;
      this.tip.hidden = false;
    });
    this.svg.addEventListener("pointerleave", () => (this.tip.hidden = true));
  }
}

function rings(geom) {
  if (geom.type === "Polygon") return geom.coordinates;
  if (geom.type === "MultiPolygon") return geom.coordinates.flat();
  return [];
}

function centroid(geom, toLocal) {
  const ring = rings(geom)[0] || [];
  let x = 0;
  let y = 0;
  for (const p of ring) {
    const [a, b] = toLocal(p);
    x += a;
    y += b;
  }
  return [x / Math.max(ring.length, 1), y / Math.max(ring.length, 1)];
}

// shortID is a shuttle's id as labelled on the map.
export function shortID(id) {
  const m = /(\d+)$/.exec(id);
  return m ? m[1] : id;
}

function tipText(sh, mv, laden) {
  const lines = [`${sh.id} · ${sh.state || "not joined"}`];
  if (sh.activity) lines.push(sh.activity);
  lines.push(`charge ${Math.round((sh.soc || 0) * 100)} %`);
  if (mv && mv.container) lines.push(`${laden ? "carries" : "for"} ${mv.container} (${mv.state})`);
  else if (mv) lines.push(`${laden ? "carries" : "for"} move ${mv.id} (${mv.state})`);
  if (sh.last_node) lines.push(`at ${sh.last_node}`);
  return lines.join("\n");
}

// ---- countries -------------------------------------------------------------------
// Colours follow the site, not a fixed list: the countries of its
// checkpoints (then of its zones), in site order, get the palette's
// classes c0, c1, ... ("c-none" for the neutral zone).
const countries = [];
const checkpointCountry = new Map();

function learnCountries(checkpoints, zones) {
  countries.length = 0;
  checkpointCountry.clear();
  for (const f of [...checkpoints, ...zones]) {
    const c = f.properties.country;
    if (c && !countries.includes(c)) countries.push(c);
  }
  for (const f of checkpoints) checkpointCountry.set(String(f.properties.id), f.properties.country || "");
}

export function countryClass(country) {
  const i = country ? countries.indexOf(country) : -1;
  return i < 0 ? "c-none" : `c${i % 4}`;
}

export function countryOf(checkpoint) {
  return checkpointCountry.get(checkpoint) || "";
}
