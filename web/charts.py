"""Small server-side SVG charts (no scripts, no inline styles: classes from carecycle.css)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 128, 14, 34


@dataclass(frozen=True)
class Band:
    """A severity band of an instrument: totals from `lower` up are `label`."""

    lower: int
    label: str


# The bands of the scoring tables in processes/ (score_phq9.dmn, score_gad7.dmn).
PHQ9_BANDS = (
    Band(0, "minimal"),
    Band(5, "mild"),
    Band(10, "moderate"),
    Band(15, "moderately severe"),
    Band(20, "severe"),
)
GAD7_BANDS = (Band(0, "minimal"), Band(5, "mild"), Band(10, "moderate"), Band(15, "severe"))
SCALES = {"phq9": ("PHQ-9", 27, PHQ9_BANDS), "gad7": ("GAD-7", 21, GAD7_BANDS)}


@dataclass(frozen=True)
class Point:
    """One total at one time, with its band."""

    at: datetime
    total: int
    band: str | None = None


def line_chart(
    chart_id: str,
    label: str,
    points: Sequence[Point],
    max_score: int,
    bands: Sequence[Band],
) -> Markup:
    """An accessible SVG line chart of totals over time with the band thresholds drawn."""
    points = sorted(points, key=lambda p: p.at)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h - (min(max(value, 0), max_score) / max_score) * plot_h, 1)

    first = points[0].at if points else None
    span = (points[-1].at - points[0].at).total_seconds() if len(points) > 1 else 0.0

    def x(index: int, at: datetime) -> float:
        if len(points) < 2:
            return round(LEFT + plot_w / 2, 1)
        if span > 0 and first is not None:
            share = (at - first).total_seconds() / span
        else:
            share = index / (len(points) - 1)
        return round(LEFT + share * plot_w, 1)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    title = f"{label} total over time"
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(_describe(label, points, bands))}</desc>',
    ]
    # bands: shaded strips with a threshold line at each lower bound above zero
    for index, band in enumerate(bands):
        upper = bands[index + 1].lower if index + 1 < len(bands) else max_score
        top, bottom = y(upper), y(band.lower)
        parts.append(
            f'<rect class="chart-band chart-band-{index}" x="{LEFT}" y="{top}" '
            f'width="{plot_w}" height="{round(bottom - top, 1)}"/>'
        )
        if band.lower > 0:
            parts.append(
                f'<line class="chart-threshold" x1="{LEFT}" x2="{LEFT + plot_w}" '
                f'y1="{bottom}" y2="{bottom}"/>'
            )
            parts.append(
                f'<text class="chart-tick" x="{LEFT - 6}" y="{bottom + 4}" '
                f'text-anchor="end">{band.lower}</text>'
            )
        parts.append(
            f'<text class="chart-band-label" x="{LEFT + plot_w + 6}" '
            f'y="{round((top + bottom) / 2 + 4, 1)}">{escape(band.label)}</text>'
        )
    parts.append(
        f'<text class="chart-tick" x="{LEFT - 6}" y="{y(0) + 4}" text-anchor="end">0</text>'
        f'<text class="chart-tick" x="{LEFT - 6}" y="{y(max_score) + 4}" '
        f'text-anchor="end">{max_score}</text>'
        f'<line class="chart-axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>'
        f'<line class="chart-axis" x1="{LEFT}" x2="{LEFT + plot_w}" '
        f'y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    coords = [(x(i, p.at), y(p.total)) for i, p in enumerate(points)]
    if len(coords) > 1:
        joined = " ".join(f"{cx},{cy}" for cx, cy in coords)
        parts.append(f'<polyline class="chart-line" points="{joined}"/>')
    for (cx, cy), point in zip(coords, points, strict=True):
        when = point.at.date().isoformat()
        shown = f" ({point.band})" if point.band else ""
        parts.append(
            f'<circle class="chart-point" cx="{cx}" cy="{cy}" r="4" '
            f'data-total="{point.total}" data-date="{when}">'
            f"<title>{escape(f'{when}: {label} {point.total}{shown}')}</title></circle>"
        )
    for tick in _date_ticks(coords, points):
        cx, text = tick
        parts.append(
            f'<text class="chart-tick" x="{cx}" y="{TOP + plot_h + 18}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def score_chart(instrument: str, points: Sequence[Point]) -> Markup:
    """The chart of one instrument of SCALES (phq9, gad7)."""
    label, max_score, bands = SCALES[instrument]
    return line_chart(f"chart-{instrument}", label, points, max_score, bands)


def _date_ticks(
    coords: list[tuple[float, float]], points: Sequence[Point]
) -> list[tuple[float, str]]:
    """Dates under the x axis: every point when few, else the first, middle and last."""
    if not points:
        return []
    indexes = list(range(len(points)))
    if len(points) > 6:
        indexes = sorted({0, len(points) // 2, len(points) - 1})
    ticks: list[tuple[float, str]] = []
    for i in indexes:
        cx = coords[i][0]
        if ticks and abs(ticks[-1][0] - cx) < 70:
            continue
        ticks.append((cx, points[i].at.date().isoformat()))
    return ticks


def _describe(label: str, points: Sequence[Point], bands: Sequence[Band]) -> str:
    thresholds = ", ".join(f"{b.label} from {b.lower}" for b in bands)
    if not points:
        return f"No {label} results yet. Bands: {thresholds}."
    values = "; ".join(
        f"{p.at.date().isoformat()} {p.total}" + (f" {p.band}" if p.band else "") for p in points
    )
    return f"{len(points)} {label} results, oldest first: {values}. Bands: {thresholds}."
