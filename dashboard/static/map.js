// map.js: the site drawn from its GeoJSON in SVG, with the shuttles on it.
//
// Geometry is kept in the site's local frame (metres east and north of the
// origin, the same frame as the VDA 5050 positions the shuttles report);
// the view maps it to the screen. Areas and lanes sit in one group under
// the view's matrix (strokes do not scale); point markers and labels are
// placed in screen space so they keep their size when zooming.
//
// The view fits the site's lanes to the panel: turned so the corridor's
// long axis (the principal axis of its lanes) runs along the panel's long
// side, unless north up is asked for. Labels that would overlap a more
// important one are hidden (shown when their marker is hovered or
// focused); shuttles that would overlap on the screen (a queue at a gate)
// are spread around their common place, each with a line to where it is.

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
    this.view = { cx: 0, cy: 0, k: 1, rot: 0 };
    this.bbox = null;
    this.northUp = false; // true: no turning to the corridor's axis
    this.fitted = true; // the view is the fitted one (a resize fits again)
    this.zoneLabels = [];
    this.stuckOf = null; // (shuttle) => {text, for} when it is stuck, else null
    this.points = []; // screen-space markers: {node, x, y, minK}
    this.shuttles = new Map(); // id -> {g, x, y, data}
    this.selected = "";
    this.lines = new Map(); // lane or link id -> its points in the local frame
    this.closed = []; // ids of the lanes and links closed to new routes
    this.svg.innerHTML = "";
    this.world = el("g", { class: "world" }, svg);
    this.marks = el("g", { class: "marks" }, svg);
    this.leaders = el("g", { class: "leaders" }, svg);
    this.fleet = el("g", { class: "fleet" }, svg);
    this.bindView();
    new ResizeObserver(() => (this.fitted ? this.fit() : this.render(false))).observe(svg);
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
      const z = this.label(centroid(f.geometry, this.toLocal), p.name || p.id, "zone-label", 0);
      z.rank = 0;
      this.zoneLabels.push(z);
    }
    for (const f of by("centre")) {
      const p = f.properties;
      el("path", { d: path(rings(f.geometry), true), class: `centre ${countryClass(p.country)}` }, zones);
      this.label(centroid(f.geometry, this.toLocal), p.name || p.id, "centre-label", 0, 0, -18).rank = 1;
    }
    const lanes = el("g", { class: "lanes" }, this.world);
    this.lines.clear();
    this.fitPts = [];
    for (const f of [...by("lane"), ...by("graph_link")]) {
      const pts = f.geometry.coordinates.map((q) => this.toLocal(q));
      this.lines.set(String(f.properties.id), pts);
      this.fitPts.push(...pts);
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
    for (const p of this.points) if (p.minK === 0 && !p.node.classList.contains("label")) this.fitPts.push([p.x, p.y]);
    if (!this.fitPts.length) this.fitPts = [[box[0], box[1]], [box[2], box[3]]];
    this.axis = principalAxis(this.fitPts);
    this.measure();
    this.fitted = true;
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
  // rank orders labels for decluttering: lower ranks win.
  label([x, y], text, cls, minK, dx = 0, dy = 0) {
    const t = el("text", { class: `label ${cls}`, "text-anchor": "middle" }, this.marks);
    t.textContent = text;
    const p = { node: t, x, y, minK, dx, dy, rank: 3, label: true };
    this.points.push(p);
    return p;
  }

  // measure notes each label's size on the screen (drawn, before any is
  // hidden), for decluttering.
  measure() {
    for (const p of this.points) {
      if (!p.label) continue;
      let w = 0;
      try {
        w = p.node.getComputedTextLength();
      } catch {
        /* not drawn */
      }
      const size = parseFloat(getComputedStyle(p.node).fontSize) || 11;
      p.w = (w || p.node.textContent.length * size * 0.62) + 4;
      p.h = size + 3;
    }
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
    if (text) {
      const kind = cls.split(" ")[0];
      const l = this.label([x, y], text, `${kind}-label`, minK, 0, cls === "bay" ? -7 : -13);
      l.rank = { checkpoint: 2, charger: 3, bay: 5 }[kind] || 4;
      g.dataset.label = String(this.points.indexOf(l));
      l.mark = g;
    }
  }

  // screen maps a world point to the SVG's pixels: about the view's
  // centre, turned by rot, scaled by k, y up.
  screen(x, y) {
    const { cx, cy, k, rot } = this.view;
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    const dx = x - cx;
    const dy = y - cy;
    return [(dx * c - dy * s) * k + this.w / 2, -(dx * s + dy * c) * k + this.h / 2];
  }

  // offset is the world vector a screen vector (dx, dy) in pixels spans.
  offset(dx, dy) {
    const { k, rot } = this.view;
    const rx = dx / k;
    const ry = -dy / k;
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    return [rx * c + ry * s, -rx * s + ry * c];
  }

  // fit shows the site's lanes and places whole, as large as the panel
  // allows, turned so the corridor's long axis runs along the panel's
  // long side (unless northUp).
  fit() {
    if (!this.bbox) return;
    const r = this.svg.getBoundingClientRect();
    this.w = r.width || 800;
    this.h = r.height || 500;
    let rot = 0;
    if (!this.northUp) {
      rot = -this.axis + (this.h > this.w * 1.15 ? Math.PI / 2 : 0);
      rot = Math.atan2(Math.sin(rot), Math.cos(rot));
      if (rot > Math.PI / 2) rot -= Math.PI; // keep north on the upper half
      if (rot < -Math.PI / 2) rot += Math.PI;
      if (Math.abs(rot) < 0.035) rot = 0; // within 2 degrees: north up
    }
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of this.fitPts) {
      const u = x * c - y * s;
      const v = x * s + y * c;
      b[0] = Math.min(b[0], u);
      b[1] = Math.min(b[1], v);
      b[2] = Math.max(b[2], u);
      b[3] = Math.max(b[3], v);
    }
    // margins: room for markers and labels at the sides, for the
    // territory names above
    const k = Math.min((this.w - 70) / Math.max(b[2] - b[0], 1), (this.h - 110) / Math.max(b[3] - b[1], 1));
    const [mu, mv] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2 + 14 / k];
    this.view = { cx: mu * c + mv * s, cy: -mu * s + mv * c, k, rot };
    this.k0 = k;
    this.fitted = true;
    this.svg.dataset.rot = String(Math.round((rot * 180) / Math.PI));
    this.render(false);
  }

  // aspect is the fitted site's width over its height (turned as fit
  // turns it for a wide panel): how tall a panel it wants.
  aspect() {
    if (!this.fitPts) return 2;
    const rot = this.northUp ? 0 : -this.axis;
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    const us = this.fitPts.map(([x, y]) => x * c - y * s);
    const vs = this.fitPts.map(([x, y]) => x * s + y * c);
    return (Math.max(...us) - Math.min(...us)) / Math.max(Math.max(...vs) - Math.min(...vs), 1);
  }

  zoom(f, px, py) {
    const { k } = this.view;
    const nk = Math.min(Math.max(k * f, (this.k0 || k) / 2), (this.k0 || k) * 60);
    if (px === undefined) {
      px = this.w / 2;
      py = this.h / 2;
    }
    // keep the world point under (px, py) in place
    const [ox, oy] = this.offset(px - this.w / 2, py - this.h / 2);
    const wx = this.view.cx + ox;
    const wy = this.view.cy + oy;
    this.view.k = nk;
    const [nx, ny] = this.offset(px - this.w / 2, py - this.h / 2);
    this.view.cx = wx - nx;
    this.view.cy = wy - ny;
    this.fitted = false;
    this.render(false);
  }

  // pan moves the view by (dx, dy) pixels.
  pan(dx, dy) {
    const [ox, oy] = this.offset(dx, dy);
    this.view.cx -= ox;
    this.view.cy -= oy;
    this.fitted = false;
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
      drag = { x: e.clientX, y: e.clientY, moved: false };
    });
    window.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.svg.classList.add("dragging");
      drag.x = e.clientX;
      drag.y = e.clientY;
      this.pan(dx, dy);
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
    // keys on the focused map: arrows pan, + and - zoom, 0 fits
    this.svg.addEventListener("keydown", (e) => {
      if (e.target !== this.svg) return;
      const step = 60;
      const keys = {
        ArrowLeft: () => this.pan(step, 0),
        ArrowRight: () => this.pan(-step, 0),
        ArrowUp: () => this.pan(0, step),
        ArrowDown: () => this.pan(0, -step),
        "+": () => this.zoom(1.5),
        "=": () => this.zoom(1.5),
        "-": () => this.zoom(1 / 1.5),
        0: () => this.fit(),
      };
      if (keys[e.key]) {
        e.preventDefault();
        keys[e.key]();
      }
    });
    // a marker's hidden label shows while it is hovered or focused
    const reveal = (e, on) => {
      const m = e.target.closest && e.target.closest(".mark, .shuttle");
      if (!m) return;
      const l = m.classList.contains("shuttle") ? m.querySelector(".sh-label") : this.points[Number(m.dataset.label)]?.node;
      if (l) l.classList.toggle("reveal", on);
    };
    this.svg.addEventListener("pointerover", (e) => reveal(e, true));
    this.svg.addEventListener("pointerout", (e) => reveal(e, false));
    this.svg.addEventListener("focusin", (e) => reveal(e, true));
    this.svg.addEventListener("focusout", (e) => reveal(e, false));
  }

  // render places everything for the current view; animate lets the
  // shuttles glide to their new places (not when the view changes).
  render(animate) {
    const r = this.svg.getBoundingClientRect();
    if (!r.width) return;
    this.w = r.width;
    this.h = r.height;
    const { cx, cy, k, rot } = this.view;
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    this.world.setAttribute(
      "transform",
      `matrix(${k * c},${-k * s},${-k * s},${-k * c},${this.w / 2 - k * (cx * c - cy * s)},${this.h / 2 + k * (cx * s + cy * c)})`,
    );
    let top = Infinity;
    for (const p of this.points) {
      const [sx, sy] = this.screen(p.x, p.y);
      p.sx = sx + (p.dx || 0);
      p.sy = sy + (p.dy || 0);
      if (!this.zoneLabels.includes(p)) top = Math.min(top, p.sy);
    }
    // the territory names in a row above the site
    for (const z of this.zoneLabels) z.sy = Math.max(16, top - 34);
    for (const p of this.points) {
      const show = k >= (this.k0 || k) * p.minK;
      p.node.setAttribute("transform", `translate(${p.sx.toFixed(1)},${p.sy.toFixed(1)})`);
      p.node.classList.toggle("hidden", !show);
    }
    this.fleet.classList.toggle("glide", animate);
    this.spread();
    this.declutter();
  }

  // spread places the shuttles: where they are, but those that would
  // overlap on the screen (a queue at a gate, a yard's bays at a low
  // zoom) around their common centre, far enough apart to tell and click
  // each, with a leader line from each marker to where it is.
  spread() {
    const list = [...this.shuttles.values()];
    for (const sh of list) [sh.px, sh.py] = this.screen(sh.x, sh.y);
    const near = 20; // px: two bodies (r 8) and a little air
    const groups = [];
    for (const sh of list) {
      const g = groups.find((g) => g.some((o) => Math.hypot(o.px - sh.px, o.py - sh.py) < near));
      if (g) g.push(sh);
      else groups.push([sh]);
    }
    // groups that came to overlap after merging are merged again
    for (let merged = true; merged; ) {
      merged = false;
      for (let i = 0; i < groups.length && !merged; i++) {
        for (let j = i + 1; j < groups.length && !merged; j++) {
          if (groups[i].some((a) => groups[j].some((b) => Math.hypot(a.px - b.px, a.py - b.py) < near))) {
            groups[i].push(...groups.splice(j, 1)[0]);
            merged = true;
          }
        }
      }
    }
    this.leaders.innerHTML = "";
    for (const g of groups) {
      if (g.length === 1) {
        const [sh] = g;
        [sh.sx, sh.sy] = [sh.px, sh.py];
        sh.g.classList.remove("spread");
        continue;
      }
      g.sort((a, b) => a.data.id.localeCompare(b.data.id, undefined, { numeric: true }));
      const mx = g.reduce((n, sh) => n + sh.px, 0) / g.length;
      const my = g.reduce((n, sh) => n + sh.py, 0) / g.length;
      const r = Math.max(22, (g.length * 24) / (2 * Math.PI));
      g.forEach((sh, i) => {
        const a = -Math.PI / 2 + (2 * Math.PI * i) / g.length;
        sh.sx = mx + r * Math.cos(a);
        sh.sy = my + r * Math.sin(a);
        sh.g.classList.add("spread");
        el("line", { x1: sh.px.toFixed(1), y1: sh.py.toFixed(1), x2: sh.sx.toFixed(1), y2: sh.sy.toFixed(1), class: "leader" }, this.leaders);
      });
      el("circle", { cx: mx.toFixed(1), cy: my.toFixed(1), r: 2.5, class: "leader-hub" }, this.leaders);
    }
    for (const sh of list) {
      sh.g.style.transform = `translate(${sh.sx.toFixed(1)}px, ${sh.sy.toFixed(1)}px)`;
      sh.g.dataset.sx = sh.sx.toFixed(1);
      sh.g.dataset.sy = sh.sy.toFixed(1);
    }
  }

  // declutter hides each label that would overlap one placed before it:
  // shuttles' labels first, then by rank (territories, centres,
  // checkpoints, chargers, bays), left to right. A hidden one shows while
  // its marker is hovered or focused.
  declutter() {
    const placed = [];
    const fits = (b) => {
      for (const o of placed) if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return false;
      placed.push(b);
      return true;
    };
    // the territories' names first: they say where everything is
    for (const z of this.zoneLabels) {
      if (z.node.classList.contains("hidden")) continue;
      const w = z.w || 80;
      z.node.classList.toggle("clutter", !fits([z.sx - w / 2, z.sy - (z.h || 16) + 3, z.sx + w / 2, z.sy + 3]));
    }
    for (const sh of [...this.shuttles.values()].sort((a, b) => (a.data.id === this.selected ? -1 : b.data.id === this.selected ? 1 : 0))) {
      placed.push([sh.sx - 9, sh.sy - 9, sh.sx + 9, sh.sy + 15]); // the body and its charge bar
      const l = sh.g.querySelector(".sh-label");
      const w = l.textContent.length * 7 + 3;
      l.classList.toggle("clutter", !fits([sh.sx + 11, sh.sy - 19, sh.sx + 11 + w, sh.sy - 5]));
    }
    const labels = this.points.filter((p) => p.label && !p.node.classList.contains("hidden") && !this.zoneLabels.includes(p));
    labels.sort((a, b) => a.rank - b.rank || a.sx - b.sx);
    for (const p of labels) {
      const w = p.w || 40;
      const h = p.h || 14;
      p.node.classList.toggle("clutter", !fits([p.sx - w / 2, p.sy - h + 3, p.sx + w / 2, p.sy + 3]));
    }
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
        const g = el("g", { class: "shuttle", "data-id": sh.id, tabindex: "0", role: "button" }, this.fleet);
        g.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            this.onSelect(sh.id, g);
          }
        });
        el("circle", { r: 17, class: "stuck-ring" }, g);
        el("circle", { r: 13, class: "halo" }, g);
        el("circle", { r: 8, class: "body" }, g);
        el("rect", { x: -4, y: -4, width: 8, height: 8, class: "box" }, g);
        el("rect", { x: -9, y: 11, width: 18, height: 3, class: "soc-bg" }, g);
        el("rect", { x: -9, y: 11, width: 18, height: 3, class: "soc" }, g);
        el("text", { x: 12, y: -8, class: "sh-label" }, g);
        s = { g, x: 0, y: 0 };
        // a new marker appears where it is, not gliding from a corner
        g.style.transition = "none";
        requestAnimationFrame(() => requestAnimationFrame(() => (g.style.transition = "")));
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
      const stuck = this.stuckOf ? this.stuckOf(sh) : null;
      s.g.setAttribute(
        "class",
        `shuttle st-${sh.state || "unknown"}${laden ? " laden" : ""}${sh.id === this.selected ? " sel" : ""}${stuck ? " stuck" : ""}${s.g.classList.contains("spread") ? " spread" : ""}`,
      );
      s.g.setAttribute("aria-label", `shuttle ${sh.id}, ${(sh.state || "not joined").replace(/_/g, " ")}${stuck ? `, stuck: ${stuck.text}` : ""}`);
      const soc = Math.max(0, Math.min(1, sh.soc || 0));
      const bar = s.g.querySelector(".soc");
      bar.setAttribute("width", (18 * soc).toFixed(1));
      bar.setAttribute("class", `soc ${soc < 0.25 ? "low" : soc < 0.45 ? "mid" : "ok"}`);
      s.g.querySelector(".sh-label").textContent = shortID(sh.id);
      s.tip = tipText(sh, mv, laden) + (stuck ? `\nstuck: ${stuck.text} for ${stuck.for}` : "");
    }
    for (const [id, s] of this.shuttles) {
      if (!seen.has(id)) {
        s.g.remove();
        this.shuttles.delete(id);
      }
    }
    this.render(true);
  }

  // markStuck marks the shuttles stuck now (stuckOf), as time passes
  // between two snapshots.
  markStuck() {
    if (!this.stuckOf) return;
    for (const s of this.shuttles.values()) if (s.data) s.g.classList.toggle("stuck", !!this.stuckOf(s.data));
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

// principalAxis is the angle (radians, from east, counter-clockwise) of
// the line the points spread most along.
function principalAxis(pts) {
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p[0], 0) / n;
  const my = pts.reduce((a, p) => a + p[1], 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of pts) {
    sxx += (x - mx) * (x - mx);
    syy += (y - my) * (y - my);
    sxy += (x - mx) * (y - my);
  }
  return 0.5 * Math.atan2(2 * sxy, sxx - syy);
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
