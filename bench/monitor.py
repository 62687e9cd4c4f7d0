"""The instance monitor on 100,000 generated cases in PostgreSQL: list pages, counts, heatmap.

`python -m bench.monitor [--quick] [--cases N] [--url URL]` generates N cases (default
100,000; 10,000 with --quick) with bench.datagen into a fresh database next to
CARECYCLE_BENCH_PG_URL (default the local carecycle_test_bench), dropped afterwards; with
--url it uses that database as it is (generating only when it holds no cases). It then times
MonitorService calls as the pages and the API make them: the first page, a deep page and the
last page of the instance list, filtered pages, the counts per status, the API list (full
instance views), incidents and the care cycle's heatmap. Each figure is the median and p90 of
interleaved runs after a warm-up; the target is a median under 200 ms (1 s for the heatmap,
which aggregates every waiting task and timer and the last 90 days of finished visits).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bench.common import Figure, Stats, interleaved_ms, report, report_load
from bench.datagen import DEFAULT_URL
from bench.generated import NOW, generated_engine
from engine import Actor, Engine
from engine.persistence.tables import CareCase
from engine.services.monitor_views import InstanceFilter

NAME = "monitor"
TARGET_MS = 200.0
HEATMAP_TARGET_MS = 1000.0
CASES, QUICK_CASES = 100_000, 10_000
PER_PAGE = 50
SUPERVISOR = Actor("bench-supervisor", frozenset({"supervisor"}))


def busiest_manager(engine: Engine) -> str:
    """The case manager with the most cases (the heaviest manager filter)."""
    with engine.context.uow() as uow:
        found = uow.session.execute(
            select(CareCase.manager, func.count())
            .where(CareCase.manager.is_not(None))
            .group_by(CareCase.manager)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    return str(found[0]) if found else "nobody"


def ops(engine: Engine, total: int) -> dict[str, Callable[[], Any]]:
    """One call per monitored view."""
    monitor = engine.monitor
    everyone = InstanceFilter()
    manager = busiest_manager(engine)
    last = max(0, (total - 1) // PER_PAGE * PER_PAGE)
    filtered = {
        "status=waiting": InstanceFilter(status="waiting"),
        f"manager={manager} & phase=monitoring": InstanceFilter(
            manager=manager, phase="monitoring"
        ),
        "risk=high & overdue": InstanceFilter(risk_tier="high", overdue=True),
        "opened in the last 30 days": InstanceFilter(opened_from=NOW - timedelta(days=30)),
        "process care_cycle v1": InstanceFilter(process_id="care_cycle", version=1),
    }
    found: dict[str, Callable[[], Any]] = {
        "list page 1": lambda: monitor.page(SUPERVISOR, everyone, PER_PAGE, 0),
        "list page at offset 50,000": lambda: monitor.page(
            SUPERVISOR, everyone, PER_PAGE, min(50_000, last)
        ),
        "list last page": lambda: monitor.page(SUPERVISOR, everyone, PER_PAGE, last),
        "counts per status": lambda: monitor.counts(SUPERVISOR, everyone),
        "API list (100 full views)": lambda: monitor.views(SUPERVISOR, everyone, 100, 0),
        "incidents": lambda: monitor.incidents(SUPERVISOR),
        "heatmap care_cycle v1": lambda: monitor.heatmap("care_cycle", 1, SUPERVISOR),
    }
    for label, chosen in filtered.items():
        found[f"list page 1, {label}"] = lambda f=chosen: monitor.page(SUPERVISOR, f, PER_PAGE, 0)
    return found


def instance_total(engine: Engine) -> int:
    """How many instances the monitor lists without filters."""
    return sum(engine.monitor.counts(SUPERVISOR, InstanceFilter()).values())


def run(
    quick: bool = False, cases: int | None = None, url: str | None = None, base: str | None = None
) -> list[Figure]:
    """Generate (unless the database has cases), time every monitor call, print the figures."""
    cases = cases or (QUICK_CASES if quick else CASES)
    reps = 3 if quick else 9
    base = base or os.environ.get("CARECYCLE_BENCH_PG_URL") or DEFAULT_URL
    report_load(NAME)
    with generated_engine(url, base, NAME, cases) as engine:
        total = instance_total(engine)
        report(NAME, "instances in PostgreSQL", f"{total:,}")
        found = interleaved_ms(ops(engine, total), reps, 1, 1)
    return summarize(found)


def summarize(found: dict[str, Stats]) -> list[Figure]:
    """Print each figure with its verdict; the headline figures."""
    for label, stats in found.items():
        target = target_ms(label)
        verdict = "ok" if stats.median < target else f"OVER {target:.0f} ms"
        report(NAME, label, f"median {stats.median:8.1f} ms   p90 {stats.p90:8.1f} ms   {verdict}")
    headline = ("list page 1", "list page at offset 50,000", "counts per status")
    headline += ("heatmap care_cycle v1",)
    return [Figure(NAME, f"{label}, median", found[label].median, "ms") for label in headline]


def target_ms(label: str) -> float:
    """The median a figure must stay under: 200 ms for list calls, 1 s for the heatmap."""
    return HEATMAP_TARGET_MS if label.startswith("heatmap") else TARGET_MS


def main(argv: list[str] | None = None) -> int:
    """The command line; exit status 1 when a monitor call is too slow."""
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases, fewer runs")
    parser.add_argument("--cases", type=int, help="how many cases to generate")
    parser.add_argument("--url", help="use this database as it is (generate only if empty)")
    args = parser.parse_args(argv)
    figures = run(quick=args.quick, cases=args.cases, url=args.url)
    slow = [f for f in figures if f.value >= target_ms(f.label)]
    for figure in slow:
        print(f"TOO SLOW: {figure.label} {figure.value:.0f} ms", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
