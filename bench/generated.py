"""An engine over a database of generated cases (bench.datagen), shared by the console benches.

With a URL the database is used as it is (generated only when it holds no cases); without one
a fresh PostgreSQL database next to the base URL is generated and dropped afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text

from bench.common import fresh_pg_database, report, settings
from bench.datagen import ensure_database, generate
from engine import Engine, FrozenClock, build
from engine.persistence.tables import CareCase

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def case_count(engine: Engine) -> int:
    """How many cases the database holds."""
    with engine.context.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(CareCase)) or 0)


def analyze(engine: Engine) -> None:
    """What autovacuum does soon after a bulk load."""
    with engine.db.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


@contextmanager
def database(url: str | None, base: str, name: str) -> Iterator[str]:
    """The given database, or a fresh one next to base (dropped afterwards)."""
    if url:
        ensure_database(url)
        yield url
        return
    with fresh_pg_database(base, name) as fresh:
        yield fresh


@contextmanager
def generated_engine(url: str | None, base: str, name: str, cases: int) -> Iterator[Engine]:
    """An engine at NOW over `cases` generated cases, analysed, disposed afterwards."""
    with database(url, base, name) as db_url, tempfile.TemporaryDirectory() as tmp:
        engine = build(settings(db_url, Path(tmp)), FrozenClock(NOW))
        try:
            engine.upgrade_schema()
            if case_count(engine) == 0:
                engine.dispose()
                summary = generate(db_url, cases=cases, seed=1, now=NOW)
                report(name, "generated", f"{summary.care_case:,} cases in {summary.seconds} s")
                engine = build(settings(db_url, Path(tmp)), FrozenClock(NOW))
            analyze(engine)
            yield engine
        finally:
            engine.dispose()
