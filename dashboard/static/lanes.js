// lanes.js: the lanes panel: the lanes and links closed to new routes
// (GET /v1/lanes), each with its "reopen", and a form to close one; the
// map draws the closed ones.
import { actionButton, cells, errText, setText, syncRows, toast } from "./ui.js";

const byNum = (a, b) => a.localeCompare(b, undefined, { numeric: true });

export class LanesPanel {
  // root is the panel's section; map a SiteMap. Set client before refresh.
  constructor(root, map) {
    this.root = root;
    this.map = map;
    this.client = null;
    this.names = new Map(); // lane id -> name, for those that have one
    this.seq = 0; // bumped by every render: an older list is not drawn over a newer one
    this.input = root.querySelector("#lane-id");
    this.err = root.querySelector("#lane-error");
    this.note = root.querySelector("#lane-note");
    root.querySelector("#lane-close").addEventListener("submit", (e) => {
      e.preventDefault();
      this.close();
    });
    this.input.addEventListener("input", () => this.input.classList.remove("bad"));
  }

  // setChoices offers ids (lanes, then links) in the close form.
  setChoices(ids) {
    const dl = this.root.querySelector("#lane-ids");
    dl.innerHTML = "";
    for (const id of ids) {
      const o = document.createElement("option");
      o.value = id;
      dl.appendChild(o);
    }
  }

  async refresh() {
    if (!this.client) return;
    const seq = this.seq;
    try {
      const r = await this.client.get("/v1/lanes");
      for (const l of r.lanes || []) if (l.name) this.names.set(l.id, l.name);
      if (seq === this.seq) this.render(r.closed || []);
    } catch {
      /* the stream's status shows an unreachable fleetd */
    }
  }

  // render lists the closed lanes and links and draws them on the map.
  render(closed) {
    this.seq++;
    const ids = [...closed].sort(byNum);
    this.root.querySelector("#lanes-count").textContent = String(ids.length);
    this.root.querySelector("#lanes-empty").hidden = ids.length > 0;
    syncRows(
      this.root.querySelector("#lanes tbody"),
      ids,
      (id) => id,
      (tr, id) => {
        cells(tr, 2);
        const act = tr.children[1];
        act.className = "act";
        const b = actionButton("reopen", () => this.reopen(id), "ok");
        b.dataset.verb = "reopen";
        act.appendChild(b);
      },
      (tr, id) => {
        const [lane, link] = id.split("#");
        const name = this.names.get(lane);
        setText(tr.children[0], id, "mono");
        tr.children[0].title = link ? `link ${link} of lane ${name || lane}` : name || `lane ${id}`;
      },
    );
    this.map.setClosed(ids);
  }

  async close() {
    const id = this.input.value.trim();
    if (!id) {
      this.fail("id", "name a lane, or a link of one (lane#n), to close");
      return;
    }
    const btn = this.root.querySelector("#lane-submit");
    btn.disabled = true;
    try {
      // link ids hold a '#': encoded, or it would end the path
      const r = await this.client.post(`/v1/lanes/${encodeURIComponent(id)}/close`);
      this.fail("", "");
      this.input.value = "";
      this.render(r.closed_lanes || []);
      const over = r.still_routed_over || [];
      this.showNote(
        r.lane,
        over.length ? `${r.lane} is closed, but ${over.join(", ")} still ${over.length > 1 ? "drive" : "drives"} over it: no other way to the goal. Stop, or let pass.` : "",
      );
      toast(`${r.lane} closed to new routes`, "ok");
    } catch (e) {
      this.fail(e.field, errText(e));
    } finally {
      btn.disabled = false;
    }
  }

  async reopen(id) {
    try {
      const r = await this.client.post(`/v1/lanes/${encodeURIComponent(id)}/reopen`);
      this.render(r.closed_lanes || []);
      if (this.note.dataset.lane === id) this.showNote(id, "");
      toast(`${id} reopened`, "ok");
    } catch (e) {
      toast(`Reopen ${id}: ${errText(e)}`);
    }
  }

  // fail shows an error of the close form, on its field when it names one.
  fail(field, msg) {
    this.err.hidden = !msg;
    this.err.textContent = msg || "";
    this.input.classList.toggle("bad", !!msg && field === "id");
    if (msg) this.input.focus();
  }

  showNote(lane, msg) {
    this.note.dataset.lane = lane;
    this.note.hidden = !msg;
    this.note.textContent = msg;
  }
}
