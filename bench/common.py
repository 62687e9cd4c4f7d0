"""Shared benchmark helpers: timing statistics, engine and database setup, raw SpiffWorkflow."""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import Engine as DbEngine
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from engine import Actor, Engine, FrozenClock, Settings, build
from engine.persistence.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "tests" / "fixtures" / "processes"
FORMS = ROOT / "tests" / "fixtures" / "forms"
PG_ENV = "CARECYCLE_BENCH_PG_URL"

ADMIN = Actor("bench", frozenset({"admin"}))
CASE_MANAGER = Actor("cara", frozenset({"case_manager"}))
USERS = (ADMIN, CASE_MANAGER)
PASSWORD = "bench-password"

BENCH_PROCESS = "bench_fifteen"
BENCH_START = {"urgency": "routine"}
LOOP_PROCESS = "backedge_loop"


@dataclass(frozen=True)
class Stats:
    """Median and p90 of samples (milliseconds unless said otherwise)."""

    median: float
    p90: float
    n: int

    def __str__(self) -> str:
        """The two figures as one aligned text fragment."""
        return f"median {self.median:9.3f} ms   p90 {self.p90:9.3f} ms"


@dataclass(frozen=True)
class Figure:
    """One headline figure for the summary table."""

    bench: str
    label: str
    value: float
    unit: str


def stats(samples: list[float]) -> Stats:
    """Median and p90 (linear interpolation) of samples."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return Stats(ordered[0], ordered[0], 1)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[-1]
    return Stats(statistics.median(ordered), p90, len(ordered))


def interleaved_ms(
    ops: Mapping[str, Callable[[], Any]], reps: int, batch: int, warmup: int
) -> dict[str, Stats]:
    """ms per call of each op: `reps` rounds, each timing a batch of every op (rotated order).

    Interleaving makes load changes on a shared machine hit every op alike.
    """
    for op in ops.values():
        for _ in range(warmup):
            op()
    keys = list(ops)
    samples: dict[str, list[float]] = {key: [] for key in keys}
    for rep in range(reps):
        shift = rep % len(keys)
        for key in keys[shift:] + keys[:shift]:
            samples[key].append(batch_ms(ops[key], batch))
    return {key: stats(found) for key, found in samples.items()}


def batch_ms(op: Callable[[], Any], batch: int) -> float:
    """ms per call over `batch` consecutive calls (after a gc.collect())."""
    gc.collect()
    began = time.perf_counter()
    for _ in range(batch):
        op()
    return (time.perf_counter() - began) * 1000.0 / batch


def timed_ms(op: Callable[[], Any]) -> tuple[float, Any]:
    """Run op once; return (milliseconds, its result)."""
    began = time.perf_counter()
    result = op()
    return (time.perf_counter() - began) * 1000.0, result


def report(bench: str, label: str, value: str) -> None:
    """Print one result line: `bench  label  value`."""
    print(f"{bench:<13} {label:<46} {value}", flush=True)


def rate_text(found: Stats, unit: str = "starts") -> str:
    """Stats of ms per op as a rate: median (and p90) ms per op with ops per second."""
    return (
        f"median {1000 / found.median:8.1f} {unit}/s ({found.median:6.2f} ms each)   "
        f"p90 {found.p90:6.2f} ms each ({1000 / found.p90:.1f}/s)"
    )


def report_load(bench: str) -> None:
    """Print the machine's load average (the box is shared: read figures against it)."""
    one, five, fifteen = os.getloadavg()
    report(
        bench,
        "load average 1/5/15 min, CPUs",
        f"{one:.2f} / {five:.2f} / {fifteen:.2f}, {os.cpu_count()}",
    )


def ratio(a: float, b: float) -> str:
    """a/b as 'N.NNx'."""
    return f"{a / b:.2f}x" if b else "n/a"


def parse_args(description: str, profile: bool = False) -> argparse.Namespace:
    """The command line every benchmark takes: --quick (and --profile where offered)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run, fewer samples")
    if profile:
        parser.add_argument("--profile", action="store_true", help="also print a cProfile")
    return parser.parse_args()


# -- engine and databases --------------------------------------------------------


def settings(database_url: str, var_dir: Path) -> Settings:
    """Settings over the test fixtures."""
    return Settings(
        database_url=database_url,
        processes_dir=PROCESSES,
        forms_dir=FORMS,
        var_dir=var_dir,
        secret_key="bench-secret",
    )


def make_engine(database_url: str, var_dir: Path) -> Engine:
    """A migrated engine with the bench users and the fixture processes deployed."""
    engine = attach_engine(database_url, var_dir)
    upgrade(engine.db)
    for actor in USERS:
        engine.users.create(actor.username, PASSWORD, sorted(actor.roles))
    engine.processes.deploy_directory(ADMIN)
    return engine


def attach_engine(database_url: str, var_dir: Path) -> Engine:
    """An engine over a database make_engine already prepared."""
    return build(settings(database_url, var_dir), FrozenClock())


def sql_per_op(db: DbEngine, op: Callable[[], Any], calls: int) -> tuple[float, float]:
    """(SQL statements, pool checkouts) per call of op, counted with SQLAlchemy events."""
    seen = {"statements": 0, "checkouts": 0}

    def statement(*_args: Any) -> None:
        seen["statements"] += 1

    def checkout(*_args: Any) -> None:
        seen["checkouts"] += 1

    event.listen(db, "before_cursor_execute", statement)
    event.listen(db.pool, "checkout", checkout)
    try:
        for _ in range(calls):
            op()
    finally:
        event.remove(db, "before_cursor_execute", statement)
        event.remove(db.pool, "checkout", checkout)
    return seen["statements"] / calls, seen["checkouts"] / calls


def sql_text(statements: float, checkouts: float) -> str:
    """sql_per_op's figures as text."""
    return f"{statements:.1f} statements, {checkouts:.1f} connection checkouts"


def sqlite_url(directory: Path, name: str = "bench.sqlite3") -> str:
    """A SQLite file URL in directory."""
    return f"sqlite:///{directory / name}"


def pg_url() -> str | None:
    """The PostgreSQL URL from CARECYCLE_BENCH_PG_URL, if set."""
    return os.environ.get(PG_ENV) or None


@contextmanager
def fresh_pg_database(base_url: str, suffix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database next to base_url's, dropped afterwards."""
    base = make_url(base_url)
    name = f"{base.database}_{suffix}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    _drop_database(admin, name)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: DbEngine, name: str) -> None:
    """Drop a database; WITH (FORCE) cannot end an autovacuum worker busy after a bulk load
    (it runs as the superuser), so fall back to a plain DROP, which cancels autovacuum."""
    for statement in ("WITH (FORCE)", ""):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" {statement}'))
            return
        except DBAPIError:
            time.sleep(1.0)
    print(f"note: could not drop database {name}; drop it by hand", file=sys.stderr)


# -- raw SpiffWorkflow -------------------------------------------------------------


def raw_specs(process_id: str) -> tuple[Any, dict[str, Any]]:
    """Parse a fixture process with SpiffBpmnParser: (spec, subprocess_specs)."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_files(sorted(str(p) for p in PROCESSES.glob("*.bpmn")))
    parser.add_dmn_files(sorted(str(p) for p in PROCESSES.glob("*.dmn")))
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def spiff_serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's default serializer configured for spiff specs (spec embedded)."""
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


# -- profiling ---------------------------------------------------------------------


def profile(op: Callable[[], Any], calls: int) -> dict[Any, Any]:
    """cProfile `calls` runs of op; the raw pstats table."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        op()
    profiler.disable()
    table: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return table


def top_entries(
    table: dict[Any, Any], calls: int, patterns: tuple[str, ...], top: int = 10
) -> list[str]:
    """The top cumulative entries of a profile whose file matches a pattern, per op."""
    rows = [
        (cum, own, ncalls, f"{_short(path)}:{line}({func})")
        for (path, line, func), (_cc, ncalls, own, cum, _callers) in table.items()
        if any(p in path for p in patterns)
    ]
    rows.sort(key=lambda row: row[0], reverse=True)
    return [
        f"{cum * 1000 / calls:8.3f} ms/op cum  {own * 1000 / calls:7.3f} ms/op own  "
        f"{ncalls / calls:8.1f} calls/op  {where}"
        for cum, own, ncalls, where in rows[:top]
    ]


def _short(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path
