"""Numbers over categories or time as a ChatKit Chart (bar, or line over dates), with the numbers in the summary too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.render.data import Rows, chart_shape, is_date
from gateway.render.parts import Context, Part
from gateway.render.widget import Node, humanize, more_note, note, scalar_text, text
from gateway.vocabulary.words import counted

MAX_CHART_POINTS = 100


def chart_part(
    rows: Rows,
    ctx: Context,
    *,
    x: str | None = None,
    series: Sequence[str] | None = None,
    kind: str | None = None,
    heading: str | None = None,
) -> Part:
    """Numbers over categories or time as a Chart, the numbers also in the summary."""
    shape = chart_shape(rows.items)
    label = x or (shape[0] if shape else None)
    numeric = list(series) if series else (shape[1] if shape else [])
    if label is None or not numeric:
        raise ValueError("the rows are not numbers over categories: name the x and series keys")
    points = rows.items[:MAX_CHART_POINTS]
    data = [
        {label: _label(p.get(label)), **{k: p[k] for k in numeric if isinstance(p.get(k), (int, float))}}
        for p in points
    ]
    if kind is None:
        kind = "line" if all(is_date(label, p.get(label)) for p in points) else "bar"
    chart = {
        "type": "Chart",
        "data": data,
        "series": [{"type": kind, "label": humanize(k), "dataKey": k} for k in numeric[:6]],
        "xAxis": label,
        "showLegend": len(numeric) > 1,
        "showTooltip": True,
        "height": 220,
    }
    heading = heading or f"{', '.join(humanize(k) for k in numeric[:3])} by {humanize(label).lower()}"
    nodes: list[Node] = [text(heading, weight="semibold"), chart]
    if len(rows.items) > len(points):
        nodes.append(note(more_note(len(rows.items) - len(points), "more points not charted")))
    values = "; ".join(
        f"{_label(p.get(label))}: " + ", ".join(f"{k}={scalar_text(p.get(k))}" for k in numeric[:3])
        for p in points[:12]
    )
    more = "; …" if len(points) > 12 else ""
    return Part(nodes, f"{heading} ({counted(len(rows.items), 'points')}): {values}{more}")


def _label(value: Any) -> str | int | float:
    return (
        value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else scalar_text(value)
    )
