"""Plain text from a tool, as Markdown that keeps its lines: the shape of a text decides its form.

Servers send text of every kind in text blocks and string fields: Markdown, a unified diff,
`git branch` output, space-aligned columns, a stack trace, a list of paths, a sentence.
Handing all of it to Markdown as is joins lines, drops leading spaces and sets columns in a
proportional font. So each text is read for its shape first (`shape_of`):

- ``fenced``: the whole text is one fenced code block: shown as it is (its fence is Markdown).
- ``diff``: a unified diff: a ``diff`` code block.
- ``markdown``: headings, links, emphasis, tables, fences or well-formed lists: Markdown.
- ``code``: indented, space-aligned, tabbed or box-drawn lines (a tree, columns, a trace,
  code): a code block, so every space stays and the columns line up.
- ``lines``: a few short lines: a bullet list (a leading "Heading:" line stays a paragraph).
- ``prose``: anything else: Markdown-escaped text whose line breaks are kept.

`shown_text` cuts a text to a limit on a line boundary where it can and says how many
characters it left out; the caller shows that count and offers the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from gateway import safe_json
from gateway.vocabulary.json import is_array, is_object

Shape = Literal["fenced", "diff", "markdown", "code", "lines", "prose"]

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})([^`\n]*)$")
_HUNK = re.compile(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@", re.M)
_DIFF_HEAD = re.compile(r"^(diff --git |--- \S|\+\+\+ \S|Index: )", re.M)
_HEADING = re.compile(r"^ {0,3}#{1,6} \S", re.M)
_LINK = re.compile(r"!?\[[^\]\n]{1,200}\]\([^)\s]{1,500}\)")
_EMPHASIS = re.compile(
    r"(\*\*|__)\S[^\n]{0,200}?\S\1|(?<![\w*])\*[^*\s][^*\n]{0,200}(?<=\S)\*(?![\w*])|`[^`\n]{1,200}`"
)
_TABLE_SEP = re.compile(r"^ {0,3}\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)
_QUOTE = re.compile(r"^ {0,3}> ", re.M)
_FENCE_ANY = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)]) +\S")
_ALIGNED = re.compile(r"\S(?: {2,}|\t)\S")
_BOX_DRAWING = re.compile(r"[\u2500-\u257f]")
_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([-+#>=]|\d{1,9}[.)])")
SHORT_LINE = 80
"""The longest line of a text still read as a list of short lines."""
SHORT_WORDS = 10
"""The most words in a line still read as an entry of a list."""
MAX_LIST_LINES = 200
MARKDOWN_SAMPLE = 4000
"""Characters searched for inline Markdown (links, emphasis, code spans)."""


def shape_of(value: str) -> Shape:
    """The shape of a text (see the module docstring); decided on its first 20,000 characters."""
    sample = value[:20_000].replace("\r\n", "\n").strip("\n")
    lines = sample.split("\n")
    if _one_fenced_block(lines):
        return "fenced"
    if _HUNK.search(sample) and _DIFF_HEAD.search(sample):
        return "diff"
    if _is_markdown(sample, lines):
        return "markdown"
    filled = [line for line in lines if line.strip()]
    if len(filled) < 2:
        return "prose"
    if _is_code_like(filled):
        return "code"
    if len(filled) <= MAX_LIST_LINES and all(_short(line) for line in filled):
        return "lines"
    return "prose"


def _short(line: str) -> bool:
    """A line that reads as an entry (a path, a name, "key: value"), not a sentence."""
    return len(line) <= SHORT_LINE and len(line.split()) <= SHORT_WORDS


def _one_fenced_block(lines: list[str]) -> bool:
    opening = _FENCE_OPEN.match(lines[0]) if lines else None
    if opening is None or len(lines) < 2:
        return False
    fence = opening.group(1)
    closing = lines[-1].strip()
    if not (closing.startswith(fence[0] * len(fence)) and set(closing) == {fence[0]}):
        return False
    return not any(_FENCE_ANY.match(line) for line in lines[1:-1])


def _is_markdown(sample: str, lines: list[str]) -> bool:
    strong = (_HEADING, _TABLE_SEP, _QUOTE, _FENCE_ANY)
    inline = sample[:MARKDOWN_SAMPLE]  # links and emphasis show early, if at all
    if any(p.search(sample) for p in strong) or _LINK.search(inline) or _EMPHASIS.search(inline):
        return True
    items = [line for line in lines if _ITEM.match(line)]
    if not any(item[:1] in "-*+0123456789" for item in items):
        return False  # a Markdown list starts at the margin; indented dashes are the text's own
    # A Markdown list: every indented line is itself a (nested) item. `git branch` output
    # ("* main" over "  feature") has indented lines that are not, and is no list.
    return all(_ITEM.match(line) or not line[:1].isspace() or not line.strip() for line in lines)


def _is_code_like(filled: list[str]) -> bool:
    indented = sum(1 for line in filled if line[:1] in (" ", "\t"))
    if indented and indented * 3 < len(filled):
        indented = 0  # one indented line in a long text is a slip, not a layout
    aligned = sum(1 for line in filled if _ALIGNED.search(line.strip()))
    boxed = any(_BOX_DRAWING.search(line) for line in filled)
    return indented > 0 or aligned >= 2 or boxed


def _closed(text: str) -> str:
    """A fenced block whose closing fence a cut may have taken, closed again."""
    lines = text.split("\n")
    opening = _FENCE_OPEN.match(lines[0])
    if opening is None:
        return text
    fence = opening.group(1)
    last = lines[-1].strip()
    if len(lines) > 1 and last.startswith(fence) and set(last) == {fence[0]}:
        return text
    return f"{text}\n{fence}"


def fenced(body: str, lang: str = "") -> str:
    """`body` in a Markdown code fence longer than any backtick run inside it."""
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def escape(line: str) -> str:
    """One line of plain text as Markdown that shows it as it is."""
    escaped = _ESCAPE.sub(r"\\\1", line)
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escaped, count=1)


def as_markdown(value: str, shape: Shape | None = None) -> str:
    """The Markdown that shows `value` with its lines kept, by its shape."""
    shape = shape or shape_of(value)
    text = value.replace("\r\n", "\n").strip("\n")
    if shape == "fenced":
        return _closed(text)
    if shape == "markdown":
        return text
    if shape == "diff":  # a heading line ("Unstaged changes:") stays outside the diff
        head, _, rest = text.partition("\n")
        if head.rstrip().endswith(":") and not _DIFF_HEAD.match(head) and rest:
            return f"{escape(head.strip())}\n\n{fenced(rest.strip(chr(10)), 'diff')}"
        return fenced(text, "diff")
    if shape == "code":
        return fenced(text.expandtabs(4))
    lines = text.split("\n")
    if shape == "lines":
        head = lines[0].strip()
        intro = [escape(head), ""] if head.endswith(":") and len(lines) > 2 else []
        items = lines[1:] if intro else lines
        return "\n".join(intro + [f"- {escape(line.strip())}" for line in items if line.strip()])
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join("\\\n".join(_kept_indent(line) for line in p.split("\n")) for p in paragraphs)


def _kept_indent(line: str) -> str:
    """A prose line escaped, its indentation kept as no-break spaces (Markdown drops spaces)."""
    body = line.lstrip(" \t")
    indent = len(line[: len(line) - len(body)].expandtabs(4))
    return "\u00a0" * indent + escape(body.rstrip())


@dataclass(frozen=True)
class Shown:
    """A text cut for display: the part shown, and how much was left out."""

    text: str
    hidden: int
    """Characters of the original not in `text`."""


def shown_text(value: str, limit: int) -> Shown:
    """`value` cut to about `limit` characters: at the last line break in the final fifth when
    there is one (a cut line of code reads worse than a missing one), else at the limit."""
    if len(value) <= limit:
        return Shown(value, 0)
    cut = value.rfind("\n", int(limit * 0.8), limit)
    end = cut if cut > 0 else limit
    return Shown(value[:end].rstrip(), len(value) - end)


def hidden_note(hidden: int) -> str:
    """What a cut leaves out, in words."""
    return f"{hidden:,} more character{'s' if hidden != 1 else ''} not shown"


def json_in_text(value: str) -> Any:
    """The JSON object or array a text holds (the whole text, whitespace aside), else None."""
    stripped = value.strip()
    if len(stripped) < 2 or stripped[0] not in "[{" or stripped[-1] not in "]}":
        return None
    try:
        parsed = safe_json.loads(stripped)
    except ValueError:  # not JSON, or JSON we will not pass on (too deep, lone surrogates)
        return None
    return parsed if is_object(parsed) or is_array(parsed) else None


MAX_RECORDS_TEXT = 50_000
"""The longest text read for records; longer ones are shown as text."""
_PAIR = re.compile(r"^([A-Za-z][\w .()/-]{0,39}?)\s*:(?:\s+(.*))?$")  # linear: the value is trimmed after


def records_in_text(value: str) -> tuple[str | None, Any] | None:
    """The records a text of "Key: value" lines holds: one block of them is an object, several
    blocks (split by blank lines) a list of objects; a first line ending in ":" is their heading.
    None when the text is anything else. `git log`'s "Commit: …" blocks, `stat`-like output."""
    if len(value) > MAX_RECORDS_TEXT:
        return None
    lines = value.replace("\r\n", "\n").strip().split("\n")
    heading = None
    if len(lines) > 2 and lines[0].rstrip().endswith(":") and _PAIR.match(lines[0]) and not lines[1].strip():
        heading, lines = lines[0].rstrip()[:-1].strip(), lines[2:]
    elif len(lines) > 2 and lines[0].rstrip().endswith(":") and ": " not in lines[0]:
        heading, lines = lines[0].rstrip()[:-1].strip(), lines[1:]
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in [*lines, ""]:
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        match = _PAIR.match(line)
        if match is None or line[:1].isspace():
            return None
        key = _record_key(match.group(1))
        if key in current:
            return None
        current[key] = (match.group(2) or "").strip()
    if not blocks or sum(len(b) for b in blocks) < 2 or any(len(b) < 2 for b in blocks):
        return None
    if len(blocks) == 1:
        return heading, blocks[0]
    first = set(blocks[0])
    if any(len(first & set(b)) * 2 < len(first) for b in blocks[1:]):
        return None  # blocks of different things: not rows of one table
    return heading, blocks


def _record_key(key: str) -> str:
    """A record's key as data: "Commit" → "commit" (one capitalized word), others as written."""
    key = key.strip()
    return key.lower() if key.isalpha() and key[:1].isupper() and key[1:].islower() else key
