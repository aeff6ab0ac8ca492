// The ChatKit protocol, client side: one endpoint (POST /chatkit), JSON in, JSON or a stream of
// server-sent events out. This module owns the wire only (requests, SSE parsing, errors and the
// bearer token); chat.js owns what the person sees.

const TOKEN_KEY = "gateway.token";

/** A request that failed: `status` is the HTTP status (0 when the gateway could not be reached). */
export class ChatKitError extends Error {
  constructor(message, status, { retryable = false } = {}) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}

/** The bearer token the person gave this tab (kept in sessionStorage), or null. */
export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Keep (or, with null, forget) the bearer token for this tab. */
export function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lasts as long as the page */
  }
}

/** Headers for a gateway request: JSON, and the token when there is one. */
export function authHeaders(extra = {}) {
  const headers = { ...extra };
  const token = storedToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") message = body.error;
    else if (body && typeof body.detail === "string") message = body.detail;
  } catch {
    /* not JSON: keep the status line */
  }
  const retryable = response.status === 503 || response.status === 429 || response.status >= 500;
  return new ChatKitError(message, response.status, { retryable });
}

/** Parse a `text/event-stream` body into JSON events, as they arrive; `onComment` hears
 * comment lines (the server's "subscribed" and keep-alive lines). */
export async function* readEvents(body, { onComment = null } = {}) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        const lines = block.split(/\r?\n/);
        if (onComment && lines.some((line) => line.startsWith(":"))) onComment();
        const data = lines
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data) yield JSON.parse(data);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Speaks ChatKit to one endpoint. */
export class ChatKitClient {
  constructor(url = "/chatkit") {
    this.url = url;
  }

  async _post(body, signal) {
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: authHeaders({ "Content-Type": "application/json" }),
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ChatKitError("The gateway could not be reached.", 0, { retryable: true });
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  /** A request answered with JSON (threads.list, threads.get_by_id, items.list, ...). */
  async request(type, params) {
    const response = await this._post({ type, params });
    return response.json();
  }

  /** A request answered with a stream (threads.create, add_user_message, custom_action, ...):
   * yields each event; a JSON answer is yielded as one `{type: "json", body}` event. */
  async *stream(type, params, signal) {
    const response = await this._post({ type, params }, signal);
    const kind = (response.headers.get("content-type") || "").split(";")[0].trim();
    if (kind !== "text/event-stream") {
      yield { type: "json", body: await response.json() };
      return;
    }
    yield* readEvents(response.body);
  }
}
