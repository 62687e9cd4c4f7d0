"""The risk mix of a caseload as a small stacked bar (SVG geometry; colours come from CSS)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 160
TIERS = ("high", "moderate", "low", "unknown")


@dataclass(frozen=True)
class Segment:
    """One tier's part of the bar."""

    tier: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class RiskBar:
    """The bar's segments and the sentence a screen reader gets instead."""

    segments: list[Segment]
    label: str
    width: int = WIDTH


def risk_bar(risk: dict[str, int]) -> RiskBar:
    """Segments proportional to the open cases per risk tier (empty when there are none)."""
    total = sum(risk.get(tier, 0) for tier in TIERS)
    parts = [f"{risk.get(tier, 0)} {tier}" for tier in TIERS if risk.get(tier, 0)]
    label = "Risk mix: " + (", ".join(parts) if parts else "no open cases")
    segments: list[Segment] = []
    x = 0.0
    for tier in TIERS:
        count = risk.get(tier, 0)
        if not count:
            continue
        width = round(WIDTH * count / total, 2)
        segments.append(Segment(tier, count, round(x, 2), width))
        x += width
    return RiskBar(segments, label)
