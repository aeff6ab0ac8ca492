// The inspector: for people connecting and debugging MCP servers. Servers with their handshake
// and output, tools with their schemas, a call through the gateway's own form with the raw
// exchange beside the widget it renders as, the live MCP traffic log, and the chat pane.
// Reads the JSON endpoints under /api (see /openapi.json).

import { authHeaders, ChatKitError, readEvents } from "./protocol.js";
import { ChatPane } from "./chat.js";
import { renderWidget } from "./widgets.js";
import { el, tokenForm } from "./dom.js";

const KEEP_TRAFFIC = 1000;
/** Output lines that usually say what went wrong (shown in red among the rest). */
const TELLING = /\b(error|exception|traceback|fatal|failed|failure|cannot|can't|denied|not found|missing|invalid|refused)\b/i;

/** A one-line glimpse of a traffic entry: the params, result or error it carries. */
function preview(entry) {
  const m = entry.message;
  if (!m) return (entry.text || "").slice(0, 100);
  const part = m.params ?? m.result ?? m.error ?? null;
  const text = part === null ? "" : JSON.stringify(part);
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

const json = (value) => el("pre", { class: "in-json" }, JSON.stringify(value, null, 2));
const ms = (value) => (value === undefined || value === null ? "–" : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`);

async function api(path, body) {
  const init = body === undefined ? { headers: authHeaders() } : { method: "POST", headers: authHeaders({ "Content-Type": "application/json" }), body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw new ChatKitError("The gateway could not be reached.", 0);
  }
  const data = await response.json().catch(() => null);
  const report = response.status === 422 && data && "called" in data; // a call report: problems on the form
  if (!response.ok && !report) {
    const detail = data && (data.error || (Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail));
    throw new ChatKitError(detail || `${response.status} ${response.statusText}`, response.status);
  }
  return data;
}

class Inspector {
  constructor(root) {
    this.root = root;
    this.servers = [];
    this.tools = [];
    this.selected = null;
    this.traffic = [];
    this.paused = false;
    this.build();
  }

  build() {
    this.serverList = el("div", { class: "in-servers" });
    this.toolView = el("div", { class: "in-tool" }, el("p", { class: "in-hint" }, "Choose a tool on the left to see its schemas and call it."));
    this.trafficRows = el("tbody");
    this.filters = {
      server: el("select", { "aria-label": "Server", onchange: () => this.showTraffic() }, el("option", { value: "" }, "All servers")),
      kind: el(
        "select",
        { "aria-label": "Kind", onchange: () => this.showTraffic() },
        ["", "request", "response", "error", "notification"].map((k) => el("option", { value: k }, k || "All kinds")),
      ),
      text: el("input", { type: "search", placeholder: "Method or text", "aria-label": "Filter traffic", oninput: () => this.showTraffic() }),
      pause: el("input", { type: "checkbox", "aria-label": "Pause", onchange: (e) => { this.paused = e.target.checked; if (!this.paused) this.showTraffic(); } }),
    };
    this.trafficCount = el("span", { class: "in-count" });
    const traffic = el(
      "section",
      { class: "in-panel", "aria-label": "MCP traffic" },
      el("div", { class: "in-filters" }, this.filters.server, this.filters.kind, this.filters.text, el("label", {}, this.filters.pause, " Pause"), el("button", { type: "button", onclick: () => { this.traffic = []; this.showTraffic(); } }, "Clear"), this.trafficCount),
      el("table", { class: "in-traffic" }, el("thead", {}, el("tr", {}, ["Time", "Server", "", "Kind", "Method", "Id", "Took", "Size", "Message"].map((h) => el("th", { scope: "col" }, h)))), this.trafficRows),
    );
    this.chatHost = el("div", { class: "in-chat" });
    this.panels = { tools: this.toolView, traffic, chat: this.chatHost };
    this.tabs = Object.keys(this.panels).map((name) =>
      el("button", { type: "button", role: "tab", id: `tab-${name}`, "aria-controls": `panel-${name}`, onclick: () => this.showTab(name) }, { tools: "Tools", traffic: "Traffic", chat: "Chat" }[name]),
    );
    for (const [name, panel] of Object.entries(this.panels)) {
      panel.id = `panel-${name}`;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", `tab-${name}`);
    }
    this.notice = el("div", { class: "in-notice", role: "status" });
    this.root.replaceChildren(
      el("aside", { class: "in-side", "aria-label": "Servers and tools" }, el("h2", {}, "Servers"), this.serverList),
      el("main", { class: "in-main" }, el("div", { role: "tablist", class: "in-tabs", "aria-label": "Inspector" }, this.tabs), this.notice, ...Object.values(this.panels)),
    );
    this.showTab("tools");
  }

  showTab(name) {
    for (const tab of this.tabs) tab.setAttribute("aria-selected", String(tab.id === `tab-${name}`));
    for (const [key, panel] of Object.entries(this.panels)) panel.hidden = key !== name;
    if (name === "chat" && !this.chat) {
      const block = document.getElementById("gateway-config");
      this.chat = new ChatPane(this.chatHost, block ? JSON.parse(block.textContent || "{}") : {});
      this.chat.init();
    }
  }

  async start() {
    await this.refresh();
    this.follow();
  }

  async retryStart() {
    await this.refresh();
    if (!this.following) this.follow();
  }

  async refresh() {
    try {
      [this.servers, this.tools] = await Promise.all([api("/servers"), api("/tools")]);
      this.notice.replaceChildren();
    } catch (error) {
      return this.fail(error, () => this.retryStart());
    }
    this.showServers();
    const known = new Set(Array.from(this.filters.server.options, (o) => o.value));
    for (const s of this.servers) if (!known.has(s.name)) this.filters.server.append(el("option", { value: s.name }, s.name));
  }

  fail(error, again) {
    if (error instanceof ChatKitError && error.status === 401) {
      this.notice.replaceChildren(tokenForm(error.message, "in-token", again));
      return;
    }
    this.notice.replaceChildren(el("span", { class: "in-error" }, error.message), el("button", { type: "button", onclick: again }, "Try again"));
  }

  // -- servers and tools -------------------------------------------------------------------

  showServers() {
    this.serverList.replaceChildren(
      ...this.servers.map((s) => {
        const tools = this.tools.filter((t) => t.server === s.name);
        const info = s.server_info ? `${s.server_info.name || ""} ${s.server_info.version || ""}`.trim() : "";
        return el(
          "section",
          { class: `in-server in-${s.state}`, "aria-label": `Server ${s.name}` },
          el("h3", {}, s.name, " ", el("span", { class: `in-state in-state-${s.state}` }, s.state)),
          el("dl", {}, el("dt", {}, "Transport"), el("dd", {}, s.transport), el("dt", {}, "Protocol"), el("dd", {}, s.protocol_version || "–"), info && [el("dt", {}, "Server"), el("dd", {}, info)], el("dt", {}, "Endpoint"), el("dd", { class: "in-mono" }, s.endpoint)),
          s.error && el("p", { class: "in-error" }, s.error),
          s.recent_output.length > 0 && el("details", { open: s.state === "down" }, el("summary", {}, "Recent output"), el("pre", { class: "in-output" }, s.recent_output.map((line) => el("span", { class: TELLING.test(line) ? "in-telling" : "" }, line, "\n")))),
          s.capabilities && el("details", {}, el("summary", {}, "Capabilities"), json(s.capabilities)),
          s.instructions && el("details", {}, el("summary", {}, "Instructions"), el("p", {}, s.instructions)),
          el(
            "ul",
            { class: "in-tools", "aria-label": `Tools of ${s.name}` },
            tools.map((t) => el("li", {}, el("button", { type: "button", class: "in-tool-button", onclick: () => this.select(t) }, t.title || t.name, t.title ? el("span", { class: "in-mono in-dim" }, ` ${t.name}`) : null))),
          ),
        );
      }),
    );
  }

  async select(tool) {
    this.selected = tool;
    this.showTab("tools");
    const hints = Object.entries(tool.annotations || {}).filter(([k, v]) => k.endsWith("Hint") && v === true).map(([k]) => el("span", { class: `in-badge in-${k}` }, k.replace(/Hint$/, "")));
    this.formHost = el("div", { class: "in-form" });
    this.argsText = el("textarea", { rows: 4, class: "in-mono", "aria-label": "Arguments as JSON" }, "{}");
    this.results = el("div", { class: "in-results", "aria-live": "polite" });
    this.toolView.replaceChildren(
      ...[
      el("h2", {}, tool.title || tool.name, " ", el("code", {}, tool.qualified)),
      el("p", {}, tool.description || el("em", {}, "No description.")),
      hints.length ? el("p", { class: "in-badges" }, hints) : null,
      el("div", { class: "in-schemas" }, el("details", { open: true }, el("summary", {}, "Input schema"), json(tool.input_schema)), el("details", {}, el("summary", {}, tool.output_schema ? "Output schema" : "No output schema"), tool.output_schema ? json(tool.output_schema) : null), tool.annotations ? el("details", {}, el("summary", {}, "Annotations"), json(tool.annotations)) : null),
      el("h3", {}, "Call it"),
      this.formHost,
      el("details", { class: "in-raw-call" }, el("summary", {}, "Or call with JSON arguments"), this.argsText, el("button", { type: "button", onclick: () => this.callWithJson() }, "Call with JSON")),
      this.results,
      ].filter(Boolean),
    );
    const host = this.formHost;
    try {
      const form = await api(`/tools/${encodeURIComponent(tool.qualified)}/form`);
      if (this.selected !== tool) return; // another tool was chosen meanwhile
      this.showForm(form.widget);
    } catch (error) {
      host.replaceChildren(el("p", { class: "in-error" }, error.message));
    }
  }

  showForm(widget) {
    this.formHost.replaceChildren(
      renderWidget(widget, {
        onAction: (action) => {
          const payload = action.payload || {};
          if (action.type === "tool.cancel") return;
          return this.call({ arguments: payload.arguments || {}, input: payload.input || {} });
        },
      }),
    );
  }

  callWithJson() {
    let args;
    try {
      args = JSON.parse(this.argsText.value || "{}");
    } catch (error) {
      this.results.replaceChildren(el("p", { class: "in-error" }, `The arguments are not valid JSON: ${error.message}`));
      return;
    }
    return this.call({ arguments: args });
  }

  async call(body, confirmed = false) {
    const tool = this.selected;
    if (tool.annotations && tool.annotations.destructiveHint && !confirmed) {
      this.results.replaceChildren(
        el(
          "div",
          { class: "in-confirm", role: "alert" },
          el("p", {}, `${tool.qualified} is marked destructive. Call it anyway?`),
          el("button", { type: "button", class: "in-danger", onclick: () => this.call(body, true) }, "Call it"),
          el("button", { type: "button", onclick: () => this.results.replaceChildren() }, "Cancel"),
        ),
      );
      return;
    }
    this.results.replaceChildren(el("p", { class: "in-dim" }, "Calling…"));
    let report;
    const results = this.results;
    try {
      report = await api(`/tools/${encodeURIComponent(tool.qualified)}/call`, { ...body, confirmed });
    } catch (error) {
      results.replaceChildren(el("p", { class: "in-error" }, error.message));
      return;
    }
    if (this.selected !== tool) return; // the answer belongs to a tool no longer shown
    if (report.problems && Object.keys(report.problems).length) {
      if (report.widget) this.showForm(report.widget);
      this.results.replaceChildren(el("p", { class: "in-error" }, "Nothing was called: the arguments have problems (shown on the form)."), json(report.problems));
      return;
    }
    this.showReport(report);
    this.refresh(); // a call can bring a server down or change its tools
  }

  showReport(report) {
    const check = report.output_check;
    const verdict = !check.declared ? ["in-dim", "no output schema"] : check.valid === null ? ["in-dim", "not checked (error result)"] : check.valid ? ["in-ok", "structuredContent matches the output schema"] : ["in-bad", "structuredContent does not match the output schema"];
    const raw = el(
      "section",
      { class: "in-raw", "aria-label": "Raw MCP result" },
      el("h3", {}, "Raw MCP result"),
      el("p", { class: `in-check ${verdict[0]}` }, verdict[1]),
      check.problems.length ? el("ul", { class: "in-problems" }, check.problems.map((p) => el("li", {}, el("code", {}, p.path || "/"), " ", p.message))) : null,
      report.error ? el("p", { class: "in-error" }, report.error) : null,
      report.result !== null && report.result !== undefined ? json(report.result) : el("p", { class: "in-dim" }, "No result."),
      el("details", {}, el("summary", {}, "JSON-RPC request and response"), el("h4", {}, "Request"), json(report.request), el("h4", {}, "Response"), json(report.response)),
    );
    const preview = el("div", { class: "in-preview" });
    preview.append(
      renderWidget(report.widget, {
        onAction: (action) => {
          preview.querySelector(".in-action-note")?.remove();
          preview.append(el("div", { class: "in-action-note" }, el("p", {}, "In a chat, this would send the action:"), json(action)));
        },
      }),
    );
    const t = report.timings;
    const widget = el(
      "section",
      { class: "in-widget", "aria-label": "Rendered widget" },
      el("h3", {}, "Widget"),
      el("p", { class: "in-chosen" }, "Chosen by: ", el("strong", {}, report.chosen_by || "–")),
      preview,
      el("details", {}, el("summary", {}, "Copy text (what a model sees)"), el("p", {}, report.copy_text || "")),
      el("details", {}, el("summary", {}, "Widget JSON"), json(report.widget)),
    );
    const timings = el(
      "table",
      { class: "in-timings", "aria-label": "Timings" },
      el("tbody", {}, [["Check arguments", t.validate], ["MCP call (gateway)", t.call], ["Server (request → response)", t.server], ["Render", t.render], ["Total", t.total]].map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, ms(v))))),
    );
    this.results.replaceChildren(timings, el("div", { class: "in-side-by-side" }, raw, widget));
  }

  // -- traffic -----------------------------------------------------------------------------

  /** Follow the live log: subscribe first, then fetch what came before, so nothing falls between. */
  async follow() {
    this.following = true;
    const panel = this.panels.traffic;
    const live = new AbortController();
    try {
      const response = await fetch("/api/traffic/live", { headers: authHeaders(), signal: live.signal });
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        throw new ChatKitError((data && data.error) || `the live traffic log answered ${response.status}`, response.status);
      }
      let subscribed;
      const ready = new Promise((resolve) => (subscribed = resolve));
      const events = readEvents(response.body, {
        onComment: () => {
          panel.dataset.live = "on";
          subscribed();
        },
      });
      const first = events.next(); // reading starts; the server's first line says it is subscribed
      await Promise.race([ready, first]);
      const page = await api("/traffic?limit=500");
      this.merge(page.entries);
      for (let next = await first; !next.done; next = await events.next()) this.add(next.value);
    } catch (error) {
      delete panel.dataset.live;
      live.abort(); // whatever failed, the live connection is not left open
      if (error instanceof ChatKitError && (error.status === 401 || error.status === 403)) {
        this.following = false;
        this.trafficCount.textContent = error.message;
        return;
      }
    }
    delete panel.dataset.live;
    setTimeout(() => this.follow(), 3000); // the stream ended (the gateway restarted): follow again
  }

  merge(entries) {
    const seen = new Set(this.traffic.map((e) => e.seq));
    this.traffic = this.traffic.concat(entries.filter((e) => !seen.has(e.seq))).sort((a, b) => a.seq - b.seq).slice(-KEEP_TRAFFIC);
    this.showTraffic();
  }

  add(entry) {
    if (this.traffic.some((e) => e.seq === entry.seq)) return;
    this.traffic.push(entry);
    if (this.traffic.length > KEEP_TRAFFIC) this.traffic.splice(0, this.traffic.length - KEEP_TRAFFIC);
    if (!this.paused && this.passes(entry)) {
      this.trafficRows.prepend(this.row(entry));
      while (this.trafficRows.children.length > KEEP_TRAFFIC) this.trafficRows.lastChild.remove();
      this.countTraffic();
    }
  }

  passes(entry) {
    const f = this.filters;
    const text = f.text.value.trim().toLowerCase();
    return (!f.server.value || entry.server === f.server.value) && (!f.kind.value || entry.kind === f.kind.value) && (!text || (entry.method || "").toLowerCase().includes(text) || JSON.stringify(entry.message ?? entry.text).toLowerCase().includes(text));
  }

  showTraffic() {
    const shown = this.traffic.filter((e) => this.passes(e)).reverse();
    this.trafficRows.replaceChildren(...shown.map((e) => this.row(e)));
    this.countTraffic();
  }

  countTraffic() {
    this.trafficCount.textContent = `${this.trafficRows.children.length} of ${this.traffic.length} messages`;
  }

  row(entry) {
    const time = new Date(entry.at * 1000).toLocaleTimeString([], { hour12: false }) + `.${String(Math.floor((entry.at % 1) * 1000)).padStart(3, "0")}`;
    const arrow = entry.direction === "out" ? "→" : "←";
    const row = el(
      "tr",
      { class: `in-${entry.kind}`, tabIndex: 0, "aria-expanded": "false" },
      el("td", { class: "in-mono" }, time),
      el("td", {}, entry.server),
      el("td", { title: entry.direction === "out" ? "gateway → server" : "server → gateway" }, arrow),
      el("td", {}, entry.kind),
      el("td", { class: "in-mono" }, entry.method || ""),
      el("td", { class: "in-mono" }, entry.id ?? ""),
      el("td", {}, entry.duration_ms === null ? "" : ms(entry.duration_ms)),
      el("td", {}, `${entry.size} B`),
      el("td", { class: "in-mono in-preview-cell" }, preview(entry)),
    );
    const toggle = () => {
      const next = row.nextElementSibling;
      if (next && next.classList.contains("in-detail")) {
        next.remove();
        row.setAttribute("aria-expanded", "false");
        return;
      }
      row.setAttribute("aria-expanded", "true");
      const body = entry.message !== null ? json(entry.message) : el("pre", { class: "in-json" }, `${entry.text}\n… (${entry.size} characters in all; the log keeps the start)`);
      row.after(el("tr", { class: "in-detail" }, el("td", { colSpan: 9 }, body)));
    };
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        toggle();
      }
    });
    return row;
  }
}

const root = document.getElementById("inspector");
if (root) new Inspector(root).start();
