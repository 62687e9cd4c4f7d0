"""Timers: many timers due within one minute, and a steady trickle, fired by real schedulers.

Burst: N short_timer instances (10,000; --quick 500) whose PT1S timers fall due evenly over
one minute of real time (--quick: 5 s) are seeded ahead (each started on an engine whose
FrozenClock stands one second before its timer's due time), then 1 and then 2 real
`carecycle scheduler` processes (default --poll) run against PostgreSQL, each burst on a
fresh database; SQLite runs the burst with its single scheduler. From the audit rows
(`timer.fired`, detail lateness_ms) come the lateness p50/p99/max, the wall time from the
first due time to the last firing, firings/s, and the checks: every timer fired exactly
once and none before its due time.

Steady: 200 timers due at random moments over 60 s (--quick: 40 over 15 s) with one
scheduler running: half seeded ahead, half started live by this process while the
scheduler runs (due 1 s after the start; the scheduler learns of those by its poll).
The on-time figure is whether no timer fired early and the p99 lateness is under 2 s.

--profile adds a cProfile of TimerService.fire_next (what a scheduler's firing thread
runs, timer after timer, while it has a backlog) on already-due timers.
"""

from __future__ import annotations

import gc
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from bench.common import (
    CASE_MANAGER,
    Figure,
    fresh_pg_database,
    make_engine,
    parse_args,
    pg_url,
    profile,
    ratio,
    report,
    report_load,
    settings,
    sqlite_url,
    top_entries,
)
from engine import Engine, FrozenClock, build
from engine.persistence.tables import AuditEvent, SchedulerLease, Timer

NAME = "timers"
PROCESS = "short_timer"
DELAY = 1.0  # short_timer waits PT1S: a timer falls due one second after its start
CARECYCLE = Path(sys.executable).parent / "carecycle"
ON_TIME_P99_MS = 2000.0
SEEDERS = {"PostgreSQL": 2, "SQLite": 1}  # seeding processes (SQLite has one writer)
STARTUP_S = 8.0  # time allowed for scheduler processes to start before the first due time
# Seeding must end before the first due time, on a shared box whose load swings: the plan
# allows the calibrated time times this (2 PostgreSQL seeders: faster than calibrated).
SEED_MARGIN = {1: 1.5, 2: 1.2}
PROFILE_PATTERNS = ("/engine/", "SpiffWorkflow/")
DB_PATTERNS = ("sqlalchemy/", "psycopg/", "sqlite3/")


@dataclass(frozen=True)
class Plan:
    """Timer counts and the windows their due times spread over (seconds)."""

    burst: int
    burst_sqlite: int
    burst_window: float
    steady: int
    steady_window: float
    profile_firings: int


FULL = Plan(10_000, 10_000, 60.0, 200, 60.0, 300)
QUICK = Plan(500, 500, 5.0, 40, 15.0, 40)


@dataclass(frozen=True)
class Fired:
    """One `timer.fired` audit row."""

    instance_id: int
    at: float  # epoch seconds
    due: float
    lateness_ms: float
    holder: str


@dataclass(frozen=True)
class Lateness:
    """p50, p99 and max of lateness in milliseconds (linear interpolation)."""

    p50: float
    p99: float
    max: float
    n: int

    def __str__(self) -> str:
        """The three figures, in ms."""
        return f"p50 {self.p50:9.1f} ms   p99 {self.p99:9.1f} ms   max {self.max:9.1f} ms"


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolating linearly between ranks."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def lateness_of(rows: Sequence[Fired]) -> Lateness | None:
    """The lateness distribution of rows (None when there are none)."""
    if not rows:
        return None
    ordered = sorted(r.lateness_ms for r in rows)
    return Lateness(quantile(ordered, 0.5), quantile(ordered, 0.99), ordered[-1], len(ordered))


# -- databases, seeding, schedulers -------------------------------------------------------


@contextmanager
def database(backend: str, suffix: str) -> Iterator[tuple[str, Path]]:
    """A fresh database of the backend (URL) and a var dir, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="carecycle-bench-") as tmp:
        if backend == "SQLite":
            yield sqlite_url(Path(tmp)), Path(tmp) / "var"
            return
        base = pg_url()
        assert base is not None
        with fresh_pg_database(base, suffix) as url:
            yield url, Path(tmp) / "var"


def seed_chunk(url: str, var_dir: str, dues: list[float]) -> list[tuple[int, float]]:
    """Start one short_timer instance per due time (epoch s); (instance id, due) pairs.

    Each start runs with the clock one DELAY before its due time, so the PT1S timer falls
    due exactly then.
    """
    clock = FrozenClock()
    engine = build(settings(url, Path(var_dir)), clock)
    started = []
    try:
        for due in dues:
            clock.set(datetime.fromtimestamp(due - DELAY, UTC))
            started.append((engine.instances.start(PROCESS, {}, CASE_MANAGER).id, due))
    finally:
        engine.dispose()
    return started


def seed(url: str, var_dir: Path, dues: list[float], processes: int) -> dict[int, float]:
    """Seed instances for dues with `processes` spawned seeders; instance id -> due."""
    if processes == 1:
        return dict(seed_chunk(url, str(var_dir), dues))
    chunks = [dues[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(seed_chunk, url, str(var_dir), chunk) for chunk in chunks]
        return {iid: due for future in futures for iid, due in future.result()}


def seeding_rate(backend: str) -> float:
    """Sequential short_timer starts per second, measured on a scratch database."""
    with database(backend, "timers_cal") as (url, var_dir):
        engine = make_engine(url, var_dir)
        engine.dispose()
        far = time.time() + 86_400
        seed_chunk(url, str(var_dir), [far] * 5)  # warm-up: imports, spec cache, pool
        began = time.perf_counter()
        seed_chunk(url, str(var_dir), [far + i for i in range(40)])
        return 40 / (time.perf_counter() - began)


class Schedulers:
    """`count` real `carecycle scheduler` processes against a database (default options)."""

    def __init__(self, url: str, var_dir: Path, count: int) -> None:
        env = {**os.environ, "CARECYCLE_DATABASE_URL": url, "CARECYCLE_VAR_DIR": str(var_dir)}
        var_dir.mkdir(parents=True, exist_ok=True)
        self.logs = [var_dir / f"scheduler{i}.log" for i in range(count)]
        self.procs: list[subprocess.Popen[bytes]] = []
        for path in self.logs:
            with path.open("wb") as log:
                self.procs.append(
                    subprocess.Popen([str(CARECYCLE), "scheduler"], env=env, stdout=log, stderr=log)
                )

    def alive(self) -> bool:
        """Whether every scheduler process still runs."""
        return all(proc.poll() is None for proc in self.procs)

    def wait_running(self, engine: Engine, timeout: float = 60.0) -> bool:
        """Wait until every scheduler holds a lease (it has started firing)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive():
            with engine.context.uow() as uow:
                held = uow.session.scalar(select(func.count()).select_from(SchedulerLease))
            if (held or 0) >= len(self.procs):
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """SIGTERM every scheduler and wait for it (kill after 30 s)."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def tail(self) -> str:
        """The last lines of every scheduler's log (for a failed run)."""
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in self.logs)


def pending(engine: Engine) -> int:
    """Timers not fired yet."""
    with engine.context.uow() as uow:
        query = select(func.count()).select_from(Timer).where(Timer.status == "pending")
        return int(uow.session.scalar(query) or 0)


def wait_all_fired(engine: Engine, schedulers: Schedulers, deadline: float) -> bool:
    """Poll (1/s, an indexed count) until no timer is pending; False on deadline or a crash."""
    while time.time() < deadline:
        if pending(engine) == 0:
            return True
        if not schedulers.alive():
            return False
        time.sleep(1.0)
    return False


def fired_rows(engine: Engine) -> list[Fired]:
    """Every `timer.fired` audit row."""
    query = select(AuditEvent.instance_id, AuditEvent.at, AuditEvent.actor, AuditEvent.detail)
    query = query.where(AuditEvent.action == "timer.fired")
    with engine.context.uow() as uow:
        found = list(uow.session.execute(query))
    return [
        Fired(
            int(iid or 0),
            at.timestamp(),
            datetime.fromisoformat(str(detail["due_at"])).timestamp(),
            float(detail["lateness_ms"]),
            actor,
        )
        for iid, at, actor, detail in found
    ]


# -- one run: seed, start schedulers, wait, read ------------------------------------------


@dataclass(frozen=True)
class Run:
    """What one scenario saw."""

    expected: dict[int, float]  # instance id -> planned due (epoch s)
    rows: list[Fired]
    seed_seconds: float
    seeders: int
    calibrated: float  # sequential starts/s measured on a scratch database just before
    lead: float  # seconds the schedulers ran before the first due time
    window: float
    complete: bool


def run_scenario(
    backend: str,
    suffix: str,
    count: int,
    window: float,
    schedulers: int,
    dues_in: list[float] | None = None,
    live: list[float] | None = None,
) -> Run:
    """Seed timers due in [T0, T0 + window], run schedulers, start `live` ones, collect."""
    seeders = SEEDERS[backend] if count >= 1000 else 1
    rate = seeding_rate(backend)  # now: the box's load drifts
    with database(backend, suffix) as (url, var_dir):
        engine = make_engine(url, var_dir)
        try:
            began = time.time()
            spawn = 3.0 if seeders > 1 else 0.0
            t0 = began + count / rate * SEED_MARGIN[seeders] + spawn + 5.0 + STARTUP_S
            offsets = dues_in or [window * i / max(count - 1, 1) for i in range(count)]
            expected = seed(url, var_dir, [t0 + o for o in offsets], seeders)
            seeded = time.time()
            runners = Schedulers(url, var_dir, schedulers)
            try:
                started_ok = runners.wait_running(engine)
                lead = t0 - time.time()
                if live:
                    expected.update(feed_live(url, var_dir, [t0 + o for o in live]))
                deadline = t0 + window + 60 + count / 20
                complete = started_ok and wait_all_fired(engine, runners, deadline)
                time.sleep(1.0)  # a timer fired twice would show up now
            finally:
                runners.stop()
            if not complete:
                report(NAME, f"{backend} {suffix}: scheduler log tail", runners.tail())
            return Run(
                expected,
                fired_rows(engine),
                seeded - began,
                seeders,
                rate,
                lead,
                window,
                complete,
            )
        finally:
            engine.dispose()


def feed_live(url: str, var_dir: Path, starts: list[float]) -> dict[int, float]:
    """Start instances in real time at the given moments (epoch s): a web app's trickle."""
    engine = build(settings(url, var_dir))  # the system clock
    started: dict[int, float] = {}
    try:
        for moment in sorted(starts):
            time.sleep(max(0.0, moment - time.time()))
            started[engine.instances.start(PROCESS, {}, CASE_MANAGER).id] = math.nan
    finally:
        engine.dispose()
    return started


# -- analysis -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checks:
    """Exactly once and never early."""

    fired: int
    expected: int
    duplicates: int
    missing: int
    early: int
    wrong_due: int
    min_lateness_ms: float

    def __str__(self) -> str:
        """One line of counts."""
        return (
            f"{self.fired:,} of {self.expected:,} fired; {self.duplicates} twice, "
            f"{self.missing} missing; {self.early} early (min lateness "
            f"{self.min_lateness_ms:.1f} ms); {self.wrong_due} off their planned due time"
        )


def checks(run: Run) -> Checks:
    """Count duplicates, missing and early firings (and due times off the plan)."""
    seen = Counter(r.instance_id for r in run.rows)
    early = sum(1 for r in run.rows if r.lateness_ms < 0 or r.at < r.due)
    wrong = sum(
        1
        for r in run.rows
        if not math.isnan(run.expected.get(r.instance_id, math.nan))
        and abs(r.due - run.expected[r.instance_id]) > 0.001
    )
    return Checks(
        fired=len(seen),
        expected=len(run.expected),
        duplicates=sum(n - 1 for n in seen.values()),
        missing=len(set(run.expected) - set(seen)),
        early=early,
        wrong_due=wrong,
        min_lateness_ms=min((r.lateness_ms for r in run.rows), default=math.nan),
    )


def backlog_cycle_ms(rows: Sequence[Fired]) -> tuple[float, int]:
    """Median gap between a scheduler's consecutive firings while it had a backlog, in ms.

    A pair counts when the second timer was already due at the first firing (the
    scheduler went straight on to it): the gap is then one firing's full cost in the real
    process. Also returns how many such pairs there were.
    """
    gaps = []
    by_holder: dict[str, list[Fired]] = {}
    for row in rows:
        by_holder.setdefault(row.holder, []).append(row)
    for mine in by_holder.values():
        mine.sort(key=lambda r: r.at)
        gaps += [(b.at - a.at) * 1000 for a, b in pairwise(mine) if b.due <= a.at]
    if not gaps:
        return math.nan, 0
    return quantile(sorted(gaps), 0.5), len(gaps)


def peak_rate(rows: Sequence[Fired], span: float = 5.0) -> float:
    """The most firings in any `span`-second bucket, per second."""
    if not rows:
        return 0.0
    first = min(r.at for r in rows)
    buckets = Counter(int((r.at - first) // span) for r in rows)
    return max(buckets.values()) / span


def lead_text(run: Run) -> str:
    """How long the schedulers ran before the first due time; flags a late start."""
    if run.lead >= 1.0:
        return f"{run.lead:.1f} s"
    return (
        f"{run.lead:.1f} s: LATE, seeding overran the first due time (load swing); "
        "lateness figures of this run are inflated"
    )


def load_text() -> str:
    """The load average now (other work on the box slows the schedulers)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# -- burst ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurstResult:
    """The headline numbers of one burst run."""

    wall: float
    rate: float
    lateness: Lateness | None


def burst(backend: str, schedulers: int, count: int, window: float) -> BurstResult:
    """One burst run; print its lines."""
    label = f"burst {backend}, {schedulers} scheduler{'s' if schedulers > 1 else ''}"
    run = run_scenario(backend, f"timers{schedulers}", count, window, schedulers)
    found = checks(run)
    rows = run.rows
    report(
        NAME,
        f"{label}: seeding",
        f"{len(run.expected):,} instances in {run.seed_seconds:.1f} s "
        f"({len(run.expected) / run.seed_seconds:.0f}/s, {run.seeders} process"
        f"{'es' if run.seeders > 1 else ''}; calibrated {run.calibrated:.0f}/s sequential)",
    )
    report(NAME, f"{label}: schedulers running before first due", lead_text(run))
    report(NAME, f"{label}: exactly once, never early", str(found))
    if not rows:
        report(NAME, f"{label}: result", "nothing fired")
        return BurstResult(math.nan, math.nan, None)
    first_due = min(run.expected.values())
    last_due = max(run.expected.values())
    last_fired = max(r.at for r in rows)
    wall = last_fired - first_due
    rate_fired = len(rows) / wall if wall > 0 else math.nan
    report(
        NAME,
        f"{label}: first due -> last firing",
        f"{wall:.1f} s, {rate_fired:.1f} firings/s (offered {count / window:.1f}/s over "
        f"{window:.0f} s; peak {peak_rate(rows):.1f}/s over 5 s)"
        + ("" if run.complete else "  INCOMPLETE (deadline or crash)"),
    )
    report(NAME, f"{label}: last firing after last due", f"{last_fired - last_due:.2f} s")
    lateness = lateness_of(rows)
    report(NAME, f"{label}: lateness", str(lateness))
    cycle, pairs = backlog_cycle_ms(rows)
    report(
        NAME,
        f"{label}: one firing while backlogged",
        f"median {cycle:.2f} ms per scheduler ({1000 / cycle:.0f}/s each), {pairs:,} firings"
        if pairs
        else "never backlogged",
    )
    report(NAME, f"{label}: load average 1/5/15 min after", load_text())
    if schedulers > 1:
        shares = Counter(r.holder for r in rows)
        report(
            NAME, f"{label}: firings per scheduler", " / ".join(f"{n:,}" for n in shares.values())
        )
    return BurstResult(wall, rate_fired, lateness)


def burst_figures(backend: str, schedulers: int, found: BurstResult) -> list[Figure]:
    """Headline figures of one burst run."""
    tag = f"burst {backend} x{schedulers}"
    figures = [Figure(NAME, f"{tag}: firings/s (first due to last)", found.rate, "/s")]
    if found.lateness is not None:
        figures += [
            Figure(NAME, f"{tag}: lateness p50", found.lateness.p50 / 1000, "s"),
            Figure(NAME, f"{tag}: lateness p99", found.lateness.p99 / 1000, "s"),
            Figure(NAME, f"{tag}: lateness max", found.lateness.max / 1000, "s"),
        ]
    return figures


# -- steady ---------------------------------------------------------------------------------


def steady(backend: str, plan: Plan) -> list[Figure]:
    """A trickle with one scheduler: half seeded ahead, half started live; print lines."""
    label = f"steady {backend}, 1 scheduler"
    rng = random.Random(20261127)
    seeded_n = plan.steady // 2
    ahead = [rng.uniform(0, plan.steady_window) for _ in range(seeded_n)]
    live = [rng.uniform(-DELAY, plan.steady_window - DELAY) for _ in range(plan.steady - seeded_n)]
    run = run_scenario(backend, "timers_steady", seeded_n, plan.steady_window, 1, ahead, live)
    found = checks(run)
    report(
        NAME,
        f"{label}: timers",
        f"{plan.steady} due at random over {plan.steady_window:.0f} s: {seeded_n} seeded "
        f"ahead, {plan.steady - seeded_n} started live (due {DELAY:.0f} s later)",
    )
    report(NAME, f"{label}: scheduler running before first due", lead_text(run))
    report(NAME, f"{label}: exactly once, never early", str(found))
    seeded_ids = {iid for iid, due in run.expected.items() if not math.isnan(due)}
    groups = {
        "all": run.rows,
        "seeded ahead": [r for r in run.rows if r.instance_id in seeded_ids],
        "started live": [r for r in run.rows if r.instance_id not in seeded_ids],
    }
    for name, rows in groups.items():
        report(NAME, f"{label}: lateness, {name}", str(lateness_of(rows)))
    report(NAME, f"{label}: load average 1/5/15 min after", load_text())
    overall = lateness_of(run.rows)
    on_time = (
        overall is not None
        and run.complete
        and found.early == 0
        and found.missing == 0
        and overall.p99 < ON_TIME_P99_MS
    )
    report(
        NAME,
        f"{label}: on time (none early, p99 < {ON_TIME_P99_MS / 1000:.0f} s)",
        f"{'yes' if on_time else 'NO'}: {found.early} early, p99 "
        f"{overall.p99 / 1000 if overall else math.nan:.3f} s",
    )
    if overall is None:
        return []
    return [
        Figure(NAME, f"steady {backend}: lateness p50", overall.p50, "ms"),
        Figure(NAME, f"steady {backend}: lateness p99", overall.p99, "ms"),
        Figure(NAME, f"steady {backend}: lateness max", overall.max, "ms"),
    ]


# -- profile --------------------------------------------------------------------------------


def statement_key(statement: str) -> str:
    """A SQL statement as its verb and main table (`SELECT timer`, `INSERT audit_event`)."""
    flat = " ".join(statement.split())
    verb = flat.split(" ", 1)[0].upper()
    match = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", flat, re.IGNORECASE)
    lock = " FOR UPDATE" if "FOR UPDATE" in flat.upper() else ""
    return f"{verb} {match.group(1) if match else ''}{lock}".strip()


@dataclass
class SqlClock:
    """Wall time spent in each kind of SQL statement and in COMMIT, from engine events."""

    statements: dict[str, list[float]]
    commit_s: float = 0.0
    _mark: float = 0.0
    _commit_mark: float | None = None

    def before(self, *_args: Any) -> None:
        """A statement goes out."""
        self._mark = time.perf_counter()

    def after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """Its result is back."""
        found = self.statements.setdefault(statement_key(statement), [0, 0.0])
        found[0] += 1
        found[1] += time.perf_counter() - self._mark

    def commit(self, *_args: Any) -> None:
        """A COMMIT goes out."""
        self._commit_mark = time.perf_counter()

    def checkin(self, *_args: Any) -> None:
        """The connection is back in the pool: the COMMIT (if any) is done."""
        if self._commit_mark is not None:
            self.commit_s += time.perf_counter() - self._commit_mark
            self._commit_mark = None


OWN_TIME_GROUPS = (
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("psycopg", ("psycopg",)),
    ("sqlite3", ("sqlite3",)),
    ("socket waits", ("select.", "epoll", "'poll'", "selectors.py")),
    ("SpiffWorkflow", ("SpiffWorkflow/",)),
    ("engine/", ("/engine/",)),
    ("json", ("json/", "_json")),
)


def own_time_by_group(table: dict[Any, Any], calls: int) -> str:
    """cProfile own time per call of the profiled op, summed by package (largest first)."""
    totals: Counter[str] = Counter()
    for (path, _line, name), (_cc, _n, own, _cum, _callers) in table.items():
        where = f"{path}:{name}"
        group = next((g for g, keys in OWN_TIME_GROUPS if any(k in where for k in keys)), None)
        totals[group or "other"] += own * 1000 / calls
    total = sum(totals.values())
    parts = [f"{group} {ms:.2f}" for group, ms in totals.most_common()]
    return f"{total:.2f} ms = " + ", ".join(parts)


def timed_firings(engine: Engine, holder: str, calls: int) -> tuple[float, SqlClock]:
    """Fire `calls` due timers with fire_next; (wall s, SQL time by statement)."""
    clock = SqlClock({})
    hooks: list[tuple[Any, str, Any]] = [
        (engine.db, "before_cursor_execute", clock.before),
        (engine.db, "after_cursor_execute", clock.after),
        (engine.db, "commit", clock.commit),
        (engine.db.pool, "checkin", clock.checkin),
    ]
    for target, name, hook in hooks:
        event.listen(target, name, hook)
    try:
        gc.collect()
        began = time.perf_counter()
        for _ in range(calls):
            engine.timers.fire_next(holder)
        wall = time.perf_counter() - began
    finally:
        for target, name, hook in hooks:
            event.remove(target, name, hook)
    return wall, clock


def print_profile(backend: str, calls: int) -> None:
    """Where a backlogged scheduler's time goes: TimerService.fire_next on due timers.

    First without a profiler (wall time split into SQL statements, COMMIT and the rest),
    then under cProfile.
    """
    timed = max(calls // 2, 20)
    with database(backend, "timers_prof") as (url, var_dir):
        engine = make_engine(url, var_dir)
        try:
            due = time.time() - 3600  # an hour ago: every timer is due at once
            seed(url, var_dir, [due + i * 0.001 for i in range(calls + timed + 10)], 1)
            holder = "bench-profile"
            frozen = engine.clock
            assert isinstance(frozen, FrozenClock)
            frozen.set(datetime.now(UTC))
            for _ in range(10):
                engine.timers.fire_next(holder)
            wall, sql = timed_firings(engine, holder, timed)
            per = wall * 1000 / timed
            statements_ms = sum(t for _n, t in sql.statements.values()) * 1000 / timed
            commit_ms = sql.commit_s * 1000 / timed
            count = sum(n for n, _t in sql.statements.values()) / timed
            report(
                NAME,
                f"profile {backend}: fire_next, no profiler",
                f"{per:.2f} ms per firing ({1000 / per:.0f}/s; {timed} firings) = SQL "
                f"statements {statements_ms:.2f} ms ({count:.1f}) + COMMIT {commit_ms:.2f} ms "
                f"+ the rest (Python) {per - statements_ms - commit_ms:.2f} ms",
            )
            ranked = sorted(sql.statements.items(), key=lambda kv: kv[1][1], reverse=True)
            for key, (n, seconds) in ranked:
                print(f"    {seconds * 1000 / timed:8.3f} ms/firing  {n / timed:4.1f} x  {key}")
            table = profile(lambda: engine.timers.fire_next(holder), calls)
            report(
                NAME,
                f"profile {backend} ({calls} firings): own time by package",
                own_time_by_group(table, calls),
            )
            for title, patterns, top in (
                ("engine/ + SpiffWorkflow", PROFILE_PATTERNS, 20),
                ("SQLAlchemy + driver", DB_PATTERNS, 6),
            ):
                report(NAME, f"profile {backend} ({calls} firings): top {top} cum", title)
                for line in top_entries(table, calls, patterns, top):
                    print(f"    {line}")
        finally:
            engine.dispose()


# -- entry points ---------------------------------------------------------------------------


def run(quick: bool = False, with_profile: bool = False) -> list[Figure]:
    """Run the benchmark; return its headline figures."""
    plan = QUICK if quick else FULL
    report_load(NAME)
    backends = ["PostgreSQL", "SQLite"] if pg_url() else ["SQLite"]
    if pg_url() is None:
        report(NAME, "PostgreSQL", "skipped: set CARECYCLE_BENCH_PG_URL")
    figures: list[Figure] = []
    results: dict[int, BurstResult] = {}
    if "PostgreSQL" in backends:
        for count in (1, 2):
            results[count] = burst("PostgreSQL", count, plan.burst, plan.burst_window)
            figures += burst_figures("PostgreSQL", count, results[count])
        one, two = results[1], results[2]
        report(NAME, "burst PostgreSQL: firings/s, 2 schedulers / 1", ratio(two.rate, one.rate))
        if one.lateness and two.lateness:
            report(
                NAME,
                "burst PostgreSQL: lateness p99, 2 schedulers / 1",
                ratio(two.lateness.p99, one.lateness.p99),
            )
    found = burst("SQLite", 1, plan.burst_sqlite, plan.burst_window)
    figures += burst_figures("SQLite", 1, found)
    for backend in backends:
        figures += steady(backend, plan)
    if with_profile:
        for backend in backends:
            print_profile(backend, plan.profile_firings)
    return figures


def main() -> None:
    """Command line entry point."""
    args = parse_args((__doc__ or NAME).splitlines()[0], profile=True)
    run(quick=args.quick, with_profile=args.profile)


if __name__ == "__main__":
    main()
