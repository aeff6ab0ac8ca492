"""A tree of objects (a directory tree, an outline, a hierarchy) drawn as a tree.

A list of objects that name themselves (`name`, `title`, `label`…), hold little else (a type, a
size, a path) and hold their sub-items in a list under `children` (or `nodes`, `subitems`,
`subtree`) is a tree: flattening it into rows hides its shape, so it is drawn with box-drawing
characters in a code block, a directory (`"type": "directory"`, or any node with children)
ending in "/".
"""

from __future__ import annotations

from typing import Any

from gateway.render.data import TITLE_KEYS
from gateway.render.parts import Context, Part
from gateway.render.text import fenced
from gateway.render.widget import Node, clip, markdown, more_note, note
from gateway.vocabulary.json import is_array, is_object

CHILD_KEYS = ("children", "nodes", "subitems", "subtree")
"""Keys holding a node's sub-nodes. Not `items` or `entries`: an order's lines are no sub-tree."""
NODE_KEYS = frozenset({"type", "kind", "size", "path", "id", "uri", "url", "icon"})
"""What a node may hold beside its label and children and still be drawn as one line: a drawing
shows the label alone, so a node with more (a total, a price) is data for a table, not a tree."""
MAX_LINES = 400
"""Lines of a drawn tree; the rest are counted in a note."""
_MAX_DEPTH = 40


def _label_key(node: dict[str, Any]) -> str | None:
    return next((k for k in TITLE_KEYS if isinstance(node.get(k), str)), None)


def _child_key(node: dict[str, Any]) -> str | None:
    return next((k for k in CHILD_KEYS if is_array(node.get(k))), None)


def _is_node(value: Any) -> bool:
    """A labelled object holding nothing but its label, its children and NODE_KEYS."""
    if not is_object(value):
        return False
    label = _label_key(value)
    return label is not None and all(k in NODE_KEYS or k == label or k in CHILD_KEYS for k in value)


def is_tree(value: Any) -> bool:
    """A non-empty list of nodes (`_is_node`), some holding nodes of their own (checked two levels down)."""
    if not is_array(value) or not value or not all(_is_node(v) for v in value):
        return False
    nested = False
    for node in value:
        key = _child_key(node)
        if key is None:
            continue
        children = node[key]
        if not all(_is_node(c) for c in children):
            return False
        nested = nested or bool(children)
    return nested


def tree_part(nodes: list[dict[str, Any]], ctx: Context) -> Part:
    """The tree as a code block of box-drawn lines, cut at MAX_LINES with a note."""
    lines: list[str] = []
    total = _draw(nodes, "", lines, 0)
    shown: list[Node] = [markdown(fenced("\n".join(lines)))]
    if total > len(lines):
        shown.append(note(more_note(total - len(lines), "more entries not shown")))
    names = [str(n[_label_key(n) or ""]) for n in nodes[:10]]
    copy = f"Tree of {total:,} entries: " + ", ".join(clip(n, 60) for n in names)
    return Part(shown, copy + (", …" if len(nodes) > 10 else ""))


def _draw(nodes: list[Any], prefix: str, lines: list[str], depth: int) -> int:
    """Append the lines of `nodes` (while fewer than MAX_LINES); return how many entries there are."""
    count = 0
    for index, node in enumerate(nodes):
        if not is_object(node):
            continue
        count += 1
        last = index == len(nodes) - 1
        key = _child_key(node)
        children: list[Any] = node[key] if key is not None else []
        label = str(node.get(_label_key(node) or "", "?"))
        if children or node.get("type") in ("directory", "dir", "folder"):
            label = label.rstrip("/") + "/"
        if len(lines) < MAX_LINES:
            lines.append(prefix + ("└── " if last else "├── ") + clip(label, 200))
        if children and depth < _MAX_DEPTH:
            count += _draw(children, prefix + ("    " if last else "│   "), lines, depth + 1)
    return count
