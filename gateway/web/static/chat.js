// The gateway's own chat pane: a ChatKit client in plain JavaScript for machines that cannot
// load OpenAI's web component, and for the inspector. It lists threads, pages through history,
// streams replies, renders widgets (widgets.js) and sends their actions back the way the web
// component does, so confirmations and in-place replacement work as they do there.
//
// Everything in a thread is untrusted: text goes into the page as text, Markdown through
// markdown.js (no HTML, no remote images), widgets through widgets.js. The page's Content
// Security Policy forbids inline script and remote loads besides.

import { ChatKitClient, ChatKitError } from "./protocol.js";
import { renderMarkdown } from "./markdown.js";
import { renderWidget } from "./widgets.js";
import { el, tokenForm } from "./dom.js";

const PAGE = 20;

function shortDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
}

function findComponent(node, id) {
  if (!node || typeof node !== "object") return null;
  if (node.id === id) return node;
  for (const child of Array.isArray(node.children) ? node.children : []) {
    const found = findComponent(child, id);
    if (found) return found;
  }
  return null;
}

function replaceComponent(node, id, component) {
  if (!node || !Array.isArray(node.children)) return false;
  const index = node.children.findIndex((c) => c && c.id === id);
  if (index >= 0) {
    node.children[index] = component;
    return true;
  }
  return node.children.some((c) => replaceComponent(c, id, component));
}

/** Actions a person may take while a reply is still streaming: they reach into the call it runs. */
const DURING_A_REPLY = new Set(["question.answer", "task.cancel"]);

/** The chat pane, mounted in `root`. Options: api (URL of the ChatKit endpoint), title,
 * greeting, prompts ([{label, prompt}]), placeholder, threads (show the threads list). */
export class ChatPane {
  constructor(root, options = {}) {
    this.root = root;
    this.options = options;
    this.client = new ChatKitClient(options.api || "/chatkit");
    this.thread = null; // {id, title}
    this.items = new Map(); // item id → item JSON
    this.nodes = new Map(); // item id → its element
    this.threadsAfter = null;
    this.olderAfter = null;
    this.busy = null; // the turn whose stream is shown: {controller, view, userItem, threadId}
    this.view = 0; // counts changes of the thread shown: a stream started for another view is detached
    this.opening = false; // a thread is being loaded: nothing may be sent until it is shown
    this.deleted = new Set(); // threads deleted here: a detached stream must not bring their rows back
    this.build();
  }

  // -- layout ------------------------------------------------------------------------------

  build() {
    const o = this.options;
    this.threadList = el("ul", { class: "cp-thread-list", "aria-label": "Threads" });
    this.moreThreads = el("button", { type: "button", class: "cp-link", hidden: true, onclick: () => this.loadThreads(true) }, "More threads");
    this.sidebar = el(
      "nav",
      { class: "cp-sidebar", "aria-label": "Conversations", hidden: o.threads === false },
      el("button", { type: "button", class: "cp-new", onclick: () => this.newThread() }, "New chat"),
      this.threadList,
      this.moreThreads,
    );
    this.heading = el("h2", { class: "cp-title" }, o.title || "Chat");
    this.older = el("button", { type: "button", class: "cp-link cp-older", hidden: true, onclick: () => this.loadOlder() }, "Load earlier messages");
    this.log = el("div", { class: "cp-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
    this.start = el(
      "div",
      { class: "cp-start" },
      el("p", { class: "cp-greeting" }, o.greeting || "What can I help with?"),
      el(
        "div",
        { class: "cp-prompts" },
        (o.prompts || []).map((p) => el("button", { type: "button", class: "cp-prompt", onclick: () => this.send(p.prompt) }, p.label)),
      ),
    );
    this.status = el("div", { class: "cp-status", role: "status" });
    this.input = el("textarea", {
      class: "cp-input",
      rows: 1,
      "aria-label": "Message",
      placeholder: o.placeholder || "Type a message, or /tools",
      onkeydown: (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.composer.requestSubmit();
        }
      },
    });
    this.sendButton = el("button", { type: "submit", class: "cp-send" }, "Send");
    this.stopButton = el("button", { type: "button", class: "cp-stop", hidden: true, onclick: () => this.stop() }, "Stop");
    this.composer = el(
      "form",
      {
        class: "cp-composer",
        onsubmit: (event) => {
          event.preventDefault();
          const text = this.input.value.trim();
          if (text && !this.busy) {
            this.input.value = "";
            this.send(text);
          }
        },
      },
      this.input,
      this.sendButton,
      this.stopButton,
    );
    this.main = el("section", { class: "cp-main", "aria-label": "Chat" }, this.heading, el("div", { class: "cp-scroll" }, this.older, this.start, this.log), this.status, this.composer);
    this.root.replaceChildren(el("div", { class: "cp" }, this.sidebar, this.main));
    this.root.classList.add("cp-root");
  }

  async init() {
    const wanted = new URLSearchParams(location.hash.slice(1)).get("thread");
    await this.loadThreads(false);
    if (wanted) await this.open(wanted);
  }

  // -- threads -----------------------------------------------------------------------------

  async loadThreads(more) {
    if (this.options.threads === false) return;
    try {
      const page = await this.client.request("threads.list", { limit: PAGE, order: "desc", after: more ? this.threadsAfter : null });
      if (!more) this.threadList.replaceChildren();
      for (const thread of page.data) {
        if (!this.threadList.querySelector(`[data-thread-id="${CSS.escape(thread.id)}"]`)) this.threadList.append(this.threadRow(thread));
      }
      this.threadsAfter = page.after;
      this.moreThreads.hidden = !page.has_more;
    } catch (error) {
      if (more && error instanceof ChatKitError && error.status === 404) return this.loadThreads(false); // the cursor thread is gone
      this.fail(error, () => this.loadThreads(more));
    }
  }

  threadRow(thread) {
    const title = thread.title || "New chat";
    const open = el("button", { type: "button", class: "cp-thread", onclick: () => this.open(thread.id) }, el("span", { class: "cp-thread-title" }, title), el("span", { class: "cp-thread-date" }, shortDate(thread.created_at)));
    const remove = el("button", { type: "button", class: "cp-thread-delete", "aria-label": `Delete ${title}`, title: "Delete" }, "×");
    remove.addEventListener("click", () => {
      if (remove.dataset.armed) return this.deleteThread(thread.id);
      remove.dataset.armed = "1";
      remove.textContent = "Delete?";
      setTimeout(() => {
        delete remove.dataset.armed;
        remove.textContent = "×";
      }, 4000);
    });
    const row = el("li", { "data-thread-id": thread.id }, open, remove);
    if (this.thread && this.thread.id === thread.id) row.classList.add("cp-current");
    return row;
  }

  upsertThreadRow(thread) {
    if (this.deleted.has(thread.id)) return;
    const row = this.threadList.querySelector(`[data-thread-id="${CSS.escape(thread.id)}"]`);
    const fresh = this.threadRow(thread);
    if (row) row.replaceWith(fresh);
    else this.threadList.prepend(fresh);
    for (const r of this.threadList.children) r.classList.toggle("cp-current", !!this.thread && r.dataset.threadId === this.thread.id);
  }

  async deleteThread(id) {
    try {
      await this.client.request("threads.delete", { thread_id: id });
      this.deleted.add(id);
      this.threadList.querySelector(`[data-thread-id="${CSS.escape(id)}"]`)?.remove();
      if (this.thread && this.thread.id === id) this.newThread();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Show another thread: a reply still streaming goes on in the background (detached). */
  detach() {
    this.view += 1;
    if (this.busy) this.finishTurn(this.busy);
  }

  newThread() {
    this.detach();
    this.opening = false;
    this.thread = null;
    this.items.clear();
    this.nodes.clear();
    this.log.replaceChildren();
    this.older.hidden = true;
    this.start.hidden = false;
    this.heading.textContent = this.options.title || "Chat";
    this.clearStatus();
    history.replaceState(null, "", location.pathname + location.search);
    for (const r of this.threadList.children) r.classList.remove("cp-current");
    this.input.focus();
  }

  async open(id) {
    if (this.thread && this.thread.id === id && this.busy) return; // already shown, and answering
    this.detach();
    const view = this.view;
    this.opening = true;
    try {
      const thread = await this.client.request("threads.get_by_id", { thread_id: id });
      const page = await this.client.request("items.list", { thread_id: id, limit: PAGE, order: "desc" });
      if (view !== this.view) return; // another thread was chosen meanwhile
      this.opening = false;
      this.setThread(thread);
      this.items.clear();
      this.nodes.clear();
      this.log.replaceChildren();
      for (const item of page.data.slice().reverse()) this.upsert(item);
      this.olderAfter = page.after;
      this.older.hidden = !page.has_more;
      this.clearStatus();
      this.scrollDown(true);
    } catch (error) {
      this.fail(error, () => this.open(id));
    } finally {
      if (view === this.view) this.opening = false;
    }
  }

  async loadOlder() {
    if (!this.thread) return;
    const view = this.view;
    const threadId = this.thread.id;
    try {
      const page = await this.client.request("items.list", { thread_id: threadId, limit: PAGE, order: "desc", after: this.olderAfter });
      if (view !== this.view) return; // another thread is shown now
      const first = this.log.firstChild;
      for (const item of page.data) {
        if (this.items.has(item.id)) continue;
        this.items.set(item.id, item);
        const node = this.renderItem(item);
        this.nodes.set(item.id, node);
        this.log.insertBefore(node, this.log.firstChild);
      }
      this.olderAfter = page.after;
      this.older.hidden = !page.has_more;
      first?.scrollIntoView({ block: "start" });
    } catch (error) {
      if (view !== this.view) return;
      if (error instanceof ChatKitError && error.status === 404) return this.open(threadId); // the cursor item is gone
      this.fail(error, () => this.loadOlder());
    }
  }

  setThread(thread) {
    this.thread = { id: thread.id, title: thread.title, created_at: thread.created_at };
    this.heading.textContent = thread.title || "New chat";
    this.start.hidden = true;
    history.replaceState(null, "", `#thread=${encodeURIComponent(thread.id)}`);
    this.upsertThreadRow(this.thread);
  }

  // -- sending -----------------------------------------------------------------------------

  send(text) {
    const input = { content: [{ type: "input_text", text }], attachments: [], inference_options: {} };
    if (this.thread) return this.run("threads.add_user_message", { thread_id: this.thread.id, input });
    return this.run("threads.create", { input });
  }

  async act(action, itemId) {
    if (!this.thread) return;
    if (action.handler === "client") return; // no client-side handlers here
    const params = { thread_id: this.thread.id, item_id: itemId, action: { type: action.type, payload: action.payload ?? {} } };
    if (this.busy && DURING_A_REPLY.has(action.type)) return this.aside(params);
    await this.run("threads.custom_action", params);
  }

  /** An action aimed at the call the open reply is running (answer its server's question, cancel
   * its task): sent beside the reply's stream, its events shown in the same view. */
  async aside(params) {
    const view = this.view;
    try {
      for await (const event of this.client.stream("threads.custom_action", params)) {
        if (view === this.view) this.apply(event);
      }
    } catch (error) {
      this.showStatus("error", error.message || String(error));
    }
  }

  /** Answer the user message `itemId` again: the server drops what came after it, and so does the
   * pane, once the server has accepted the request. */
  retry(itemId) {
    if (!this.thread || !this.nodes.has(itemId)) return;
    if (this.busy) return this.showStatus("notice", "Still answering: wait for the reply to finish, or press Stop.");
    const dropLater = () => {
      let next = this.nodes.get(itemId)?.nextElementSibling;
      while (next) {
        const after = next.nextElementSibling;
        this.items.delete(next.dataset.itemId);
        this.nodes.delete(next.dataset.itemId);
        next.remove();
        next = after;
      }
    };
    return this.run("threads.retry_after_item", { thread_id: this.thread.id, item_id: itemId }, dropLater);
  }

  answerClientTool(result) {
    if (this.thread) return this.run("threads.add_client_tool_output", { thread_id: this.thread.id, result });
  }

  stop() {
    if (this.busy) this.busy.controller.abort();
  }

  /** Send one streamed request and show its events; `accepted` runs at its first event. */
  async run(type, params, accepted = null) {
    if (this.busy || this.opening) {
      this.showStatus("notice", this.busy ? "Still answering: wait for the reply to finish, or press Stop." : "Opening the thread…");
      return;
    }
    const turn = { controller: new AbortController(), view: this.view, userItem: null, threadId: this.thread && this.thread.id, received: false };
    this.busy = turn;
    this.root.classList.add("cp-busy");
    this.sendButton.disabled = true;
    this.clearStatus();
    try {
      for await (const event of this.client.stream(type, params, turn.controller.signal)) {
        turn.received = true;
        if (accepted) accepted = void accepted();
        if (event.type === "thread.created") turn.threadId = event.thread.id;
        if (event.item && event.item.type === "user_message") turn.userItem = event.item.id;
        if (turn.view === this.view) this.apply(event);
        else if (event.type === "thread.created" || event.type === "thread.updated") this.upsertThreadRow(event.thread);
      }
    } catch (error) {
      if (error.name !== "AbortError" && turn.view === this.view) this.fail(error, this.again(turn, type, params, accepted));
    } finally {
      this.finishTurn(turn);
    }
  }

  /** What "Try again" does after `turn` failed: never send a message twice, and never repeat an
   * action the server had started on (it may have called a tool): show the thread as stored instead. */
  again(turn, type, params, accepted) {
    if (turn.userItem) return () => this.retry(turn.userItem); // the message is stored: answer it again
    if (type === "threads.create" && turn.threadId) {
      return () => this.run("threads.add_user_message", { thread_id: turn.threadId, input: params.input });
    }
    if (turn.received && turn.threadId) return () => this.open(turn.threadId);
    return () => this.run(type, params, accepted);
  }

  finishTurn(turn) {
    if (this.busy !== turn) return;
    this.busy = null;
    this.root.classList.remove("cp-busy");
    this.sendButton.disabled = false;
    this.stopButton.hidden = true;
    if (this.status.dataset.kind === "progress") this.clearStatus(); // errors and notices stay
  }

  /** What "Try again" does after the server reported an error: answer the last message again. */
  retryLast() {
    const users = this.log.querySelectorAll("article[data-item-type=user_message]");
    const last = users[users.length - 1];
    if (last) this.retry(last.dataset.itemId);
  }

  // -- events ------------------------------------------------------------------------------

  apply(event) {
    switch (event.type) {
      case "thread.created":
      case "thread.updated":
        this.setThread(event.thread);
        break;
      case "thread.item.added":
      case "thread.item.done":
      case "thread.item.replaced":
        this.upsert(event.item);
        break;
      case "thread.item.removed":
        this.items.delete(event.item_id);
        this.nodes.get(event.item_id)?.remove();
        this.nodes.delete(event.item_id);
        break;
      case "thread.item.updated":
        this.update(event.item_id, event.update);
        break;
      case "progress_update":
        this.showStatus("progress", event.text);
        break;
      case "stream_options":
        this.stopButton.hidden = !(event.stream_options && event.stream_options.allow_cancel);
        break;
      case "notice":
        this.showStatus(event.level === "danger" ? "error" : "notice", [event.title, event.message].filter(Boolean).join(": "));
        break;
      case "error":
        this.showStatus("error", event.message || "Something went wrong.", event.allow_retry ? () => this.retryLast() : null);
        break;
      default:
        break; // client_effect and future events: nothing to show
    }
  }

  update(id, update) {
    const item = this.items.get(id);
    if (!item || !update) return;
    switch (update.type) {
      case "assistant_message.content_part.added":
      case "assistant_message.content_part.done":
        item.content = item.content || [];
        item.content[update.content_index] = update.content;
        break;
      case "assistant_message.content_part.text_delta": {
        item.content = item.content || [];
        const part = item.content[update.content_index] || { type: "output_text", text: "", annotations: [] };
        part.text = (part.text || "") + update.delta;
        item.content[update.content_index] = part;
        break;
      }
      case "widget.root.updated":
        item.widget = update.widget;
        break;
      case "widget.component.updated":
        if (item.widget && item.widget.id === update.component_id) item.widget = update.component;
        else replaceComponent(item.widget, update.component_id, update.component);
        break;
      case "widget.streaming_text.value_delta": {
        const component = findComponent(item.widget, update.component_id);
        if (component) component.value = (component.value || "") + update.delta;
        break;
      }
      case "workflow.task.added":
      case "workflow.task.updated":
        if (item.workflow) item.workflow.tasks[update.task_index] = update.task;
        break;
      default:
        return;
    }
    this.upsert(item);
  }

  upsert(item) {
    if (item.type === "hidden_context_item" || item.type === "sdk_hidden_context") return;
    this.items.set(item.id, item);
    const node = this.renderItem(item);
    const old = this.nodes.get(item.id);
    this.nodes.set(item.id, node);
    if (old) old.replaceWith(node);
    else {
      this.log.append(node);
      this.scrollDown(false);
    }
    this.start.hidden = true;
  }

  // -- items -------------------------------------------------------------------------------

  renderItem(item) {
    const node = el("article", { class: `cp-item cp-${item.type.replace(/_/g, "-")}`, "data-item-id": item.id, "data-item-type": item.type });
    switch (item.type) {
      case "user_message": {
        const text = (item.content || []).map((c) => (c.type === "input_tag" ? `@${c.text || c.id}` : c.text || "")).join("");
        node.append(el("div", { class: "cp-bubble" }, text));
        node.append(el("button", { type: "button", class: "cp-link cp-retry", "aria-label": "Retry from this message", onclick: () => this.retry(item.id) }, "Retry"));
        break;
      }
      case "assistant_message": {
        const body = el("div", { class: "cp-answer" });
        for (const part of item.content || []) body.append(renderMarkdown(part.text || ""));
        node.append(body);
        break;
      }
      case "widget":
        node.append(
          renderWidget(item.widget, {
            onAction: (action) => this.act(action, item.id),
          }),
        );
        break;
      case "workflow":
        node.append(this.renderWorkflow(item.workflow));
        break;
      case "task":
        node.append(this.renderTask(item.task));
        break;
      case "client_tool_call":
        node.append(this.renderClientTool(item));
        break;
      case "end_of_turn":
        node.hidden = true;
        break;
      default:
        node.append(el("p", { class: "cp-caption" }, `(${item.type.replace(/_/g, " ")})`));
    }
    return node;
  }

  renderWorkflow(workflow) {
    const summary = workflow.summary ? workflow.summary.title || `Worked for ${workflow.summary.duration} s` : `${workflow.tasks.length} step${workflow.tasks.length === 1 ? "" : "s"}`;
    const details = el("details", { class: "cp-steps", open: workflow.expanded || workflow.tasks.some((t) => t.status_indicator === "loading") }, el("summary", {}, summary));
    for (const task of workflow.tasks) details.append(this.renderTask(task));
    return details;
  }

  renderTask(task) {
    const state = task.status_indicator || "none";
    const mark = { loading: "…", complete: "✓", none: "•" }[state] || "•";
    const row = el("div", { class: `cp-task cp-task-${state}` }, el("span", { class: "cp-task-mark", "aria-hidden": "true" }, mark), el("span", { class: "cp-task-title" }, task.title || task.type));
    if (state === "loading") row.setAttribute("aria-busy", "true");
    if (task.content) row.append(el("div", { class: "cp-task-content" }, renderMarkdown(task.content)));
    return row;
  }

  renderClientTool(item) {
    const box = el("div", { class: "cp-client-tool" }, el("p", {}, el("strong", {}, `Client tool ${item.name}`), ` (${item.status})`), el("pre", {}, JSON.stringify(item.arguments, null, 2)));
    if (item.status === "pending") {
      const output = el("textarea", { rows: 3, "aria-label": `Output of ${item.name} (JSON)`, placeholder: '{"result": ...}' });
      const send = el("button", { type: "button" }, "Send output");
      send.addEventListener("click", () => {
        let value;
        try {
          value = output.value.trim() ? JSON.parse(output.value) : null;
        } catch {
          this.showStatus("error", "The output is not valid JSON.");
          return;
        }
        this.answerClientTool(value);
      });
      box.append(output, send);
    } else if (item.output !== undefined && item.output !== null) {
      box.append(el("pre", {}, JSON.stringify(item.output, null, 2)));
    }
    return box;
  }

  // -- status ------------------------------------------------------------------------------

  fail(error, again) {
    if (error instanceof ChatKitError && error.status === 401) return this.askToken(error.message, again);
    const message = error instanceof ChatKitError ? error.message : `Something went wrong: ${error.message || error}`;
    this.showStatus("error", message, again);
  }

  askToken(message, again) {
    const signedIn = () => {
      this.clearStatus();
      this.loadThreads(false);
      if (again) again();
    };
    this.status.dataset.kind = "error";
    this.status.replaceChildren(tokenForm(message, "cp-token", signedIn));
  }

  showStatus(kind, text, again = null) {
    this.status.dataset.kind = kind;
    const parts = [el("span", { class: "cp-status-text" }, text)];
    if (kind === "progress") parts.unshift(el("span", { class: "cp-spinner", "aria-hidden": "true" }));
    if (again) parts.push(el("button", { type: "button", class: "cp-link", onclick: () => { this.clearStatus(); again(); } }, "Try again"));
    this.status.replaceChildren(...parts);
  }

  clearStatus() {
    delete this.status.dataset.kind;
    this.status.replaceChildren();
  }

  scrollDown(force) {
    const scroller = this.log.parentElement;
    if (!scroller) return;
    const near = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 160;
    if (force || near) scroller.scrollTop = scroller.scrollHeight;
  }
}

/** Mount a pane on every `[data-chat-pane]` element, configured from the JSON block
 * `#gateway-config` (a data block: the page's policy runs no inline script). */
export function mountAll() {
  const block = document.getElementById("gateway-config");
  const options = block ? JSON.parse(block.textContent || "{}") : {};
  const panes = [];
  for (const root of document.querySelectorAll("[data-chat-pane]")) {
    const pane = new ChatPane(root, options);
    pane.init();
    panes.push(pane);
  }
  return panes;
}
