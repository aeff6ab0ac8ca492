// A small element builder for the gateway's own page code (chat.js, inspector.js). Children that
// are not nodes become text nodes: nothing passed here is ever parsed as HTML.

import { storeToken } from "./protocol.js";

/** `<tag>` with `props` (class, text, on<event> handlers, properties, else attributes) and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The sign-in form both pages show on a 401: keeps the token for this tab, then `signedIn()`. */
export function tokenForm(message, className, signedIn) {
  const token = el("input", { type: "password", "aria-label": "Access token", autocomplete: "off" });
  const form = el(
    "form",
    {
      class: className,
      onsubmit: (event) => {
        event.preventDefault();
        storeToken(token.value.trim());
        signedIn();
      },
    },
    el("span", {}, message),
    token,
    el("button", { type: "submit" }, "Sign in"),
  );
  queueMicrotask(() => token.focus());
  return form;
}
