"""Shared fixtures: an engine on a fresh SQLite file and on a real PostgreSQL, a frozen clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from engine import Actor, Engine, FrozenClock, Settings, build
from engine.persistence.database import create_db_engine
from engine.persistence.migrate import upgrade
from engine.persistence.tables import Base, User

FIXTURES = Path(__file__).parent / "fixtures"
PROCESSES = FIXTURES / "processes"
FORMS = FIXTURES / "forms"
PG_URL = os.environ.get("CARECYCLE_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("CARECYCLE_REQUIRE_PG") == "1"

DESIGNER = Actor("dana", frozenset({"designer"}))
CASE_MANAGER = Actor("cara", frozenset({"case_manager"}))
OTHER_CM = Actor("carl", frozenset({"case_manager"}))
INTAKE = Actor("ines", frozenset({"intake"}))
SUPERVISOR = Actor("sam", frozenset({"supervisor"}))
ADMIN = Actor("admin", frozenset({"admin"}))
PASSWORD = "password-123"
PEOPLE = (DESIGNER, CASE_MANAGER, OTHER_CM, INTAKE, SUPERVISOR, ADMIN)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating once is enough)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> Iterator[str]:
    """A PostgreSQL database of this test session's own (parallel runs don't collide)."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("CARECYCLE_REQUIRE_PG=1 but CARECYCLE_TEST_PG_URL is not set")
        pytest.skip("PostgreSQL tests need CARECYCLE_TEST_PG_URL (make test sets it)")
    base = make_url(PG_URL)
    name = f"{base.database}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - environment problem
        pytest.fail(f"cannot create a database on CARECYCLE_TEST_PG_URL: {exc}")
    url = base.set(database=name).render_as_string(hide_password=False)
    migrated = create_db_engine(url)
    upgrade(migrated)
    migrated.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "carecycle.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated")
    _truncate(url)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    """A clock that moves only when a test says so."""
    return FrozenClock()


def make_settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test fixtures."""
    return Settings(
        database_url=db_url,
        processes_dir=PROCESSES,
        forms_dir=FORMS,
        var_dir=tmp_path / "var",
        secret_key="test-secret",
    )


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2 hash of the test password (hashing is slow on purpose)."""
    return PasswordHasher().hash(PASSWORD)


def add_people(eng: Engine, password_hash: str) -> None:
    """Insert the test people directly (the users service is tested on its own)."""
    with eng.context.uow() as uow:
        for person in PEOPLE:
            uow.session.add(
                User(
                    username=person.username,
                    display_name=person.username,
                    password_hash=password_hash,
                    roles=sorted(person.roles),
                    team=None if {"admin", "designer"} & person.roles else "north",
                    created_at=eng.clock.now(),
                )
            )
        uow.commit()


@pytest.fixture
def engine(db_url: str, clock: FrozenClock, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """An engine with the fixture processes deployed and the test people created."""
    eng = build(make_settings(db_url, tmp_path), clock)
    add_people(eng, password_hash)
    eng.processes.deploy_directory(DESIGNER)
    yield eng
    eng.dispose()


@pytest.fixture
def eng(db_url: str, clock: FrozenClock, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """An engine with the shipped processes/ and forms/ (the real care cycle) deployed."""
    root = Path(__file__).resolve().parents[1]
    settings = replace(
        make_settings(db_url, tmp_path), processes_dir=root / "processes", forms_dir=root / "forms"
    )
    engine = build(settings, clock)
    add_people(engine, password_hash)
    engine.processes.deploy_directory(DESIGNER)
    yield engine
    engine.dispose()
