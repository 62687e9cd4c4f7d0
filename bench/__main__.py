"""Run every benchmark (`python -m bench [--quick] [--profile]`), then print a summary table."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from importlib.metadata import version

from bench import inbox, loop_cost, monitor, reports, start_vs_raw, throughput, timers
from bench.common import Figure, parse_args, pg_url

BENCHMARKS: list[tuple[str, Callable[[bool, bool], list[Figure]]]] = [
    ("start_vs_raw", lambda quick, prof: start_vs_raw.run(quick=quick, with_profile=prof)),
    ("loop_cost", lambda quick, prof: loop_cost.run(quick=quick, with_profile=prof)),
    ("throughput", lambda quick, _prof: throughput.run(quick=quick)),
    ("timers", lambda quick, prof: timers.run(quick=quick, with_profile=prof)),
    ("inbox", lambda quick, _prof: inbox.run(quick=quick)),
    ("monitor", lambda quick, _prof: monitor.run(quick=quick)),
    ("reports", lambda quick, _prof: reports.run(quick=quick)),
]


def print_environment(quick: bool) -> None:
    """One header line: versions, CPUs, mode."""
    print(
        f"# CareCycle benchmarks ({'quick' if quick else 'full'} run): Python "
        f"{platform.python_version()}, SpiffWorkflow {version('SpiffWorkflow')}, "
        f"SQLAlchemy {version('SQLAlchemy')}, {os.cpu_count()} CPUs, "
        f"PostgreSQL {'from CARECYCLE_BENCH_PG_URL' if pg_url() else 'not configured'}"
    )


def format_value(figure: Figure) -> str:
    """A figure's value with a sensible precision for its unit."""
    if figure.unit == "x":
        return f"{figure.value:.2f}x"
    if figure.unit == "ms":
        return f"{figure.value:.3f} ms"
    if figure.unit == "s":
        return f"{figure.value:,.2f} s"
    if figure.unit == "/s":
        return f"{figure.value:,.1f} /s"
    return f"{figure.value:,.0f} {figure.unit}"


def print_summary(figures: list[Figure], seconds: dict[str, float]) -> None:
    """The headline figures of every benchmark as one plain-text table."""
    width = max(len(f.label) for f in figures)
    print()
    print(f"{'benchmark':<13} {'figure':<{width}}  value")
    print(f"{'-' * 13} {'-' * width}  {'-' * 14}")
    for figure in figures:
        print(f"{figure.bench:<13} {figure.label:<{width}}  {format_value(figure)}")
    took = ", ".join(f"{name} {secs:.0f} s" for name, secs in seconds.items())
    print(f"(wall time: {took})")


def main() -> None:
    """Run all benchmarks in turn and summarize."""
    args = parse_args(__doc__ or "CareCycle benchmarks", profile=True)
    print_environment(args.quick)
    figures: list[Figure] = []
    seconds: dict[str, float] = {}
    for name, bench in BENCHMARKS:
        print(f"\n## {name}")
        began = time.perf_counter()
        figures += bench(args.quick, args.profile)
        seconds[name] = time.perf_counter() - began
    print_summary(figures, seconds)


if __name__ == "__main__":
    main()
