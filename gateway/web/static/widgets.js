// widgets.js: renders the widget JSON ChatKit's Python SDK emits (Card, ListView, Basic and every
// component inside them) as DOM, and turns clicks and form submits into ChatKit actions.
// Tool results are untrusted: nodes are built with createElement/textContent only, style values
// pass allow-lists and are set through the CSSOM, nothing remote is ever loaded (images must be
// data: URLs), links are http(s)/mailto only. Styles live in widgets.css (classes prefixed `ck-`).

import { imageHost, renderMarkdown, safeImageSrc } from "./markdown.js";
import { renderChart } from "./chart.js";
import { icon } from "./icons.js";

const MAX_DEPTH = 48;
const SPACING_UNIT_PX = 4;
let renderCount = 0;

// -- small DOM helpers ---------------------------------------------------------------------

function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A <form> exposes its fields as properties: a field named "append" or "closest" shadows the
// method. Anything that may be a form is handled through these prototype calls instead.
const dom = {
  add: (parent, child) => Node.prototype.appendChild.call(parent, child),
  closest: (el, selector) => Element.prototype.closest.call(el, selector),
  contains: (el, other) => Node.prototype.contains.call(el, other),
  matches: (el, selector) => Element.prototype.matches.call(el, selector),
  all: (el, selector) => [...Element.prototype.querySelectorAll.call(el, selector)],
  attr: (el, name, value) => Element.prototype.setAttribute.call(el, name, value),
  getAttr: (el, name) => Element.prototype.getAttribute.call(el, name),
  unset: (el, name) => Element.prototype.removeAttribute.call(el, name),
};

function str(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? "" : String(value);
}

function oneOf(value, allowed, fallback = null) {
  return allowed.includes(value) ? value : fallback;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** "arguments.due_date" → "Due date" (the last dotted segment, words split). */
function humanize(name) {
  const last = str(name).split(".").filter(Boolean).at(-1) || str(name);
  const words = last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").trim().toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : "Field";
}

// -- style allow-lists ---------------------------------------------------------------------

const CSS_SIZE = /^\d{1,5}(?:\.\d{1,4})?(?:px|%|rem|em)?$/;
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTIONAL = /^(?:rgba?|hsla?)\(\s*[-\d.%,\s/]{1,80}\)$/i;
const RADII = {
  "2xs": "2px", xs: "4px", sm: "6px", md: "8px", lg: "12px", xl: "16px",
  "2xl": "20px", "3xl": "24px", "4xl": "32px", full: "9999px", "100%": "100%", none: "0",
};
const SURFACES = [
  "surface", "surface-secondary", "surface-tertiary", "surface-elevated", "surface-elevated-secondary",
];
const TEXT_TOKENS = [
  "prose", "primary", "emphasis", "secondary", "tertiary", "success", "warning", "danger",
  "info", "discovery", "caution",
];
const BORDER_TOKENS = ["default", "subtle", "strong"];
/** Primitive palette hues ("blue-500"): [hue, saturation %]; shades map to lightness. */
const HUES = {
  gray: [220, 9], slate: [215, 16], zinc: [240, 5], neutral: [0, 0], stone: [25, 6], red: [0, 72],
  orange: [25, 95], amber: [38, 92], yellow: [48, 96], lime: [84, 81], green: [142, 71],
  emerald: [160, 84], teal: [173, 80], cyan: [189, 94], sky: [199, 89], blue: [217, 91],
  indigo: [239, 84], violet: [258, 90], purple: [271, 81], fuchsia: [292, 84], pink: [330, 81],
  rose: [350, 89],
};
const SHADES = {
  25: 98, 50: 97, 100: 94, 200: 87, 300: 78, 400: 66, 500: 55, 600: 46, 700: 38, 800: 30, 900: 23, 950: 14,
};

/** A CSS length: numbers are px; strings only as `NN`, `NNpx`, `NN%`, `NNrem`, `NNem` or `auto`. */
function cssSize(value) {
  if (typeof value === "number") return Number.isFinite(value) && Math.abs(value) <= 1e5 ? `${value}px` : null;
  if (typeof value !== "string") return null;
  const v = value.trim();
  if (v === "auto") return v;
  if (!CSS_SIZE.test(v)) return null;
  return /\d$/.test(v) ? `${v}px` : v;
}

/** Spacing: numbers are ChatKit spacing units (4px); strings as cssSize. */
function cssSpace(value) {
  if (typeof value !== "number") return cssSize(value);
  return Number.isFinite(value) && value >= 0 && value <= 1000 ? `${value * SPACING_UNIT_PX}px` : null;
}

/**
 * A colour from a ChatKit token, a palette name ("blue-500"), `alpha-NN`, `#hex` or
 * rgb()/hsl() with numbers only, or a `{light, dark}` pair; anything else is null (dropped).
 */
function cssColor(value, kind, dark = false) {
  if (isObject(value)) return cssColor(dark ? value.dark : value.light, kind, dark);
  if (typeof value !== "string") return null;
  const v = value.trim();
  if (kind === "border" && BORDER_TOKENS.includes(v)) return `var(--ck-border-${v})`;
  if (SURFACES.includes(v)) return `var(--ck-${v})`;
  if (TEXT_TOKENS.includes(v)) return `var(--ck-text-${v})`;
  if (BORDER_TOKENS.includes(v)) return `var(--ck-border-${v})`;
  const alpha = /^alpha-(\d{1,3})$/.exec(v);
  if (alpha && Number(alpha[1]) <= 100) {
    return `color-mix(in srgb, var(--ck-text-prose) ${Number(alpha[1])}%, transparent)`;
  }
  const palette = /^([a-z]+)-(\d{2,3})$/.exec(v);
  if (palette && Object.hasOwn(HUES, palette[1]) && Object.hasOwn(SHADES, palette[2])) {
    const [hue, sat] = HUES[palette[1]];
    return `hsl(${hue} ${sat}% ${SHADES[palette[2]]}%)`;
  }
  if (["white", "black", "transparent", "currentColor"].includes(v)) return v;
  return HEX.test(v) || FUNCTIONAL.test(v) ? v : null;
}

function setIf(node, prop, value) {
  if (value !== null && value !== undefined) node.style[prop] = value;
}

function applySpacing(node, kind, value) {
  if (!isObject(value)) return setIf(node, kind, cssSpace(value));
  const sides = { Top: value.y, Bottom: value.y, Left: value.x, Right: value.x };
  for (const side of ["Top", "Right", "Bottom", "Left"]) {
    const own = value[side.toLowerCase()];
    setIf(node, kind + side, cssSpace(own ?? sides[side]));
  }
}

function borderParts(value, dark) {
  if (typeof value === "number") return { width: cssSize(value), style: "solid", color: "var(--ck-border-default)" };
  if (!isObject(value)) return null;
  const styles = ["solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset"];
  return {
    width: cssSize(value.size ?? 1),
    style: oneOf(value.style, styles, "solid"),
    color: cssColor(value.color, "border", dark) || "var(--ck-border-default)",
  };
}

function applyBorder(node, value, dark) {
  const all = typeof value === "number" || (isObject(value) && "size" in value);
  const sides = { Top: "top", Right: "right", Bottom: "bottom", Left: "left" };
  for (const [side, key] of Object.entries(sides)) {
    const axis = side === "Top" || side === "Bottom" ? "y" : "x";
    const parts = borderParts(all ? value : (value[key] ?? value[axis]), dark);
    if (!parts || !parts.width) continue;
    node.style[`border${side}Width`] = parts.width;
    node.style[`border${side}Style`] = parts.style;
    node.style[`border${side}Color`] = parts.color;
  }
}

const ALIGN = { start: "flex-start", center: "center", end: "flex-end", baseline: "baseline", stretch: "stretch" };
const JUSTIFY = {
  start: "flex-start", center: "center", end: "flex-end", between: "space-between",
  around: "space-around", evenly: "space-evenly", stretch: "stretch",
};

function cssFlex(value) {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? String(value) : null;
  return typeof value === "string" && /^(?:auto|none|\d{1,4}(?:\.\d+)?)$/.test(value.trim()) ? value.trim() : null;
}

function cssRatio(value) {
  if (typeof value === "number") return value > 0 && Number.isFinite(value) ? String(value) : null;
  const ratio = typeof value === "string" ? value.trim() : "";
  return /^\d+(?:\.\d+)?(?:\s*\/\s*\d+(?:\.\d+)?)?$/.test(ratio) ? ratio : null;
}

/** width/height/size and their min/max variants, flex, aspect ratio. */
function applySizes(node, p) {
  setIf(node, "width", cssSize(p.width ?? p.size));
  setIf(node, "height", cssSize(p.height ?? p.size));
  setIf(node, "minWidth", cssSize(p.minWidth ?? p.minSize));
  setIf(node, "minHeight", cssSize(p.minHeight ?? p.minSize));
  setIf(node, "maxWidth", cssSize(p.maxWidth ?? p.maxSize));
  setIf(node, "maxHeight", cssSize(p.maxHeight ?? p.maxSize));
  setIf(node, "flex", cssFlex(p.flex));
  setIf(node, "aspectRatio", cssRatio(p.aspectRatio));
}

/** Every BoxBase prop (Box, Row, Col, Form, Basic). */
function applyBox(node, p, scope) {
  setIf(node, "gap", cssSpace(p.gap));
  applySpacing(node, "padding", p.padding);
  applySpacing(node, "margin", p.margin);
  setIf(node, "alignItems", ALIGN[oneOf(p.align, Object.keys(ALIGN))]);
  if (!ALIGN[p.align]) node.classList.add("ck-align-auto"); // badges and buttons keep their width
  setIf(node, "justifyContent", JUSTIFY[oneOf(p.justify, Object.keys(JUSTIFY))]);
  setIf(node, "flexWrap", oneOf(p.wrap, ["nowrap", "wrap", "wrap-reverse"]));
  applySizes(node, p);
  if (p.border !== undefined) applyBorder(node, p.border, scope.dark);
  setIf(node, "borderRadius", RADII[oneOf(p.radius, Object.keys(RADII))]);
  setIf(node, "background", cssColor(p.background, "background", scope.dark));
}

const WEIGHTS = { normal: "400", medium: "500", semibold: "600", bold: "700" };
const TEXT_ALIGN = { start: "start", center: "center", end: "end" };

/** Typography props shared by Text, Title, Caption and Label. */
function applyText(node, p, scope, sizes) {
  const size = oneOf(p.size, sizes);
  if (size) node.classList.add(`ck-size-${size}`);
  setIf(node, "fontWeight", WEIGHTS[oneOf(p.weight, Object.keys(WEIGHTS))]);
  setIf(node, "color", cssColor(p.color, "text", scope.dark));
  setIf(node, "textAlign", TEXT_ALIGN[oneOf(p.textAlign, Object.keys(TEXT_ALIGN))]);
  if (p.italic === true) node.style.fontStyle = "italic";
  if (p.lineThrough === true) node.style.textDecorationLine = "line-through";
  if (p.truncate === true) node.classList.add("ck-truncate");
  const lines = Number(p.maxLines);
  if (Number.isInteger(lines) && lines > 0 && lines < 100) {
    node.classList.add("ck-clamp");
    node.style.setProperty("-webkit-line-clamp", String(lines));
  }
  const minLines = Number(p.minLines);
  if (Number.isInteger(minLines) && minLines > 0 && minLines < 100) node.style.minHeight = `${minLines * 1.45}em`;
}

// -- actions -------------------------------------------------------------------------------

const LOADING = ["auto", "none", "self", "container"];
const CONTROLS = "button, input, select, textarea";
const ownActions = new WeakMap(); // button → its onClickAction
const formActions = new WeakMap(); // <form> → onSubmitAction (Form) or confirm.action (Card asForm)
const fallbackNames = new WeakSet(); // controls whose aria-label was guessed (a <label> replaces it)
const labelFields = new WeakMap(); // <label> → the fieldName it describes
const UNSAFE_KEYS = new Set(["__proto__", "prototype", "constructor"]);
// Read through the prototype: a field named "elements" or "reportValidity" shadows form properties.
const formElements = Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, "elements").get;
const reportValidity = HTMLFormElement.prototype.reportValidity;

function isAction(config) {
  return isObject(config) && typeof config.type === "string" && config.type !== "";
}

function clone(value) {
  if (value === undefined) return null;
  try {
    return structuredClone(value);
  } catch {
    return JSON.parse(JSON.stringify(value));
  }
}

/**
 * Every named field of `form` as [name, value] pairs, in document order. Values are what the
 * browser holds: strings for text, number, date, select and textarea (an empty field gives
 * ""), booleans for checkboxes, the checked option's value for a radio group ("" when none).
 * Disabled fields are included too: the widget asked for them to be shown with that value.
 */
function formValues(form) {
  const pairs = [];
  const radios = new Map();
  for (const field of formElements.call(form)) {
    const name = field.dataset.ckName ?? field.name;
    if (!name) continue;
    if (field instanceof HTMLInputElement) {
      if (field.type === "checkbox") pairs.push([name, field.checked]);
      else if (field.type === "radio") {
        if (!radios.has(name)) radios.set(name, pairs.push([name, ""]) - 1);
        if (field.checked) pairs[radios.get(name)][1] = field.value;
      } else if (!["submit", "button", "reset", "image", "file"].includes(field.type)) pairs.push([name, field.value]);
    } else if (field instanceof HTMLSelectElement || field instanceof HTMLTextAreaElement) {
      pairs.push([name, field.value]);
    }
  }
  return pairs;
}

/** Set payload[a][b]... for a dotted name, creating objects; existing keys win (value dropped). */
function mergeField(payload, name, value) {
  const parts = name.split(".");
  let target = payload;
  for (const part of parts.slice(0, -1)) {
    if (UNSAFE_KEYS.has(part)) return;
    if (!Object.hasOwn(target, part)) target[part] = {};
    if (!isObject(target[part])) return;
    target = target[part];
  }
  const leaf = parts.at(-1);
  if (!UNSAFE_KEYS.has(leaf) && !Object.hasOwn(target, leaf)) target[leaf] = value;
}

/** The action handed to onAction: a fresh object, form values merged into a copy of the payload. */
function buildAction(config, form) {
  let payload = clone(config.payload);
  if (form) {
    if (payload === null) payload = {};
    if (isObject(payload)) for (const [name, value] of formValues(form)) mergeField(payload, name, value);
  }
  return {
    type: config.type,
    payload,
    handler: config.handler === "client" ? "client" : "server",
    loadingBehavior: oneOf(config.loadingBehavior, LOADING, "auto"),
  };
}

/** Disable `target` (a control, or every control inside a container) until the returned undo runs. */
function setBusy(target) {
  const focused = dom.contains(target, document.activeElement) ? document.activeElement : null;
  dom.attr(target, "aria-busy", "true");
  const controls = dom.matches(target, CONTROLS) ? [target] : dom.all(target, CONTROLS);
  const disabled = controls.filter((c) => !c.disabled);
  for (const c of disabled) c.disabled = true;
  const pseudo = [target, ...dom.all(target, '[role="button"]')].filter(
    (el) => dom.getAttr(el, "role") === "button" && dom.getAttr(el, "aria-disabled") !== "true",
  );
  for (const el of pseudo) dom.attr(el, "aria-disabled", "true");
  return () => {
    dom.unset(target, "aria-busy");
    for (const c of disabled) c.disabled = false;
    for (const el of pseudo) dom.unset(el, "aria-disabled");
    if (focused?.isConnected && document.activeElement === document.body) focused.focus();
  };
}

/**
 * Fire `config` from `source`: validate and merge the enclosing form (if any), mark the control
 * or the whole widget busy while onAction's promise is pending, and swallow its rejection.
 */
async function fire(config, source, r, { form = null, validate = true } = {}) {
  if (!isAction(config) || dom.closest(source, '[aria-busy="true"], [aria-disabled="true"]')) return;
  if (form && validate && !reportValidity.call(form)) return;
  const action = buildAction(config, form);
  if (typeof r.onAction !== "function") return;
  const target =
    action.loadingBehavior === "none" ? null : action.loadingBehavior === "container" ? r.root : source;
  const release = target ? setBusy(target) : () => {};
  try {
    await r.onAction(action, { source });
  } catch (error) {
    console.warn("widget action failed:", action.type, error);
  } finally {
    release();
  }
}

/** Make `form` fire its action on submit (a submit button with its own action fires that one). */
function wireForm(form, config, r) {
  form.noValidate = true; // we call reportValidity() ourselves, for buttons too
  form.setAttribute("method", "dialog"); // never navigates, even if a listener failed
  if (isAction(config)) formActions.set(form, config);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.target !== form) return; // a nested form's submit bubbling up
    const submitter = event.submitter;
    const config2 = (submitter && ownActions.get(submitter)) || formActions.get(form);
    fire(config2, submitter || form, r, { form });
  });
}

function changeAction(control, config, r) {
  if (!isAction(config)) return;
  control.addEventListener("change", () => {
    fire(config, control, r, { form: control.closest("form"), validate: false });
  });
}

// -- rendering -----------------------------------------------------------------------------

function childList(value) {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

function renderChildren(parent, nodes, scope) {
  for (const node of childList(nodes)) {
    const el = render(node, scope);
    if (el) dom.add(parent, el);
  }
  return parent;
}

function placeholder(message) {
  return h("div", "ck-unsupported", message);
}

function themed(p, scope) {
  const theme = oneOf(p.theme, ["light", "dark"]);
  return theme ? { ...scope, dark: theme === "dark", theme } : scope;
}

function markTheme(node, scope) {
  if (scope.theme) node.classList.add(`ck-theme-${scope.theme}`);
}

/** A status line (`{text, icon}` or `{text, favicon}`); favicons show only as data: images. */
function status(value) {
  if (!isObject(value)) return null;
  const line = h("div", "ck-status");
  const favicon = safeImageSrc(value.favicon);
  if (favicon) {
    const img = h("img", `ck-status-favicon${value.frame ? " ck-framed" : ""}`);
    img.alt = "";
    img.src = favicon;
    line.append(img);
  } else if (value.icon || value.favicon) {
    line.append(icon(value.icon || "globe", "sm"));
  }
  line.append(h("span", "ck-status-text", str(value.text)));
  return line;
}

/** Card padding goes through --ck-pad, which flush Dividers and Images use to reach the edge. */
function cardPadding(card, value) {
  if (!isObject(value)) {
    const pad = cssSpace(value);
    if (pad) card.style.setProperty("--ck-pad", pad);
    return;
  }
  applySpacing(card, "padding", value);
  const side = cssSpace(value.left ?? value.x);
  if (side) card.style.setProperty("--ck-pad", side);
}

/**
 * A card footer button. In a Card asForm, confirm is the form's submit button (its action is the
 * form's) and cancel sends the form's values without validating them.
 */
function cardButton(spec, r, { primary, submit }) {
  const look = primary ? "ck-tone-primary ck-variant-solid" : "ck-tone-secondary ck-variant-outline";
  const btn = h("button", `ck-button ck-size-md ${look}`);
  btn.type = submit ? "submit" : "button";
  btn.append(h("span", "ck-button-label", str(spec.label) || (primary ? "Confirm" : "Cancel")));
  if (!submit) {
    btn.addEventListener("click", () => fire(spec.action, btn, r, { form: btn.closest("form"), validate: false }));
  }
  return btn;
}

/** The "Show details" toggle of a collapsed card, hiding `parts` (body and footer) until used. */
function collapseToggle(parts) {
  const toggle = h("button", "ck-card-toggle", "Show details");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "false");
  const set = (open) => {
    for (const part of parts) part.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide details" : "Show details";
  };
  toggle.addEventListener("click", () => set(toggle.getAttribute("aria-expanded") !== "true"));
  set(false);
  return toggle;
}

const POSITIONS = [
  "top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right",
];

const COMPONENTS = {
  Card(p, s) {
    const scope = themed(p, s);
    const asForm = p.asForm === true;
    const card = h(asForm ? "form" : "div", `ck-card ck-card-${oneOf(p.size, ["sm", "md", "lg", "full"], "md")}`);
    markTheme(card, scope);
    if (asForm) wireForm(card, p.confirm?.action, s.r);
    setIf(card, "background", cssColor(p.background, "background", scope.dark));
    cardPadding(card, p.padding);
    const parts = [renderChildren(h("div", "ck-card-body"), p.children, scope)];
    if (isObject(p.confirm) || isObject(p.cancel)) {
      const footer = h("div", "ck-card-actions");
      if (isObject(p.cancel)) footer.append(cardButton(p.cancel, s.r, { primary: false, submit: false }));
      if (isObject(p.confirm)) footer.append(cardButton(p.confirm, s.r, { primary: true, submit: asForm }));
      parts.push(footer);
    }
    const head = [status(p.status), p.collapsed === true ? collapseToggle(parts) : null];
    for (const part of [...head, ...parts]) if (part) dom.add(card, part);
    return card;
  },

  ListView(p, s) {
    const scope = themed(p, s);
    const view = h("div", "ck-listview");
    markTheme(view, scope);
    const head = status(p.status);
    if (head) view.append(head);
    const list = h("ul", "ck-listview-items");
    list.setAttribute("role", "list");
    const items = childList(p.children);
    const limit = Number.isInteger(p.limit) && p.limit > 0 ? p.limit : Infinity;
    items.forEach((item, index) => {
      const li = h("li", "ck-listview-row");
      const el = render(item, scope);
      if (el) li.append(el);
      li.hidden = index >= limit;
      list.append(li);
    });
    view.append(list);
    if (items.length > limit) view.append(showMore(list, items.length - limit));
    return view;
  },

  ListViewItem(p, s) {
    const action = isAction(p.onClickAction) ? p.onClickAction : null;
    const holdsControls = action && containsInteractive(p.children, 0);
    const item = h(action && !holdsControls ? "button" : "div", "ck-listview-item");
    setIf(item, "gap", cssSpace(p.gap));
    setIf(item, "alignItems", ALIGN[oneOf(p.align, Object.keys(ALIGN))]);
    renderChildren(item, p.children, s);
    if (action) makeClickable(item, action, s.r, holdsControls);
    return item;
  },

  Basic(p, s) {
    const scope = themed(p, s);
    const box = h("div", `ck-basic ck-box ck-${p.direction === "row" ? "row" : "col"}`);
    markTheme(box, scope);
    applyBox(box, p, scope);
    return renderChildren(box, p.children, scope);
  },

  Box(p, s) {
    const box = h("div", `ck-box ck-${p.direction === "row" ? "row" : "col"}`);
    applyBox(box, p, s);
    return renderChildren(box, p.children, s);
  },

  Row(p, s) {
    const box = h("div", "ck-box ck-row");
    applyBox(box, p, s);
    return renderChildren(box, p.children, s);
  },

  Col(p, s) {
    const box = h("div", "ck-box ck-col");
    applyBox(box, p, s);
    return renderChildren(box, p.children, s);
  },

  Form(p, s) {
    const form = h("form", `ck-form ck-box ck-${p.direction === "row" ? "row" : "col"}`);
    wireForm(form, p.onSubmitAction, s.r);
    applyBox(form, p, s);
    return renderChildren(form, p.children, s);
  },

  Text(p, s) {
    if (isObject(p.editable) && typeof p.editable.name === "string") return editableText(p, s);
    const node = h("div", "ck-text", str(p.value));
    applyText(node, p, s, ["xs", "sm", "md", "lg", "xl"]);
    setIf(node, "width", cssSize(p.width));
    return node;
  },

  Title(p, s) {
    const node = h("div", "ck-title", str(p.value));
    node.setAttribute("role", "heading");
    node.setAttribute("aria-level", "3");
    applyText(node, p, s, ["sm", "md", "lg", "xl", "2xl", "3xl", "4xl", "5xl"]);
    return node;
  },

  Caption(p, s) {
    const node = h("div", "ck-caption", str(p.value));
    applyText(node, p, s, ["sm", "md", "lg"]);
    return node;
  },

  Markdown(p) {
    const node = h("div", "ck-markdown");
    node.append(renderMarkdown(str(p.value)));
    return node;
  },

  Badge(p) {
    const color = oneOf(p.color, ["secondary", "success", "danger", "warning", "info", "discovery"], "secondary");
    const variant = oneOf(p.variant, ["solid", "soft", "outline"], "soft");
    const size = oneOf(p.size, ["sm", "md", "lg"], "sm");
    const node = h("span", `ck-badge ck-tone-${color} ck-variant-${variant} ck-size-${size}`);
    if (p.pill === true) node.classList.add("ck-pill");
    node.textContent = str(p.label);
    return node;
  },

  Button(p, s) {
    const preset = { primary: ["primary", "solid"], secondary: ["secondary", "outline"] }[p.style] || [];
    const colors = ["primary", "secondary", "info", "discovery", "success", "caution", "warning", "danger"];
    const color = oneOf(p.color, colors, preset[0] || "secondary");
    const variant = oneOf(p.variant, ["solid", "soft", "outline", "ghost"], preset[1] || "solid");
    const size = oneOf(p.size, ["3xs", "2xs", "xs", "sm", "md", "lg", "xl", "2xl", "3xl"], "md");
    const btn = h("button", `ck-button ck-tone-${color} ck-variant-${variant} ck-size-${size}`);
    btn.type = p.submit === true ? "submit" : "button";
    for (const [flag, cls] of [["pill", "ck-pill"], ["block", "ck-block"], ["uniform", "ck-uniform"]]) {
      if (p[flag] === true) btn.classList.add(cls);
    }
    const iconSize = oneOf(p.iconSize, ["sm", "md", "lg", "xl", "2xl"], "sm");
    if (p.iconStart) btn.append(icon(p.iconStart, iconSize));
    if (str(p.label)) btn.append(h("span", "ck-button-label", str(p.label)));
    if (p.iconEnd) btn.append(icon(p.iconEnd, iconSize));
    const iconName = str(p.iconStart || p.iconEnd).replace(/^[a-z]+:/, "");
    if (!str(p.label)) btn.setAttribute("aria-label", humanize(iconName || "button"));
    btn.disabled = p.disabled === true;
    if (isAction(p.onClickAction)) ownActions.set(btn, p.onClickAction);
    btn.addEventListener("click", () => {
      if (btn.type === "submit" && btn.form) return; // the form's submit listener fires it
      const config = ownActions.get(btn);
      const form = btn.closest("form");
      if (config) fire(config, btn, s.r, { form });
    });
    return btn;
  },

  Icon(p, s) {
    const node = icon(p.name, p.size);
    setIf(node, "color", cssColor(p.color, "text", s.dark));
    return node;
  },

  Image(p, s) {
    const src = safeImageSrc(p.src);
    const alt = str(p.alt);
    let node;
    if (src) {
      node = h("img", "ck-image");
      node.alt = alt;
      node.src = src;
      setIf(node, "objectFit", oneOf(p.fit, ["cover", "contain", "fill", "scale-down", "none"]));
      setIf(node, "objectPosition", oneOf(p.position, POSITIONS));
    } else {
      node = h("div", "ck-image ck-image-blocked");
      node.setAttribute("role", "img");
      node.setAttribute("aria-label", alt ? `${alt} (image not loaded)` : "image not loaded");
      if (alt) node.append(h("span", "ck-image-alt", alt));
      node.append(h("span", "ck-image-note", `image not loaded: ${imageHost(p.src)}`));
    }
    if (p.frame === true) node.classList.add("ck-framed");
    if (p.flush === true) node.classList.add("ck-flush");
    applySizes(node, p);
    applySpacing(node, "margin", p.margin);
    setIf(node, "borderRadius", RADII[oneOf(p.radius, Object.keys(RADII))]);
    setIf(node, "background", cssColor(p.background, "background", s.dark));
    return node;
  },

  Divider(p, s) {
    const node = h("hr", `ck-divider${p.flush === true ? " ck-flush" : ""}`);
    setIf(node, "borderTopColor", cssColor(p.color, "border", s.dark));
    setIf(node, "borderTopWidth", cssSize(p.size));
    const spacing = cssSpace(p.spacing);
    if (spacing) node.style.marginBlock = spacing;
    return node;
  },

  Spacer(p) {
    const node = h("div", "ck-spacer");
    node.setAttribute("aria-hidden", "true");
    setIf(node, "flexBasis", cssSize(p.minSize));
    return node;
  },

  Label(p, s) {
    const node = h("label", "ck-label", str(p.value));
    applyText(node, p, s, ["xs", "sm", "md", "lg", "xl"]);
    labelFields.set(node, str(p.fieldName));
    return node;
  },

  Input(p) {
    const input = h("input", `ck-input ck-control ${controlClasses(p)}`);
    input.type = oneOf(p.inputType, ["number", "email", "text", "password", "tel", "url"], "text");
    if (input.type === "number") input.step = "any";
    fieldBasics(input, p);
    if (p.defaultValue !== undefined && p.defaultValue !== null) input.value = str(p.defaultValue);
    return input;
  },

  Textarea(p) {
    const area = h("textarea", `ck-textarea ck-control ${controlClasses(p)}`);
    fieldBasics(area, p);
    const rows = Number(p.rows);
    area.rows = Number.isInteger(rows) && rows > 0 && rows <= 40 ? rows : 3;
    if (p.defaultValue !== undefined && p.defaultValue !== null) area.value = str(p.defaultValue);
    if (p.autoResize === true) autoResize(area, Number(p.maxRows));
    return area;
  },

  Select(p, s) {
    const select = h("select", `ck-select ck-control ${controlClasses(p)}`);
    fieldBasics(select, { ...p, pattern: undefined });
    const options = childList(p.options).filter(isObject);
    const chosen = str(p.defaultValue);
    const hasDefault = p.defaultValue != null && options.some((o) => str(o.value) === chosen);
    if (!hasDefault || p.clearable === true) {
      const empty = h("option", "", str(p.placeholder) || (hasDefault ? "None" : "Select…"));
      empty.value = "";
      empty.disabled = p.clearable !== true;
      select.append(empty);
    }
    for (const o of options) {
      const option = h("option", "", str(o.label) || str(o.value));
      option.value = str(o.value);
      option.disabled = o.disabled === true;
      if (o.description) option.title = str(o.description);
      option.selected = hasDefault && option.value === chosen;
      select.append(option);
    }
    if (!hasDefault) select.selectedIndex = 0;
    changeAction(select, p.onChangeAction, s.r);
    return select;
  },

  DatePicker(p, s) {
    const input = h("input", `ck-input ck-date ck-control ${controlClasses(p)}`);
    input.type = "date";
    fieldBasics(input, { ...p, pattern: undefined });
    input.value = dateOnly(p.defaultValue);
    if (dateOnly(p.min)) input.min = dateOnly(p.min);
    if (dateOnly(p.max)) input.max = dateOnly(p.max);
    changeAction(input, p.onChangeAction, s.r);
    return input;
  },

  Checkbox(p, s) {
    const wrap = h("label", "ck-checkbox");
    const input = h("input", "ck-checkbox-input");
    input.type = "checkbox";
    input.name = str(p.name);
    input.checked = p.defaultChecked === true;
    input.defaultChecked = input.checked;
    input.disabled = p.disabled === true;
    input.required = p.required === true;
    wrap.append(input);
    if (str(p.label)) wrap.append(h("span", "ck-checkbox-label", str(p.label)));
    else fallbackName(input, humanize(p.name));
    changeAction(input, p.onChangeAction, s.r);
    return wrap;
  },

  RadioGroup(p, s) {
    const group = h("div", `ck-radio-group ck-${p.direction === "row" ? "row" : "col"}`);
    group.setAttribute("role", "radiogroup");
    fallbackName(group, str(p.ariaLabel) || humanize(p.name));
    // Radios group by name across the whole page outside a form: the DOM name is unique to
    // this render; the field name the payload uses is kept in data-ck-name.
    const domName = `${s.r.prefix}-radio-${s.r.next++}`;
    for (const o of childList(p.options).filter(isObject)) {
      const label = h("label", "ck-radio");
      const input = h("input", "ck-radio-input");
      input.type = "radio";
      input.name = domName;
      input.dataset.ckName = str(p.name);
      input.value = str(o.value);
      input.checked = p.defaultValue !== undefined && str(o.value) === str(p.defaultValue);
      input.disabled = p.disabled === true || o.disabled === true;
      input.required = p.required === true;
      label.append(input, h("span", "", str(o.label) || str(o.value)));
      group.append(label);
    }
    changeAction(group, p.onChangeAction, s.r);
    return group;
  },

  Transition(p, s) {
    return renderChildren(h("div", "ck-transition"), p.children, s);
  },

  Chart(p, s) {
    const chart = renderChart(p, { resolveColor: (v) => cssColor(v, "chart", s.dark) });
    applySizes(chart, { ...p, height: undefined, size: undefined, aspectRatio: undefined });
    return chart;
  },
};

// -- form controls -------------------------------------------------------------------------

function controlClasses(p) {
  const classes = [`ck-size-${oneOf(p.size, ["3xs", "2xs", "xs", "sm", "md", "lg", "xl", "2xl", "3xl"], "md")}`];
  classes.push(`ck-variant-${oneOf(p.variant, ["solid", "soft", "outline", "ghost"], "outline")}`);
  if (p.pill === true) classes.push("ck-pill");
  if (p.block === true) classes.push("ck-block");
  return classes.join(" ");
}

function fallbackName(control, name) {
  control.setAttribute("aria-label", name);
  fallbackNames.add(control);
}

/** name, required, pattern, placeholder, disabled, autoSelect/autoFocus, and an accessible name. */
function fieldBasics(control, p) {
  control.name = str(p.name);
  control.required = p.required === true;
  control.disabled = p.disabled === true;
  if (typeof p.pattern === "string" && p.pattern) control.setAttribute("pattern", p.pattern);
  if (str(p.placeholder) && !(control instanceof HTMLSelectElement)) control.placeholder = str(p.placeholder);
  control.autocomplete = str(p.autoComplete).slice(0, 60) || (p.allowAutofillExtensions === true ? "on" : "off");
  fallbackName(control, str(p.placeholder) || humanize(p.name));
  if (p.autoSelect === true && control.select) control.addEventListener("focus", () => control.select());
  if (p.autoFocus === true) requestAnimationFrame(() => control.isConnected && control.focus());
}

function editableText(p, s) {
  const e = p.editable;
  const input = h("input", "ck-input ck-control ck-editable-text ck-variant-outline");
  input.type = "text";
  fieldBasics(input, e);
  input.value = str(p.value);
  applyText(input, p, s, ["xs", "sm", "md", "lg", "xl"]);
  return input;
}

function dateOnly(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : "";
}

function autoResize(area, maxRows) {
  const fit = () => {
    area.style.height = "auto";
    const line = parseFloat(getComputedStyle(area).lineHeight) || 20;
    const cap = Number.isInteger(maxRows) && maxRows > 0 ? maxRows * line + 16 : Infinity;
    area.style.height = `${Math.min(area.scrollHeight + 2, cap)}px`;
  };
  area.addEventListener("input", fit);
  requestAnimationFrame(() => area.isConnected && fit());
}

// -- list helpers --------------------------------------------------------------------------

const INTERACTIVE = new Set([
  "Button", "Input", "Textarea", "Select", "DatePicker", "Checkbox", "RadioGroup", "Form", "Markdown", "ListViewItem",
]);

/** Whether any node below holds a control (a <button> cannot contain one). */
function containsInteractive(nodes, depth) {
  if (depth > MAX_DEPTH) return true;
  const holds = (n) => INTERACTIVE.has(n.type) || isObject(n.editable) || containsInteractive(n.children, depth + 1);
  return childList(nodes).some((n) => isObject(n) && holds(n));
}

/** Clicking (or Enter/Space on) a ListViewItem fires its action. */
function makeClickable(item, action, r, pseudo) {
  item.classList.add("ck-clickable");
  const go = () => fire(action, item, r, { form: item.closest("form") });
  if (!pseudo) {
    item.type = "button";
    item.addEventListener("click", go);
    return;
  }
  item.setAttribute("role", "button");
  item.tabIndex = 0;
  item.addEventListener("click", (event) => {
    const inner = event.target.closest("button, input, select, textarea, label, a, [role='button']");
    if (!inner || inner === item) go();
  });
  item.addEventListener("keydown", (event) => {
    if (event.target !== item || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    go();
  });
}

function showMore(list, hidden) {
  const more = h("button", "ck-listview-more", `Show ${hidden} more`);
  more.type = "button";
  more.addEventListener("click", () => {
    const rows = [...list.children].filter((li) => li.hidden);
    for (const li of rows) li.hidden = false;
    rows[0]?.querySelector("button, [tabindex], input, select, textarea, a")?.focus();
    more.remove();
  });
  return more;
}

// -- the tree ------------------------------------------------------------------------------

function unsupported(p, s) {
  const box = h("div", "ck-unsupported");
  box.append(h("div", "ck-unsupported-note", `Unsupported component: ${str(p.type).slice(0, 80) || "(no type)"}`));
  if (p.children !== undefined) renderChildren(box, p.children, s);
  return box;
}

/** One component (any JSON value) as a DOM node; never throws. */
function render(node, scope) {
  if (node === null || node === undefined || node === false) return null;
  if (typeof node !== "object") return h("span", "ck-text", str(node));
  if (Array.isArray(node)) return renderChildren(document.createDocumentFragment(), node, scope);
  if (scope.depth > MAX_DEPTH) return placeholder("Widget nested too deeply to show.");
  const type = typeof node.type === "string" ? node.type : "";
  const renderer = Object.hasOwn(COMPONENTS, type) ? COMPONENTS[type] : unsupported;
  try {
    const el = renderer(node, { ...scope, depth: scope.depth + 1 });
    // data-ck-id, never the DOM id: an id from a tool result could clobber window globals
    const id = node.id ?? node.key;
    if (el instanceof Element && id != null) dom.attr(el, "data-ck-id", str(id).slice(0, 200));
    return el;
  } catch (error) {
    console.warn(`widget: could not render ${type}`, error);
    return placeholder(`Could not show this ${type || "component"}.`);
  }
}

/** Point each Label at its field (`<label for>`, or aria-labelledby for a radio group). */
function linkLabels(root, r) {
  const controls = [...root.querySelectorAll("input, select, textarea")];
  for (const label of root.querySelectorAll("label.ck-label")) {
    const name = labelFields.get(label);
    const control = name && controls.find((c) => (c.dataset.ckName ?? c.name) === name);
    if (!control) continue;
    const target = control.type === "radio" ? control.closest('[role="radiogroup"]') : control;
    if (!target.id) target.id = `${r.prefix}-f${r.next++}`;
    if (control.type === "radio") {
      label.id = `${target.id}-label`;
      target.setAttribute("aria-labelledby", label.id);
    } else label.htmlFor = target.id;
    if (fallbackNames.has(target)) target.removeAttribute("aria-label");
  }
}

/**
 * Render a ChatKit widget (a Card, ListView or Basic root, or any single component) as DOM.
 * Never throws; unknown component types show as "Unsupported component: X" with their children.
 * @param {object} widget the widget JSON as the ChatKit Python SDK serializes it (camelCase props)
 * @param {{onAction?: (action: {type: string, payload: any, handler: "server"|"client",
 *   loadingBehavior: "auto"|"none"|"self"|"container"}, info: {source: Element}) => any,
 *   theme?: "light"|"dark"}} [ctx] onAction is called for every action (client ones too) with a
 *   fresh action object (form values merged into a copy of its payload); while the promise it
 *   returns is pending, the control (or the whole widget, for loadingBehavior "container") is
 *   disabled and aria-busy. Rejections are logged with console.warn and otherwise ignored.
 * @returns {HTMLElement} `div.ck-widget` holding the rendered root
 */
export function renderWidget(widget, ctx = {}) {
  const root = h("div", "ck-widget");
  const theme = oneOf(ctx?.theme, ["light", "dark"]);
  if (theme) root.classList.add(`ck-theme-${theme}`);
  const dark = theme ? theme === "dark" : Boolean(globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches);
  const r = { onAction: ctx?.onAction, root, prefix: `ck${++renderCount}`, next: 0 };
  try {
    const el = render(widget, { r, dark, depth: 0 });
    if (el) root.append(el);
    linkLabels(root, r);
  } catch (error) {
    console.warn("widget: could not render", error);
    root.replaceChildren(placeholder("This widget could not be shown."));
  }
  return root;
}
