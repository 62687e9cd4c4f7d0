"""Instances started per second (bench_fifteen via Engine.instances.start) on SQLite and PostgreSQL.

Sequential in one thread, 2 worker threads sharing one Engine, and 2 worker processes with
an Engine each, all on the same database, interleaved repetition by repetition. Each
repetition starts `batch` instances in total; a figure is the wall time per start (median
and p90 over repetitions) and its rate.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_PROCESS,
    BENCH_START,
    CASE_MANAGER,
    Figure,
    Stats,
    attach_engine,
    batch_ms,
    fresh_pg_database,
    make_engine,
    parse_args,
    pg_url,
    rate_text,
    ratio,
    report,
    report_load,
    sql_per_op,
    sql_text,
    sqlite_url,
    stats,
)
from engine import Engine

NAME = "throughput"
WORKERS = 2


@dataclass(frozen=True)
class Plan:
    """Repetitions, starts per repetition (all workers together) and warm-up starts."""

    reps: int
    batch: int
    warmup: int


FULL = Plan(reps=9, batch=100, warmup=30)
QUICK = Plan(reps=2, batch=20, warmup=5)


def start_many(engine: Engine, count: int) -> None:
    """Start `count` instances of bench_fifteen, one after another."""
    for _ in range(count):
        engine.instances.start(BENCH_PROCESS, BENCH_START, CASE_MANAGER)


def threaded(engine: Engine, batch: int) -> float:
    """Effective ms per start (wall / starts) with WORKERS threads sharing one engine."""
    share = batch // WORKERS
    errors: list[Exception] = []
    gc.collect()
    gate = threading.Barrier(WORKERS + 1)
    work = functools.partial(start_many, engine, share)
    threads = [threading.Thread(target=_gated, args=(gate, work, errors)) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed * 1000 / (share * WORKERS)


def _gated(gate: threading.Barrier, work: Callable[[], None], errors: list[Exception]) -> None:
    gate.wait()
    try:
        work()
    except Exception as exc:
        errors.append(exc)


class Workers:
    """WORKERS spawned processes, an engine each, starting `share` instances per round."""

    def __init__(self, url: str, var_dir: Path, plan: Plan) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.share = plan.batch // WORKERS
        self.gate = ctx.Barrier(WORKERS + 1)
        self.spans: Any = ctx.Queue()
        args = (url, str(var_dir), plan, self.share, self.gate, self.spans)
        self.procs = [ctx.Process(target=_worker, args=args) for _ in range(WORKERS)]
        for proc in self.procs:
            proc.start()

    def sample(self) -> float:
        """Release one round; effective ms per start (first start to last end)."""
        self.gate.wait(timeout=600)
        spans = [self._span() for _ in self.procs]
        began, ended = min(b for b, _ in spans), max(e for _, e in spans)
        return (ended - began) * 1000 / (self.share * WORKERS)

    def _span(self) -> tuple[float, float]:
        while True:
            try:
                began, ended = self.spans.get(timeout=2)
                return began, ended
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in self.procs):
                    raise RuntimeError("a worker process failed (traceback above)") from None

    def close(self) -> None:
        """Wait for the workers to exit."""
        for proc in self.procs:
            proc.join(timeout=60)


def _worker(url: str, var_dir: str, plan: Plan, share: int, gate: Any, spans: Any) -> None:
    """A worker process: its own engine, warm-up, then `share` starts per round."""
    engine = attach_engine(url, Path(var_dir))
    start_many(engine, plan.warmup)
    for _ in range(plan.reps):
        gc.collect()
        gate.wait()
        began = time.perf_counter()
        start_many(engine, share)
        spans.put((began, time.perf_counter()))
    engine.dispose()


def measure(engine: Engine, workers: Workers, plan: Plan) -> tuple[Stats, Stats, Stats]:
    """Interleave the three ways rep by rep (drift and noise hit each alike)."""
    start_many(engine, plan.warmup)
    threaded(engine, plan.warmup)
    one, two, procs = [], [], []
    for _ in range(plan.reps):
        one.append(batch_ms(functools.partial(start_many, engine, 1), plan.batch))
        two.append(threaded(engine, plan.batch))
        procs.append(workers.sample())
    return stats(one), stats(two), stats(procs)


def backend(label: str, url: str, var_dir: Path, plan: Plan) -> list[Figure]:
    """Sequential, threaded and multi-process starts on one database; print and return."""
    engine = make_engine(url, var_dir)
    workers = Workers(url, var_dir, plan)
    try:
        one, two, procs = measure(engine, workers, plan)
        sql = sql_per_op(engine.db, functools.partial(start_many, engine, 1), 20)
    finally:
        workers.close()
        engine.dispose()
    report(NAME, f"{label}: sequential, 1 thread", rate_text(one))
    report(NAME, f"{label}: {WORKERS} threads, one engine", rate_text(two))
    report(NAME, f"{label}: {WORKERS} processes, an engine each", rate_text(procs))
    report(NAME, f"{label}: scaling {WORKERS} threads / 1", ratio(one.median, two.median))
    report(NAME, f"{label}: scaling {WORKERS} processes / 1", ratio(one.median, procs.median))
    report(NAME, f"{label}: SQL per start", sql_text(*sql))
    return [
        Figure(NAME, f"{label} starts/s, sequential", 1000 / one.median, "/s"),
        Figure(NAME, f"{label} starts/s, {WORKERS} threads", 1000 / two.median, "/s"),
        Figure(NAME, f"{label} starts/s, {WORKERS} processes", 1000 / procs.median, "/s"),
    ]


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Path]]:
    """A temporary SQLite file database and a var dir."""
    with tempfile.TemporaryDirectory(prefix="carecycle-bench-") as tmp:
        yield sqlite_url(Path(tmp)), Path(tmp) / "var"


def run(quick: bool = False) -> list[Figure]:
    """Run the benchmark; return its headline figures."""
    plan = QUICK if quick else FULL
    report_load(NAME)
    report(NAME, "samples", f"{plan.reps} reps x {plan.batch} starts, {plan.warmup} warm-up")
    with sqlite_database() as (url, var_dir):
        figures = backend("SQLite", url, var_dir, plan)
    base = pg_url()
    if base is None:
        report(NAME, "PostgreSQL", "skipped: set CARECYCLE_BENCH_PG_URL")
        return figures
    with fresh_pg_database(base, "throughput") as url, tempfile.TemporaryDirectory() as tmp:
        figures += backend("PostgreSQL", url, Path(tmp), plan)
    return figures


def main() -> None:
    """Command line entry point."""
    args = parse_args((__doc__ or NAME).splitlines()[0])
    run(quick=args.quick)


if __name__ == "__main__":
    main()
