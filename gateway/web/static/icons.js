// icons.js: the glyphs widgets.js draws for ChatKit's icon names, as inline SVG paths (24x24,
// stroked unless marked filled). Nothing is fetched; an unknown name (and any vendor: icon) is a
// neutral dot. The drawings are our own, not OpenAI's artwork.


const circle = (cx, cy, r) => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
const rect = (x, y, w, h2, r = 2) => {
  const arc = (dx, dy) => `a${r} ${r} 0 0 1 ${dx} ${dy}`;
  const [across, down] = [w - 2 * r, h2 - 2 * r];
  return `M${x + r} ${y}h${across}${arc(r, r)}v${down}${arc(-r, r)}h${-across}${arc(-r, -r)}v${-down}${arc(r, -r)}z`;
};
const fill = (d) => ({ d, fill: true });
const STAR = "M12 2l3.1 6.3 6.9 1-5 4.9 1.2 6.8L12 17.8 5.8 21l1.2-6.8-5-4.9 6.9-1z";
const PAGE = "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z";
const BOOK = ["M4 19.5A2.5 2.5 0 0 1 6.5 17H20", "M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z"];
const NOTEBOOK = [rect(4, 2, 16, 20), "M2 6h4", "M2 10h4", "M2 14h4", "M2 18h4"];

/** The SDK's icon names as 24x24 stroke paths (our own simple glyphs; nothing is fetched). */
const ICONS = {
  agent: [rect(4, 8, 16, 12), "M12 8V4H8", "M2 14h2", "M20 14h2", "M9 13v2", "M15 13v2"],
  analytics: ["M3 3v18h18", "M7 15l4-4 3 3 6-7"],
  atom: [fill(circle(12, 12, 1.5)), "M12 3a4 9 0 1 0 0 18a4 9 0 1 0 0-18", "M3 12a9 4 0 1 0 18 0a9 4 0 1 0-18 0"],
  batch: ["M12 2L2 7l10 5 10-5z", "M2 17l10 5 10-5", "M2 12l10 5 10-5"],
  bolt: ["M13 2L3 14h9l-1 8 10-12h-9z"],
  "book-open": ["M2 4h6a4 4 0 0 1 4 4v13a3 3 0 0 0-3-3H2z", "M22 4h-6a4 4 0 0 0-4 4v13a3 3 0 0 1 3-3h7z"],
  "book-closed": BOOK,
  "book-clock": [...BOOK, circle(13, 9.5, 3.5), "M13 8v1.5l1 1"],
  bug: [
    rect(7, 7, 10, 14, 5), "M12 11v10", "M7 13H3", "M21 13h-4", "M7 17l-3 2", "M17 17l3 2", "M9 7a3 3 0 0 1 6 0",
    "M7 10L4 8", "M17 10l3-2",
  ],
  calendar: [rect(3, 4, 18, 18), "M16 2v4", "M8 2v4", "M3 10h18"],
  chart: ["M3 3v18h18", "M8 17v-5", "M13 17V8", "M18 17V5"],
  check: ["M20 6L9 17l-5-5"],
  "check-circle": [circle(12, 12, 10), "M8 12l3 3 5-6"],
  "check-circle-filled": [fill(circle(12, 12, 10)), { d: "M8 12l3 3 5-6", on: true }],
  "chevron-left": ["M15 18l-6-6 6-6"],
  "chevron-right": ["M9 18l6-6-6-6"],
  "circle-question": [circle(12, 12, 10), "M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3", "M12 17h.01"],
  clock: [circle(12, 12, 10), "M12 6v6l4 2"],
  compass: [circle(12, 12, 10), "M16.2 7.8l-2.1 6.4-6.4 2.1 2.1-6.4z"],
  confetti: ["M4 20l5-14 9 9z", "M14 4h.01", "M20 10h.01", "M17 3l-1 3", "M21 7l-3 1"],
  cube: ["M21 16V8l-9-5-9 5v8l9 5z", "M3.3 7L12 12l8.7-5", "M12 22V12"],
  desktop: [rect(2, 3, 20, 14), "M8 21h8", "M12 17v4"],
  document: [PAGE, "M14 2v6h6", "M16 13H8", "M16 17H8"],
  dot: [fill(circle(12, 12, 3))],
  "dots-horizontal": [fill(circle(5, 12, 1.6)), fill(circle(12, 12, 1.6)), fill(circle(19, 12, 1.6))],
  "dots-vertical": [fill(circle(12, 5, 1.6)), fill(circle(12, 12, 1.6)), fill(circle(12, 19, 1.6))],
  "empty-circle": [circle(12, 12, 9)],
  "external-link": ["M15 3h6v6", "M10 14L21 3", "M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6"],
  globe: [
    circle(12, 12, 10), "M2 12h20", "M12 2a15 15 0 0 1 4 10 15 15 0 0 1-4 10 15 15 0 0 1-4-10 15 15 0 0 1 4-10z",
  ],
  keys: [circle(7.5, 15.5, 5.5), "M21 2l-9.6 9.6", "M15.5 7.5l3 3L22 7l-3-3"],
  lab: ["M9 3h6", "M10 3v6l-5 9a2 2 0 0 0 1.7 3h10.6a2 2 0 0 0 1.7-3l-5-9V3", "M7 15h10"],
  images: [rect(7, 3, 14, 14), "M3 7v12a2 2 0 0 0 2 2h12", fill(circle(11.5, 7.5, 1.5)), "M21 13l-4-4-7 8"],
  info: [circle(12, 12, 10), "M12 16v-4", "M12 8h.01"],
  lifesaver: [
    circle(12, 12, 10), circle(12, 12, 4), "M4.9 4.9l4.3 4.3", "M14.8 14.8l4.3 4.3", "M14.8 9.2l4.3-4.3",
    "M4.9 19.1l4.3-4.3",
  ],
  lightbulb: [
    "M15 14c.2-1 .7-1.7 1.5-2.5 1-.9 1.5-2.2 1.5-3.5A6 6 0 0 0 6 8c0 1 .2 2.2 1.5 3.5.7.7 1.3 1.5 1.5 2.5", "M9 18h6",
    "M10 22h4",
  ],
  mail: [rect(2, 4, 20, 16), "M22 7l-10 6L2 7"],
  "map-pin": ["M20 10c0 6-8 12-8 12s-8-6-8-12a8 8 0 0 1 16 0z", circle(12, 10, 3)],
  maps: ["M3 6l6-3 6 3 6-3v15l-6 3-6-3-6 3z", "M9 3v15", "M15 6v15"],
  mobile: [rect(5, 2, 14, 20), "M12 18h.01"],
  name: [rect(3, 4, 18, 16), circle(9, 11, 2), "M6 17c.5-1.5 1.7-2 3-2s2.5.5 3 2", "M15 10h3", "M15 14h3"],
  notebook: [...NOTEBOOK, "M16 2v20"],
  "notebook-pencil": [...NOTEBOOK, "M16 8l-4 4-.5 2.5L14 14l4-4"],
  "page-blank": [PAGE, "M14 2v6h6"],
  phone: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"],
  play: ["M6 3l14 9-14 9z"],
  plus: ["M12 5v14", "M5 12h14"],
  profile: [circle(12, 12, 10), circle(12, 10, 3), "M6.2 18.7a7 7 0 0 1 11.6 0"],
  "profile-card": [rect(3, 4, 18, 16), circle(9, 10, 2), "M15 8h2", "M15 12h2", "M6 16c.6-1.2 1.7-2 3-2s2.4.8 3 2"],
  reload: ["M21 12a9 9 0 1 1-3-6.7L21 8", "M21 3v5h-5"],
  star: [STAR],
  "star-filled": [fill(STAR)],
  search: [circle(11, 11, 8), "M21 21l-4.3-4.3"],
  sparkle: ["M12 3c.5 4.5 4.5 8.5 9 9-4.5.5-8.5 4.5-9 9-.5-4.5-4.5-8.5-9-9 4.5-.5 8.5-4.5 9-9z"],
  "sparkle-double": [
    "M10 4c.4 3.6 3.4 6.6 7 7-3.6.4-6.6 3.4-7 7-.4-3.6-3.4-6.6-7-7 3.6-.4 6.6-3.4 7-7z",
    "M19 14c.2 1.6 1.4 2.8 3 3-1.6.2-2.8 1.4-3 3-.2-1.6-1.4-2.8-3-3 1.6-.2 2.8-1.4 3-3z",
  ],
  "square-code": [rect(3, 3, 18, 18), "M10 9l-3 3 3 3", "M14 15l3-3-3-3"],
  "square-image": [rect(3, 3, 18, 18), circle(9, 9, 2), "M21 15l-5-5L5 21"],
  "square-text": [rect(3, 3, 18, 18), "M7 8h10", "M7 12h10", "M7 16h6"],
  suitcase: [rect(2, 7, 20, 14), "M16 21V5a2 2 0 0 0-2-2h-4a2 2 0 0 0-2 2v16"],
  "settings-slider": [
    "M4 21v-7", "M4 10V3", "M12 21v-9", "M12 8V3", "M20 21v-5", "M20 12V3", "M1 14h6", "M9 8h6", "M17 16h6",
  ],
  user: [circle(12, 7, 4), "M5 21a7 7 0 0 1 14 0"],
  wreath: [
    "M7 20c-3-2-4.5-6-3.5-10", "M17 20c3-2 4.5-6 3.5-10", "M4.5 14.5l2-1", "M19.5 14.5l-2-1", "M4 10l2 .5",
    "M20 10l-2 .5", "M9 21h6",
  ],
  write: ["M17 3a2.8 2.8 0 1 1 4 4L7.5 20.5 2 22l1.5-5.5z"],
  "write-alt": [
    "M12 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-7", "M18.4 2.6a2.1 2.1 0 1 1 3 3L12 15l-4 1 1-4z",
  ],
  "write-alt2": ["M12 20h9", "M16.5 3.5a2.1 2.1 0 1 1 3 3L7 19l-4 1 1-4z"],
  // a few common `lucide:` names
  x: ["M18 6L6 18", "M6 6l12 12"],
  trash: ["M3 6h18", "M19 6v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6", "M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2"],
  "arrow-right": ["M5 12h14", "M12 5l7 7-7 7"],
  "triangle-alert": [
    "M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z", "M12 9v4", "M12 17h.01",
  ],
};
const ICON_SIZES = ["xs", "sm", "md", "lg", "xl", "2xl", "3xl"];
const SVG_NS = "http://www.w3.org/2000/svg";

/** An inline SVG glyph for an icon name; unknown names (and vendor: icons) get a neutral dot. */
export function icon(name, size) {
  const key = (typeof name === "string" ? name : "").replace(/^lucide:/, "");
  const known = Object.hasOwn(ICONS, key);
  const span = document.createElement("span");
  span.className = `ck-icon${known ? "" : " ck-icon-unknown"}`;
  span.classList.add(`ck-size-${ICON_SIZES.includes(size) ? size : "md"}`);
  span.setAttribute("aria-hidden", "true");
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("focusable", "false");
  for (const part of known ? ICONS[key] : [fill(circle(12, 12, 3))]) {
    const path = document.createElementNS(SVG_NS, "path");
    const spec = typeof part === "string" ? { d: part } : part;
    path.setAttribute("d", spec.d);
    path.setAttribute("class", spec.fill ? "ck-icon-fill" : spec.on ? "ck-icon-on" : "ck-icon-stroke");
    svg.append(path);
  }
  span.append(svg);
  return span;
}
