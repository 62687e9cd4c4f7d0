"""Every supervisor report on 100,000 generated cases in PostgreSQL: each must take < 1 s.

`python -m bench.reports [--quick] [--cases N] [--url URL]` generates N cases (default
100,000; 10,000 with --quick) with bench.datagen into a fresh database next to
CARECYCLE_BENCH_PG_URL (default the local carecycle_test_bench), dropped afterwards; with
--url it uses that database as it is (generating only when it holds no cases). It then times
ReportService.run for each report and filter (the default last 90 days, a whole year, one
team), `reps` interleaved runs after a warm-up, and prints the median and p90 of each; it
also times the whole reports page's queries (every report at once, run_all) for information.
It exits 1 when any single report's p90 is 1 s or more.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bench.common import (
    Figure,
    Stats,
    interleaved_ms,
    report,
    report_load,
)
from bench.datagen import DEFAULT_URL
from bench.generated import NOW, case_count, generated_engine
from engine import Actor, Engine
from engine.persistence.tables import User
from engine.services.reports import REPORTS, ReportFilter
from engine.services.reports.filters import default_filter

NAME = "reports"
TARGET_S = 1.0
CASES, QUICK_CASES = 100_000, 10_000
SUPERVISOR = Actor("bench-supervisor", frozenset({"supervisor"}))
PAGE = "all reports (the page)"


def filters(team: str | None) -> dict[str, ReportFilter]:
    """The filters every report is timed with."""
    found = {
        "90 days": default_filter(NOW),
        "1 year": ReportFilter(date(2025, 11, 27), date(2026, 11, 28)),
    }
    if team:
        found[f"90 days, team {team}"] = default_filter(NOW, team)
    return found


def a_team(engine: Engine) -> str | None:
    """The first team of the generated people."""
    with engine.context.uow() as uow:
        team = uow.session.scalar(select(func.min(User.team)))
        return str(team) if team else None


def ops(engine: Engine, team: str | None) -> dict[str, Callable[[], Any]]:
    """One call per (report, filter)."""
    found: dict[str, Callable[[], Any]] = {}
    for info in REPORTS:
        for label, report_filter in filters(team).items():

            def op(name: str = info.name, chosen: ReportFilter = report_filter) -> Any:
                return engine.reports.run(name, SUPERVISOR, chosen)

            found[f"{info.name}: {label}"] = op
    everything = filters(None)["90 days"]
    found[f"{PAGE}: 90 days"] = lambda: engine.reports.run_all(SUPERVISOR, everything)
    return found


def time_reports(engine: Engine, reps: int) -> dict[str, Stats]:
    """Median and slowest ms per report and filter."""
    calls = ops(engine, a_team(engine))
    found = interleaved_ms(calls, reps, 1, 1)
    return found


def run(
    quick: bool = False, cases: int | None = None, url: str | None = None, base: str | None = None
) -> list[Figure]:
    """Generate (unless the database has cases), time every report, print the figures."""
    cases = cases or (QUICK_CASES if quick else CASES)
    reps = 3 if quick else 7
    base = base or os.environ.get("CARECYCLE_BENCH_PG_URL") or DEFAULT_URL
    report_load(NAME)
    with generated_engine(url, base, NAME, cases) as engine:
        report(NAME, "cases in PostgreSQL", f"{case_count(engine):,}")
        found = time_reports(engine, reps)
    return summarize(found)


def summarize(found: dict[str, Stats]) -> list[Figure]:
    """Print each figure with its verdict; the headline figures (slowest filter per report)."""
    worst: dict[str, Stats] = {}
    for label, stats in found.items():
        name = label.split(":")[0]
        gated = name != PAGE
        verdict = "ok" if not gated or stats.p90 < TARGET_S * 1000 else f"OVER {TARGET_S:.0f} s"
        report(NAME, label, f"median {stats.median:8.1f} ms   p90 {stats.p90:8.1f} ms   {verdict}")
        if name not in worst or stats.p90 > worst[name].p90:
            worst[name] = stats
    return [Figure(NAME, f"{name}, slowest p90", s.p90, "ms") for name, s in worst.items()]


def main(argv: list[str] | None = None) -> int:
    """The command line; exit status 1 when a report is too slow."""
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases, fewer runs")
    parser.add_argument("--cases", type=int, help="how many cases to generate")
    parser.add_argument("--url", help="use this database as it is (generate only if empty)")
    args = parser.parse_args(argv)
    figures = run(quick=args.quick, cases=args.cases, url=args.url)
    slow = [f for f in figures if f.value >= TARGET_S * 1000 and not f.label.startswith(PAGE)]
    for figure in slow:
        print(f"TOO SLOW: {figure.label} {figure.value:.0f} ms", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
