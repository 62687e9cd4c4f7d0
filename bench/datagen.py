"""Generate a realistic care program for the supervisor benchmarks: 100,000 cases in bulk.

`python -m bench.datagen --cases N [--url URL] [--seed S] [--reset]` migrates the database,
deploys the shipped processes, then bulk-inserts users (three teams), process instances,
cases, goals, scores, agency referrals, human tasks, timers and audit events spread over the
two years before now, deterministically from the seed, and prints the row counts and the time
taken. The URL defaults to CARECYCLE_BENCH_PG_URL, else the local `carecycle_test_bench`
database. The rows are the read models only: `process_instance.state` is a placeholder, so
nothing may load these workflows.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from bench.datagen_cases import add_case
from bench.datagen_people import Team, insert_users, plan_teams, user_rows
from bench.datagen_store import Batch, Ids, indexes_deferred, reset_sequences
from bench.datagen_story import begin
from bench.datagen_work import add_work
from engine import Actor, FrozenClock, Settings, build
from engine.persistence.database import create_db_engine
from engine.persistence.migrate import upgrade
from engine.persistence.tables import ProcessVersion

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://carecycle:carecycle@127.0.0.1:5432/carecycle_test_bench"
DESIGNER = Actor("datagen", frozenset({"designer"}))
FLUSH_CASES = 2_000


@dataclass(frozen=True)
class GeneratedSummary:
    """How many rows each table received, the supervisors to sign in as, and the time taken."""

    users: int
    process_instance: int
    care_case: int
    case_goal: int
    case_score: int
    case_score_trend: int
    case_referral: int
    human_task: int
    human_task_role: int
    timer: int
    audit_event: int
    supervisors: tuple[str, ...]
    seconds: float

    def counts(self) -> dict[str, int]:
        """The row counts by table name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("supervisors", "seconds")
        }


def generate(
    db_url: str, cases: int = 100_000, seed: int = 1, now: datetime | None = None
) -> GeneratedSummary:
    """Migrate, deploy the shipped processes, and bulk-insert `cases` generated cases."""
    began = time.perf_counter()
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    ensure_database(db_url)
    version_id = _deploy(db_url, now)
    db = create_db_engine(db_url)
    try:
        with db.connect() as connection:
            teams = plan_teams(rng)
            users = insert_users(connection, user_rows(rng, teams, now))
            connection.commit()
            with indexes_deferred(connection):
                batch = _fill(connection, rng, teams, cases, version_id, now)
            reset_sequences(connection)
    finally:
        db.dispose()
    return GeneratedSummary(
        users=users,
        **batch.written,
        supervisors=tuple(team.supervisor for team in teams),
        seconds=round(time.perf_counter() - began, 2),
    )


def _deploy(db_url: str, now: datetime) -> int:
    """Migrate and deploy processes/ (unchanged processes are not deployed again)."""
    with tempfile.TemporaryDirectory(prefix="carecycle-datagen-") as tmp:
        settings = Settings(
            database_url=db_url,
            processes_dir=ROOT / "processes",
            forms_dir=ROOT / "forms",
            var_dir=Path(tmp),
            secret_key="datagen",
        )
        engine = build(settings, FrozenClock(now))
        try:
            upgrade(engine.db)
            engine.processes.deploy_directory(DESIGNER)
            with engine.db.connect() as connection:
                version_id = connection.scalar(
                    select(ProcessVersion.id)
                    .where(ProcessVersion.process_id == "care_cycle")
                    .order_by(ProcessVersion.version.desc())
                    .limit(1)
                )
        finally:
            engine.dispose()
    assert version_id is not None, "care_cycle was not deployed"
    return int(version_id)


def _fill(
    connection: Connection,
    rng: random.Random,
    teams: list[Team],
    cases: int,
    version_id: int,
    now: datetime,
) -> Batch:
    """Generate the cases a few thousand at a time, writing each lot in bulk."""
    ids, batch = Ids(connection), Batch()
    for n in range(cases):
        story = begin(rng, teams, ids.take("care_case"), ids.take("process_instance"), now)
        add_case(rng, story, now, batch, ids)
        add_work(rng, story, now, batch, ids)
        if (n + 1) % FLUSH_CASES == 0:
            _stamp_version(batch, version_id)
            batch.flush(connection)
    _stamp_version(batch, version_id)
    batch.flush(connection)
    return batch


def _stamp_version(batch: Batch, version_id: int) -> None:
    for row in batch.rows["process_instance"]:
        row["process_version_id"] = version_id


def ensure_database(db_url: str) -> None:
    """Create a missing PostgreSQL database (SQLite creates its file by itself)."""
    url = make_url(db_url)
    if not url.drivername.startswith("postgresql") or not url.database:
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not found:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()


def reset(db_url: str) -> None:
    """Drop every table of a bench or test database (refused for any other database)."""
    database = make_url(db_url).database or ""
    if "bench" not in database and "test" not in database:
        raise ValueError(f"refusing to reset {database!r}: not a bench or test database")
    ensure_database(db_url)
    db = create_db_engine(db_url)
    try:
        with db.begin() as connection:
            metadata = MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
            if connection.dialect.name == "postgresql":
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> GeneratedSummary:
    """The command line: generate into --url and print the summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default=os.environ.get("CARECYCLE_BENCH_PG_URL") or DEFAULT_URL)
    parser.add_argument("--reset", action="store_true", help="drop every table first")
    args = parser.parse_args(argv)
    if args.reset:
        reset(args.url)
    summary = generate(args.url, cases=args.cases, seed=args.seed)
    for table, count in summary.counts().items():
        print(f"{table:<16} {count:>12,}")
    print(f"supervisors      {', '.join(summary.supervisors)} (password 'bench-password')")
    print(f"took             {summary.seconds:,.1f} s for {args.cases:,} cases")
    return summary


if __name__ == "__main__":
    main()
