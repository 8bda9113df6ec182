// api.js: the dashboard's client of fleetd's HTTP API under /v1.

// ApiError is an error answer of the API: {"error", "field"} with its
// HTTP status (0: the request did not reach fleetd).
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || "";
  }
  // text is the error as shown to the operator.
  text() {
    const where = this.field ? ` [${this.field}]` : "";
    const code = this.status ? `HTTP ${this.status}: ` : "";
    return `${code}${this.message}${where}`;
  }
}

export class Client {
  constructor(token) {
    this.token = token;
  }

  // req calls the API and returns its JSON, or throws an ApiError.
  async req(method, path, body, headers = {}) {
    const h = { Authorization: `Bearer ${this.token}`, ...headers };
    const init = { method, headers: h, cache: "no-store" };
    if (body !== undefined) {
      h["Content-Type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, `fleetd did not answer (${e.message})`);
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const msg = (data && data.error) || text.trim() || res.statusText;
      throw new ApiError(res.status, msg, data && data.field);
    }
    return data;
  }

  get(path) {
    return this.req("GET", path);
  }

  post(path, body, headers) {
    return this.req("POST", path, body === undefined ? "" : body, headers);
  }

  // status is the HTTP status of a call (for probing what a role may do).
  async status(method, path, body, headers = {}) {
    try {
      await this.req(method, path, body, headers);
      return 200;
    } catch (e) {
      return e.status;
    }
  }

  // stream reads a Server-Sent Events stream with fetch, so the token goes
  // in the Authorization header (EventSource cannot send one). It calls
  // onEvent(name, data, id) for every event (id: the event's, or "" when
  // it has none) and returns when the stream ends; it throws an ApiError
  // when the stream cannot be opened. lastId, when given, is sent as
  // Last-Event-ID: the stream goes on from that event.
  async stream(path, onEvent, signal, lastId) {
    let res;
    const headers = { Authorization: `Bearer ${this.token}`, Accept: "text/event-stream" };
    if (lastId) headers["Last-Event-ID"] = lastId;
    try {
      res = await fetch(path, {
        headers,
        cache: "no-store",
        signal,
      });
    } catch (e) {
      if (signal && signal.aborted) return;
      throw new ApiError(0, `fleetd did not answer (${e.message})`);
    }
    if (!res.ok) {
      let data = null;
      try {
        data = await res.json();
      } catch {
        data = null;
      }
      throw new ApiError(res.status, (data && data.error) || res.statusText, data && data.field);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value.replace(/\r\n?/g, "\n");
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let name = "message";
          let id = "";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) name = line.slice(6).trim();
            else if (line.startsWith("id:")) id = line.slice(3).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length === 0) continue;
          let v;
          try {
            v = JSON.parse(data.join("\n"));
          } catch {
            continue;
          }
          onEvent(name, v, id);
        }
      }
    } catch (e) {
      if (signal && signal.aborted) return;
      throw new ApiError(0, `event stream broke (${e.message})`);
    }
  }
}

// newKey is a fresh Idempotency-Key.
export function newKey() {
  if (crypto.randomUUID) return `dashboard-${crypto.randomUUID()}`;
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return `dashboard-${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
}
