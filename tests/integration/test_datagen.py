"""The benchmark data generator (bench/datagen.py) on SQLite and PostgreSQL.

The reports and monitor benchmarks trust the generated read model, so these tests check what
a report relies on: every case has its instance, closed cases are closed with a reason,
milestones are in order and in the past, ready work belongs to open cases and their managers,
the same seed gives the same program, and real cases can still be opened afterwards.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import func, inspect, select, text

from bench.datagen import GeneratedSummary, generate, reset
from bench.datagen_people import TEAMS
from engine import Actor, Engine
from engine.persistence.database import create_db_engine
from engine.persistence.migrate import upgrade
from engine.persistence.tables import (
    AuditEvent,
    CareCase,
    CaseReferral,
    HumanTask,
    ProcessInstance,
    User,
)
from tests.care_story import open_case

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OPEN = ("planned", "active", "onhold")


@pytest.fixture
def db(db_url: str) -> Iterator[DbEngine]:
    """A plain SQLAlchemy engine on the test database, for checking what was generated."""
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


def rows(db: DbEngine, sql: str) -> list[Any]:
    """Every row of a query."""
    with db.connect() as connection:
        return list(connection.execute(text(sql)))


def scalar(db: DbEngine, query: Any) -> Any:
    """One value of a query."""
    with db.connect() as connection:
        return connection.scalar(query)


def fingerprint(url: str) -> list[Any]:
    """Figures a report would show, read back from a generated database."""
    db = create_db_engine(url)
    try:
        return [
            tuple(r)
            for sql in (
                "SELECT phase, status, count(*) FROM care_case GROUP BY phase, status",
                "SELECT closure_reason, count(*), sum(satisfaction) FROM care_case"
                " GROUP BY closure_reason",
                "SELECT element_id, status, count(*), sum(CASE WHEN completed_at > due_at"
                " THEN 1 ELSE 0 END) FROM human_task GROUP BY element_id, status",
                "SELECT instrument, count(*), sum(total) FROM case_score GROUP BY instrument",
                "SELECT status, count(*) FROM case_referral GROUP BY status",
                "SELECT round(sum(cost_estimate)) FROM care_case",
            )
            for r in sorted(rows(db, sql), key=repr)
        ]
    finally:
        db.dispose()


def test_counts_match_the_summary(db_url: str, db: DbEngine) -> None:
    """The summary tells how many rows each table got, and the organisation has three teams."""
    summary = generate(db_url, cases=300, seed=3, now=NOW)
    assert summary.care_case == summary.process_instance == 300
    generated = {
        "process_instance": "SELECT count(*) FROM process_instance",
        "care_case": "SELECT count(*) FROM care_case",
        "case_goal": "SELECT count(*) FROM case_goal",
        "case_score": "SELECT count(*) FROM case_score",
        "case_score_trend": "SELECT count(*) FROM case_score_trend",
        "case_referral": "SELECT count(*) FROM case_referral",
        "human_task": "SELECT count(*) FROM human_task",
        "human_task_role": "SELECT count(*) FROM human_task_role",
        "timer": "SELECT count(*) FROM timer",
        "audit_event": "SELECT count(*) FROM audit_event WHERE case_id IS NOT NULL",
        "users": "SELECT count(*) FROM app_user",
    }
    found = {table: rows(db, sql)[0][0] for table, sql in generated.items()}
    assert found == summary.counts()
    teams = rows(db, "SELECT team, count(*) FROM app_user GROUP BY team")
    assert sorted(t for t, _ in teams) == sorted(TEAMS)
    assert all(10 <= n <= 17 for _, n in teams)  # supervisor, intake, 8 to 15 managers
    people = rows(db, "SELECT username, roles FROM app_user")
    roles = {name: json.loads(r) if isinstance(r, str) else r for name, r in people}
    assert all(roles[name] == ["supervisor"] for name in summary.supervisors)


def rows_of(db: DbEngine, query: Any) -> list[Any]:
    """The first column of every row of a Core query."""
    with db.connect() as connection:
        return list(connection.scalars(query))


def test_cases_are_consistent(db_url: str, db: DbEngine) -> None:
    """What the reports count on holds for every generated case."""
    generate(db_url, cases=300, seed=5, now=NOW)
    orphans = (
        select(func.count())
        .select_from(CareCase)
        .outerjoin(ProcessInstance, ProcessInstance.id == CareCase.instance_id)
        .where((ProcessInstance.id.is_(None)) | (ProcessInstance.case_id != CareCase.id))
    )
    assert scalar(db, orphans) == 0
    cases = rows(
        db,
        "SELECT status, phase, manager, opened_at, first_contact_at, plan_approved_at,"
        " closed_at, closure_reason, satisfaction, cost_estimate FROM care_case",
    )
    for status, phase, manager, opened, contact, approved, closed, reason, rating, cost in cases:
        opened, contact, approved, closed = (aware(v) for v in (opened, contact, approved, closed))
        assert opened <= NOW and opened >= NOW - timedelta(days=731)
        if status == "finished":
            assert closed is not None and reason is not None and phase == "closed"
        elif status == "cancelled":
            assert closed is not None
        else:
            assert status in OPEN and closed is None and reason is None
            assert manager is not None or phase == "intake"
        if contact is not None:
            assert opened <= contact <= NOW
        if approved is not None:
            assert contact is not None and contact <= approved <= NOW
            assert cost is not None and cost >= 0
        if closed is not None:
            assert opened <= closed <= NOW
        assert rating is None or 1 <= rating <= 5
    statuses = {status for status, *_ in cases}
    assert {"finished", "active"} <= statuses
    closed_share = sum(1 for c in cases if c[0] == "finished") / len(cases)
    assert 0.2 < closed_share < 0.5
    open_phases = Counter(phase for status, phase, *_ in cases if status in OPEN)
    assert open_phases.most_common(1)[0][0] == "monitoring"
    assert len(open_phases) >= 5  # and some cases in the earlier phases
    versions = rows(
        db,
        "SELECT DISTINCT v.process_id FROM process_instance i"
        " JOIN process_version v ON v.id = i.process_version_id",
    )
    assert versions == [("care_cycle",)]


def aware(value: Any) -> Any:
    """A datetime read back through raw SQL, as aware UTC (SQLite returns text)."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def test_ready_work_belongs_to_open_cases(db_url: str, db: DbEngine) -> None:
    """Ready tasks sit on open instances; a case manager's ready task is for the case's manager."""
    generate(db_url, cases=300, seed=7, now=NOW)
    ready = rows(
        db,
        "SELECT t.lane, t.assignee, c.manager, c.status, i.status FROM human_task t"
        " JOIN care_case c ON c.id = t.case_id JOIN process_instance i ON i.id = t.instance_id"
        " WHERE t.status = 'ready'",
    )
    assert ready
    for lane, assignee, manager, case_status, instance_status in ready:
        assert instance_status in ("waiting", "suspended")
        if lane == "case_manager":
            assert assignee == manager is not None
        if case_status != "finished":  # a check-in task may follow closure approval
            assert case_status in OPEN
    overdue = select(func.count()).where(HumanTask.status == "ready", HumanTask.due_at < NOW)
    assert scalar(db, overdue) > 0
    late = rows(
        db,
        "SELECT sum(CASE WHEN completed_at > due_at THEN 1 ELSE 0 END), count(*)"
        " FROM human_task WHERE status = 'completed' AND element_id = 'first_contact'",
    )[0]
    assert 0 < late[0] < late[1]  # the first-contact deadline is met by most, not all
    stale = select(func.count()).where(
        CaseReferral.status == "open", CaseReferral.opened_at < NOW - timedelta(days=14)
    )
    assert scalar(db, stale) > 0
    pending = rows(db, "SELECT min(due_at) FROM timer WHERE status = 'pending'")[0][0]
    assert aware(pending) > NOW - timedelta(days=1)


def test_score_trends_agree_with_the_scores(db_url: str, db: DbEngine) -> None:
    """Each trend row counts its case's scores and ends at the newest one."""
    generate(db_url, cases=150, seed=5, now=NOW)
    disagreeing = rows(
        db,
        "SELECT count(*) FROM case_score_trend t WHERE t.administrations <> (SELECT count(*)"
        " FROM case_score s WHERE s.case_id = t.case_id AND s.instrument = t.instrument)"
        " OR t.latest_at <> (SELECT max(s.recorded_at) FROM case_score s"
        " WHERE s.case_id = t.case_id AND s.instrument = t.instrument)",
    )
    assert disagreeing[0][0] == 0
    assert rows(db, "SELECT count(*) FROM case_score_trend")[0][0] > 100


def test_the_same_seed_gives_the_same_program(db_url: str, tmp_path: Path) -> None:
    """Two databases generated with one seed report the same numbers; another seed differs."""
    first = generate(db_url, cases=200, seed=11, now=NOW)
    again_url = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    again = generate(again_url, cases=200, seed=11, now=NOW)
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    other = generate(other_url, cases=200, seed=12, now=NOW)
    assert same_counts(first, again)
    assert fingerprint(db_url) == fingerprint(again_url)
    assert fingerprint(db_url) != fingerprint(other_url)
    assert not same_counts(first, other)


def same_counts(a: GeneratedSummary, b: GeneratedSummary) -> bool:
    """Whether two runs wrote the same number of rows to every table."""
    return a.counts() == b.counts()


def test_real_cases_open_after_generated_ones(eng: Engine, db_url: str, db: DbEngine) -> None:
    """Existing users are kept, ids follow the generated rows, and the engine still works."""
    before = scalar(db, select(func.count()).select_from(User))
    first = generate(db_url, cases=40, seed=2, now=eng.clock.now())
    second = generate(db_url, cases=40, seed=2, now=eng.clock.now())
    assert first.users > 0 and second.users == 0
    assert scalar(db, select(func.count()).select_from(User)) == before + first.users
    assert scalar(db, select(func.count()).select_from(CareCase)) == 80
    case = open_case(eng)  # new ids from the database's own sequences
    assert case.id == 81
    tasks = rows_of(db, select(HumanTask.element_id).where(HumanTask.case_id == case.id))
    assert tasks == ["intake_screening"]
    audit = select(func.count()).where(AuditEvent.case_id == case.id)
    assert scalar(db, audit) >= 1


def test_reset_drops_every_table_of_a_test_database(db_url: str, db: DbEngine) -> None:
    """reset empties a bench/test database and refuses any other."""
    with pytest.raises(ValueError, match="refusing"):
        reset("postgresql+psycopg://someone:secret@127.0.0.1:5432/carecycle")
    generate(db_url, cases=5, seed=1, now=NOW)
    try:
        reset(db_url)
        assert inspect(db).get_table_names() == []
    finally:
        upgrade(db)  # the session's PostgreSQL database serves later tests


def test_the_engine_reads_generated_cases(eng: Engine, db_url: str, db: DbEngine) -> None:
    """A generated case's page shows its plan, goals, cost, scores and open work; inboxes count."""
    generate(db_url, cases=120, seed=4, now=eng.clock.now())
    case_id, manager = rows(
        db,
        "SELECT c.id, c.manager FROM care_case c WHERE c.phase = 'monitoring'"
        " AND c.status = 'active' AND c.plan_approved_at IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM human_task t WHERE t.case_id = c.id AND t.status = 'ready')"
        " ORDER BY c.id LIMIT 1",
    )[0]
    detail = eng.case_detail.detail(case_id, Actor("sup_any", frozenset({"supervisor"})))
    goals = rows(db, f"SELECT goal_key FROM case_goal WHERE case_id = {case_id}")
    cost = rows(db, f"SELECT cost_estimate FROM care_case WHERE id = {case_id}")[0][0]
    assert detail.plan is not None and detail.plan.approved_at is not None
    assert sorted(g.key for g in detail.plan.goals) == sorted(g for (g,) in goals)
    assert detail.plan.total_cost == pytest.approx(cost)
    assert {s.instrument for s in detail.latest} >= {"phq9", "gad7"}
    assert all(s.baseline_total is not None for s in detail.latest if s.instrument == "phq9")
    assert detail.open_tasks and all(t.assignee == manager for t in detail.open_tasks)
    mine = rows(
        db,
        f"SELECT count(*) FROM human_task WHERE status = 'ready' AND assignee = '{manager}'",
    )[0][0]
    assert eng.inbox.page(Actor(manager, frozenset({"case_manager"}))).total == mine > 0
