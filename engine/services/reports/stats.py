"""Small statistics with fixed definitions (median, p90, mean, percentage), None when empty."""

from __future__ import annotations

import math
from collections.abc import Sequence


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle values for an even count)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` quantile, interpolating between closest ranks (Excel's PERCENTILE.INC).

    Position (n - 1) * share in the sorted values; p90 of [1..10] is 9.1.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean."""
    return sum(values) / len(values) if values else None


def pct(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal."""
    return round(100.0 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    """value rounded (None stays None)."""
    return None if value is None else round(value, digits)
