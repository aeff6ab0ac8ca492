// markdown.js: a safe subset of Markdown rendered straight to DOM nodes (never through HTML):
// ATX headings, paragraphs, line breaks, bold/italic/strike, code spans, fenced and indented
// code, block quotes, nested lists, rules, links and autolinks, data: images, GFM pipe tables.
// Raw HTML is text. Also owns the URL policy widgets.js shares: `safeHref`, `safeImageSrc`.

const MAX_DEPTH = 16;
const MAX_SPAN = 4000; // how far a link label or target is looked for (keeps bad input linear-ish)
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$/;
const TABLE_SEP = /^ *\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$/;
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml|avif);base64,[a-z0-9+/]*={0,2}$/i;
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/**
 * A link target that is safe to put in an <a href>: http(s) or mailto only, absolute.
 * @param {unknown} href
 * @returns {string | null} the normalized URL, or null when it must render as text
 */
export function safeHref(href) {
  if (typeof href !== "string") return null;
  const raw = href.trim();
  // eslint-disable-next-line no-control-regex
  if (!raw || /[\u0000-\u001f\u007f\s]/.test(raw)) return null;
  try {
    const url = new URL(raw);
    return LINK_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * An image source that loads nothing from anywhere: a base64 data: URL of a raster or SVG image.
 * @param {unknown} src
 * @returns {string | null} the data URL (whitespace removed), or null when it must not be loaded
 */
export function safeImageSrc(src) {
  if (typeof src !== "string") return null;
  const compact = src.replace(/\s+/g, "");
  return DATA_IMAGE.test(compact) ? compact : null;
}

/**
 * Where a refused image would have come from, for the placeholder ("example.com").
 * @param {unknown} src
 * @returns {string}
 */
export function imageHost(src) {
  if (typeof src !== "string" || !src.trim()) return "no address";
  try {
    const url = new URL(src.trim());
    return (url.host || url.protocol).slice(0, 80);
  } catch {
    return src.trim().slice(0, 40);
  }
}

function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// -- inline --------------------------------------------------------------------------------

/** Index of the `]` closing the `[` at `open`, honouring nesting and escapes; -1 if none. */
function closingBracket(src, open) {
  let depth = 0;
  for (let i = open; i < Math.min(src.length, open + MAX_SPAN); i++) {
    const c = src[i];
    if (c === "\\") i++;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return i;
  }
  return -1;
}

/** `(url "title")` at `start`: the url and the index after `)`, or null. */
function linkTarget(src, start) {
  if (src[start] !== "(") return null;
  let depth = 0;
  for (let i = start; i < Math.min(src.length, start + MAX_SPAN); i++) {
    const c = src[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) {
      const inner = src.slice(start + 1, i).trim();
      const url = inner.replace(/\s+(?:"[^"]*"|'[^']*')$/, "").replace(/^<(.*)>$/, "$1");
      return { url, end: i + 1 };
    }
  }
  return null;
}

/** `<a>` for a safe href, else a plain span: `label` is a node (already rendered inline). */
function link(label, href) {
  const safe = safeHref(href);
  if (!safe) {
    const span = h("span", "ck-md-link-blocked");
    span.append(label);
    return span;
  }
  const a = h("a", "ck-link");
  a.href = safe;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.append(label);
  return a;
}

function image(alt, src) {
  const safe = safeImageSrc(src);
  if (!safe) {
    const box = h("span", "ck-md-image-blocked", `${alt ? `${alt} · ` : ""}image not loaded: ${imageHost(src)}`);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", alt || "image not loaded");
    return box;
  }
  const img = h("img", "ck-md-image");
  img.alt = alt;
  img.src = safe;
  return img;
}

const EMPHASIS = [
  ["**", "strong"],
  ["__", "strong"],
  ["~~", "del"],
  ["*", "em"],
  ["_", "em"],
];

function isWord(c) {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}

/** The closing delimiter for an emphasis opening at `i`, or -1. */
function closeEmphasis(src, i, mark, missing) {
  if (missing.has(mark) && missing.get(mark) <= i) return -1;
  const after = src[i + mark.length];
  if (after === undefined || /\s/.test(after)) return -1;
  if (mark[0] === "_" && isWord(src[i - 1])) return -1;
  let from = i + mark.length + 1;
  for (let tries = 0; tries < 64; tries++) {
    const j = src.indexOf(mark, from);
    if (j < 0) {
      missing.set(mark, i);
      return -1;
    }
    const single = mark.length === 1 && (src[j + 1] === mark || src[j - 1] === mark);
    const wordAfter = mark[0] === "_" && isWord(src[j + mark.length]);
    if (!/\s/.test(src[j - 1]) && src[j - 1] !== "\\" && !single && !wordAfter) return j;
    from = j + 1;
  }
  return -1;
}

const AUTOLINK = /^(?:https?:\/\/|mailto:)[^\s<>]+/i;

function bareUrl(src, i) {
  if (isWord(src[i - 1]) || !/^(?:https?:|mailto:)/i.test(src.slice(i, i + 8))) return null;
  const m = AUTOLINK.exec(src.slice(i, i + 2048));
  if (!m) return null;
  let url = m[0];
  while (/[.,;:!?'")\]*_~]$/.test(url)) {
    if (url.endsWith(")") && url.split("(").length > url.split(")").length - 1) break;
    url = url.slice(0, -1);
  }
  return url.length > 8 ? url : null;
}

/**
 * Inline Markdown in `src` as a fragment. Text accumulates in `buffer` and is flushed as a
 * text node; every construct that does not close properly stays literal text.
 */
function inline(src, depth = 0, inLink = false) {
  const out = document.createDocumentFragment();
  if (depth > MAX_DEPTH) {
    out.append(src);
    return out;
  }
  const missing = new Map();
  let buffer = "";
  const flush = () => {
    if (buffer) out.append(buffer);
    buffer = "";
  };
  const put = (node) => {
    flush();
    out.append(node);
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length && /[!-/:-@[-`{-~]/.test(src[i + 1])) {
      buffer += src[i + 1];
      i += 2;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      put(document.createElement("br"));
      i += 2;
      continue;
    }
    if (c === "\n") {
      buffer = buffer.replace(/ +$/, "");
      put(document.createElement("br"));
      i += 1;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(src.slice(i, i + 64))[0];
      const end = missing.get(run) <= i ? -1 : src.indexOf(run, i + run.length);
      if (end < 0) missing.set(run, i);
      if (end > 0) {
        const code = src.slice(i + run.length, end).replace(/\n/g, " ");
        put(h("code", "ck-md-code", /^ .* $/.test(code) ? code.slice(1, -1) : code));
        i = end + run.length;
        continue;
      }
      buffer += run;
      i += run.length;
      continue;
    }
    if ((c === "!" && src[i + 1] === "[") || (c === "[" && !inLink)) {
      const open = c === "!" ? i + 1 : i;
      const close = closingBracket(src, open);
      const target = close > 0 ? linkTarget(src, close + 1) : null;
      if (target) {
        const label = src.slice(open + 1, close);
        const alt = label.replace(/[\\*_`]/g, "");
        put(c === "!" ? image(alt, target.url) : link(inline(label, depth + 1, true), target.url));
        i = target.end;
        continue;
      }
    }
    if (c === "<" && !inLink) {
      const m = /^<((?:https?:|mailto:)[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[a-z]{2,})>/i.exec(src.slice(i, i + 2048));
      if (m) {
        const href = m[1].includes(":") ? m[1] : `mailto:${m[1]}`;
        put(link(document.createTextNode(m[1]), href));
        i += m[0].length;
        continue;
      }
    }
    if (!inLink && (c === "h" || c === "H" || c === "m" || c === "M")) {
      const url = bareUrl(src, i);
      if (url) {
        put(link(document.createTextNode(url), url));
        i += url.length;
        continue;
      }
    }
    const mark = EMPHASIS.find(([m]) => src.startsWith(m, i));
    if (mark) {
      const end = closeEmphasis(src, i, mark[0], missing);
      if (end > 0) {
        const node = document.createElement(mark[1]);
        node.append(inline(src.slice(i + mark[0].length, end), depth + 1, inLink));
        put(node);
        i = end + mark[0].length;
        continue;
      }
      buffer += mark[0];
      i += mark[0].length;
      continue;
    }
    buffer += c;
    i += 1;
  }
  flush();
  return out;
}

// -- blocks --------------------------------------------------------------------------------

function indentOf(line) {
  return /^ */.exec(line)[0].length;
}

function startsBlock(line) {
  return (
    fenceOf(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line.trimStart())
  );
}

function splitRow(line) {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function table(lines, i, depth) {
  const head = splitRow(lines[i]);
  const aligns = splitRow(lines[i + 1]).map((cell) => {
    const left = cell.startsWith(":");
    const right = cell.endsWith(":");
    return left && right ? "center" : right ? "right" : left ? "left" : "";
  });
  const wrap = h("div", "ck-md-table-wrap");
  const tbl = h("table", "ck-md-table");
  const row = (cells, tag) => {
    const tr = document.createElement("tr");
    head.forEach((_, c) => {
      const cell = document.createElement(tag);
      if (aligns[c]) cell.style.textAlign = aligns[c];
      cell.append(inline(cells[c] ?? "", depth + 1));
      tr.append(cell);
    });
    return tr;
  };
  const thead = document.createElement("thead");
  thead.append(row(head, "th"));
  const tbody = document.createElement("tbody");
  let j = i + 2;
  while (j < lines.length && lines[j].trim() && lines[j].includes("|")) tbody.append(row(splitRow(lines[j++]), "td"));
  tbl.append(thead, tbody);
  wrap.append(tbl);
  return { node: wrap, next: j };
}

/** An opening code fence: its marker run and language, or null (backtick info has no backticks). */
function fenceOf(line) {
  const m = FENCE.exec(line);
  if (!m || (m[1][0] === "`" && m[2].includes("`"))) return null;
  return { fence: m[1], lang: m[2].trim().split(/\s+/)[0] };
}

function fenced(lines, i) {
  const { fence, lang } = fenceOf(lines[i]);
  const indent = indentOf(lines[i]);
  const body = [];
  let j = i + 1;
  const closing = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
  while (j < lines.length && !closing.test(lines[j])) {
    body.push(lines[j].replace(new RegExp(`^ {0,${indent}}`), ""));
    j++;
  }
  return { node: codeBlock(body.join("\n"), lang), next: j + 1 };
}

/** The class of a line of a unified diff: added, removed, a hunk or file header, or none. */
function diffLineClass(line) {
  if (/^(\+\+\+|---)( |$)/.test(line) || /^(diff |index |Index: |={5,})/.test(line)) return "ck-md-diff-file";
  if (line.startsWith("@@")) return "ck-md-diff-hunk";
  if (line.startsWith("+")) return "ck-md-diff-add";
  if (line.startsWith("-")) return "ck-md-diff-del";
  return "";
}

function codeBlock(code, lang) {
  const pre = h("pre", "ck-md-pre");
  const isDiff = lang.toLowerCase() === "diff";
  const el = h("code", "ck-md-code-block", isDiff ? undefined : code);
  if (isDiff) {
    code.split("\n").forEach((line, n) => {
      if (n) el.append("\n");
      const cls = diffLineClass(line);
      el.append(cls ? h("span", cls, line) : line);
    });
  }
  if (lang) el.dataset.lang = lang.slice(0, 40);
  pre.append(el);
  return pre;
}

/** A list starting at `lines[i]`: items, each item's lines dedented and parsed as blocks. */
function list(lines, i, depth) {
  const first = ITEM.exec(lines[i]);
  const ordered = /\d/.test(first[2]);
  const base = first[1].length;
  const node = h(ordered ? "ol" : "ul", "ck-md-list");
  if (ordered && parseInt(first[2], 10) !== 1) node.start = parseInt(first[2], 10);
  let j = i;
  while (j < lines.length) {
    const m = ITEM.exec(lines[j]);
    if (!m || m[1].length !== base || /\d/.test(m[2]) !== ordered) break;
    const contentIndent = base + m[2].length + 1;
    const body = [m[3] ?? ""];
    j++;
    while (j < lines.length) {
      const line = lines[j];
      if (!line.trim()) {
        const nextLine = lines[j + 1];
        if (nextLine === undefined || indentOf(nextLine) < contentIndent || !nextLine.trim()) break;
        body.push("");
      } else if (indentOf(line) >= Math.min(contentIndent, base + 2)) {
        body.push(line.slice(Math.min(indentOf(line), contentIndent)));
      } else if (!startsBlock(line) && body.at(-1)?.trim()) {
        body.push(line.trim()); // lazy continuation of the item's paragraph
      } else break;
      j++;
    }
    const li = document.createElement("li");
    const task = /^\[([ xX])\] /.exec(body[0]);
    if (task) {
      li.className = "ck-md-task";
      li.append(task[1] === " " ? "☐ " : "☑ ");
      body[0] = body[0].slice(4);
    }
    li.append(blocks(body, depth + 1, true));
    node.append(li);
    while (j < lines.length && !lines[j].trim() && ITEM.test(lines[j + 1] ?? "")) j++;
  }
  return { node, next: j };
}

function paragraph(lines, i, depth) {
  const body = [lines[i].trim()];
  let j = i + 1;
  while (j < lines.length && lines[j].trim() && !startsBlock(lines[j])) {
    if (lines[j + 1] !== undefined && lines[j].includes("|") && TABLE_SEP.test(lines[j + 1])) break;
    body.push(lines[j].replace(/^\s+/, ""));
    j++;
  }
  const text = body.join("\n").replace(/ {2,}\n/g, "\n");
  const node = h("p", "ck-md-p");
  node.append(inline(text, depth));
  return { node, next: j };
}

/** A heading's text without its optional closing run of `#` (read by hand: no regex backtracking). */
function headingText(raw) {
  const text = raw.trimEnd();
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  if (end === text.length) return text;
  if (end === 0) return "";
  return /[ \t]/.test(text[end - 1]) ? text.slice(0, end).trimEnd() : text;
}

/** One block starting at lines[i]: its node and the index of the next line to read. */
function block(lines, i, depth, inList) {
  const line = lines[i];
  if (fenceOf(line)) return fenced(lines, i);
  const heading = HEADING.exec(line);
  if (heading) {
    const node = h(`h${heading[1].length}`, "ck-md-heading");
    node.append(inline(headingText(heading[2] ?? ""), depth));
    return { node, next: i + 1 };
  }
  if (RULE.test(line)) return { node: h("hr", "ck-md-hr"), next: i + 1 };
  if (QUOTE.test(line)) {
    const body = [];
    let j = i;
    while (j < lines.length && lines[j].trim() && (QUOTE.test(lines[j]) || !startsBlock(lines[j]))) {
      body.push(QUOTE.exec(lines[j])?.[1] ?? lines[j]);
      j++;
    }
    const node = h("blockquote", "ck-md-quote");
    node.append(blocks(body, depth + 1, false));
    return { node, next: j };
  }
  if (ITEM.test(line)) return list(lines, i, depth);
  if (line.includes("|") && TABLE_SEP.test(lines[i + 1] ?? "") && lines[i + 1].includes("-")) {
    return table(lines, i, depth);
  }
  if (indentOf(line) >= 4 && !inList) {
    const body = [];
    let j = i;
    while (j < lines.length && (indentOf(lines[j]) >= 4 || !lines[j].trim())) body.push(lines[j++].slice(4));
    while (body.length && !body.at(-1).trim()) body.pop();
    return { node: codeBlock(body.join("\n"), ""), next: j };
  }
  return paragraph(lines, i, depth);
}

/** Block-level Markdown in `lines` as a fragment (`inList`: no indented code blocks). */
function blocks(lines, depth, inList) {
  const out = document.createDocumentFragment();
  if (depth > MAX_DEPTH) {
    out.append(lines.join("\n"));
    return out;
  }
  let i = 0;
  while (i < lines.length) {
    if (!lines[i].trim()) {
      i++;
      continue;
    }
    const { node, next } = block(lines, i, depth, inList);
    out.append(node);
    i = Math.max(next, i + 1);
  }
  return out;
}

/**
 * Render Markdown as DOM nodes, never through HTML: raw HTML shows as text, links are
 * http(s)/mailto only (opening in a new tab), images are data: URLs only. Never throws.
 * @param {string} text Markdown source (anything else renders as its string form)
 * @returns {DocumentFragment}
 */
export function renderMarkdown(text) {
  const source = typeof text === "string" ? text : text === null || text === undefined ? "" : String(text);
  try {
    const lines = source.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n");
    return blocks(lines, 0, false);
  } catch (error) {
    console.warn("markdown: rendering as plain text", error);
    const out = document.createDocumentFragment();
    out.append(h("p", "ck-md-p ck-md-plain", source));
    return out;
  }
}
