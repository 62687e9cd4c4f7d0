"""Server-side SVG charts of the reports: bars, columns and dot strips (no scripts, no inline
styles: every look comes from classes in web/static/reports.css)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
ROW = 30
LABEL_W = 170
VALUE_W = 70
TOP, BOTTOM = 12, 30


@dataclass(frozen=True)
class Bar:
    """One bar: its label and value (None: nothing to draw, shown as "no data")."""

    label: str
    value: float | None


@dataclass(frozen=True)
class Mark:
    """One marker of a strip: a value, what it is ("median", "p90", ...) and a CSS kind."""

    value: float
    name: str
    kind: str


@dataclass(frozen=True)
class Strip:
    """One row of a strip chart: markers on a shared axis, joined by a line."""

    label: str
    marks: tuple[Mark, ...]


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def number(value: float, unit: str = "") -> str:
    """A value as people read it: no trailing .0, a unit after it."""
    shown = f"{value:,.1f}".removesuffix(".0")
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}".rstrip()


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg class="chart report-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} '
        f'{height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]


def _axis(x0: float, width: float, top: float, bottom: float, top_value: float, unit: str) -> str:
    """Vertical grid lines with tick labels at 0, 1/4, ... of top_value."""
    parts = []
    for i in range(5):
        x = round(x0 + width * i / 4, 1)
        parts.append(
            f'<line class="grid" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>'
            f'<text class="tick" x="{x}" y="{bottom + 16}" text-anchor="middle">'
            f"{escape(number(top_value * i / 4, unit))}</text>"
        )
    return "".join(parts)


def bar_chart(
    chart_id: str, title: str, bars: Sequence[Bar], unit: str = "", top: float | None = None
) -> Markup:
    """Horizontal bars, one row per label, on an axis from 0 to `top` (default: a nice max)."""
    values = [b.value for b in bars if b.value is not None]
    top_value = top or nice_max(max(values, default=0.0))
    plot_w = WIDTH - LABEL_W - VALUE_W
    height = TOP + ROW * max(len(bars), 1) + BOTTOM
    desc = "; ".join(
        f"{b.label}: {'no data' if b.value is None else number(b.value, unit)}" for b in bars
    )
    parts = _open(chart_id, title, desc or "No data.", height)
    parts.append(_axis(LABEL_W, plot_w, TOP, height - BOTTOM, top_value, unit))
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        parts.append(
            f'<text class="label" x="{LABEL_W - 8}" y="{y + ROW / 2 + 4}" '
            f'text-anchor="end">{escape(_short(bar.label))}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text class="value empty" x="{LABEL_W + 4}" y="{y + ROW / 2 + 4}">no data</text>'
            )
            continue
        w = round(plot_w * min(bar.value, top_value) / top_value, 1)
        parts.append(
            f'<rect class="bar" x="{LABEL_W}" y="{y + 5}" width="{w}" height="{ROW - 10}">'
            f"<title>{escape(f'{bar.label}: {number(bar.value, unit)}')}</title></rect>"
            f'<text class="value" x="{LABEL_W + w + 6}" y="{y + ROW / 2 + 4}">'
            f"{escape(number(bar.value, unit))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(chart_id: str, title: str, bars: Sequence[Bar], unit: str = "") -> Markup:
    """Vertical columns (a histogram or a distribution), labels under each column."""
    height = 220
    left, plot_h = 40, height - TOP - BOTTOM
    top_value = nice_max(max((b.value or 0.0 for b in bars), default=0.0))
    slot = (WIDTH - left - 10) / max(len(bars), 1)
    desc = "; ".join(f"{b.label}: {number(b.value or 0.0, unit)}" for b in bars)
    parts = _open(chart_id, title, desc or "No data.", height)
    for i in range(5):
        y = round(TOP + plot_h - plot_h * i / 4, 1)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - 10}" y1="{y}" y2="{y}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4}" text-anchor="end">'
            f"{escape(number(top_value * i / 4, unit))}</text>"
        )
    for i, bar in enumerate(bars):
        value = bar.value or 0.0
        h = round(plot_h * value / top_value, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        centre = round(left + i * slot + slot / 2, 1)
        parts.append(
            f'<rect class="bar" x="{x}" y="{round(TOP + plot_h - h, 1)}" '
            f'width="{round(slot * 0.7, 1)}" height="{h}">'
            f"<title>{escape(f'{bar.label}: {number(value, unit)}')}</title></rect>"
            f'<text class="value" x="{centre}" y="{round(TOP + plot_h - h - 4, 1)}" '
            f'text-anchor="middle">{escape(number(value, unit))}</text>'
            f'<text class="tick" x="{centre}" y="{TOP + plot_h + 16}" '
            f'text-anchor="middle">{escape(_short(bar.label, 12))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def strip_chart(chart_id: str, title: str, strips: Sequence[Strip], unit: str = "") -> Markup:
    """Rows of markers on one axis from 0 (median and p90, baseline and latest), joined."""
    values = [m.value for s in strips for m in s.marks]
    top_value = nice_max(max(values, default=0.0))
    plot_w = WIDTH - LABEL_W - VALUE_W
    height = TOP + ROW * max(len(strips), 1) + BOTTOM

    def x(value: float) -> float:
        return round(LABEL_W + plot_w * max(value, 0.0) / top_value, 1)

    desc = "; ".join(
        f"{s.label}: " + ", ".join(f"{m.name} {number(m.value, unit)}" for m in s.marks)
        if s.marks
        else f"{s.label}: no data"
        for s in strips
    )
    parts = _open(chart_id, title, desc or "No data.", height)
    parts.append(_axis(LABEL_W, plot_w, TOP, height - BOTTOM, top_value, unit))
    for i, strip in enumerate(strips):
        y = TOP + i * ROW + ROW / 2
        parts.append(
            f'<text class="label" x="{LABEL_W - 8}" y="{y + 4}" text-anchor="end">'
            f"{escape(_short(strip.label))}</text>"
        )
        if not strip.marks:
            parts.append(f'<text class="value empty" x="{LABEL_W + 4}" y="{y + 4}">no data</text>')
            continue
        xs = [x(m.value) for m in strip.marks]
        parts.append(f'<line class="strip" x1="{min(xs)}" x2="{max(xs)}" y1="{y}" y2="{y}"/>')
        for mark, cx in zip(strip.marks, xs, strict=True):
            parts.append(
                f'<circle class="mark mark-{escape(mark.kind)}" cx="{cx}" cy="{y}" r="6">'
                f"<title>{escape(f'{strip.label}: {mark.name} {number(mark.value, unit)}')}"
                "</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
