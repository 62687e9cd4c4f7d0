"""ReportService on SQLite and PostgreSQL over hand-built read-model rows with known answers.

Each test inserts exactly the rows its report reads (users with teams, cases with milestones,
goals, scores, referrals, human tasks) and checks the numbers for team "north" and for every
team, the period boundaries (start included, end excluded) and small-cell suppression in the
exports. The clock stands at 2026-04-01 12:00 UTC; the period is March 2026. This module:
access, filters, caseload, timeliness and deadlines; test_reports_outcomes.py the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import BadRequest, Engine, Forbidden, FrozenClock, NotFound
from engine.persistence.tables import (
    CareCase,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    User,
)
from engine.services.reports import ReportFilter, ReportService
from engine.services.reports.export import suppressed_rows
from tests.conftest import ADMIN, CASE_MANAGER, SUPERVISOR

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
MARCH = ReportFilter(date(2026, 3, 1), date(2026, 4, 1))
NORTH = ReportFilter(date(2026, 3, 1), date(2026, 4, 1), "north")


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in 2026 (UTC)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def reports(engine: Engine, clock: FrozenClock) -> ReportService:
    """The report service with the clock at NOW and three more case managers."""
    return prepared(engine, clock)


def prepared(engine: Engine, clock: FrozenClock) -> ReportService:
    """Set the clock to NOW, add nina (north), sonia (south) and gone (north, inactive)."""
    clock.set(NOW)
    with engine.context.uow() as uow:
        for username, team, active in (
            ("nina", "north", True),
            ("sonia", "south", True),
            ("gone", "north", False),
        ):
            uow.session.add(
                User(
                    username=username,
                    display_name=username.title(),
                    password_hash="x",
                    roles=["case_manager"],
                    team=team,
                    active=active,
                    created_at=NOW,
                )
            )
        uow.commit()
    return engine.reports


def add_case(
    engine: Engine, case_id: int, manager: str, opened_at: datetime, **fields: Any
) -> None:
    """One care_case row (active, in monitoring unless fields say otherwise)."""
    with engine.context.uow() as uow:
        uow.session.add(
            CareCase(
                id=case_id,
                client_name=f"Client {case_id}",
                client={},
                referral={},
                status=fields.pop("status", "active"),
                phase=fields.pop("phase", "monitoring"),
                manager=manager,
                opened_by="ines",
                opened_at=opened_at,
                updated_at=opened_at,
                **fields,
            )
        )
        uow.commit()


def add_rows(engine: Engine, *rows: Any) -> None:
    """Insert ORM rows in one transaction."""
    with engine.context.uow() as uow:
        uow.session.add_all(rows)
        uow.commit()


def rows_of(report: Any, table: str, key: str) -> dict[Any, dict[str, Any]]:
    """A report table's rows by one column's value."""
    return {row[key]: row for row in report.table(table).rows}


# --- access -----------------------------------------------------------------------------------


def test_only_supervisors_and_admins_see_reports(reports: ReportService) -> None:
    with pytest.raises(Forbidden):
        reports.run("caseload", CASE_MANAGER, MARCH)
    with pytest.raises(Forbidden):
        reports.export("caseload", CASE_MANAGER, MARCH, "csv")
    with pytest.raises(Forbidden):
        reports.catalog(CASE_MANAGER)
    assert reports.run("caseload", ADMIN, MARCH).name == "caseload"
    assert [r.name for r in reports.catalog(SUPERVISOR)] == [
        "caseload",
        "timeliness",
        "deadlines",
        "goals",
        "scores",
        "referrals",
        "closures",
        "satisfaction",
        "cost",
    ]
    with pytest.raises(NotFound):
        reports.run("nonsense", SUPERVISOR, MARCH)


def test_default_period_is_the_last_90_days_and_bad_periods_are_refused(
    reports: ReportService,
) -> None:
    default = reports.default_filter()
    assert (default.start, default.end) == (date(2026, 1, 2), date(2026, 4, 2))
    assert reports.filter(None, date(2026, 3, 1), "") == ReportFilter(
        date(2025, 12, 1), date(2026, 3, 1)
    )
    with pytest.raises(BadRequest):
        ReportFilter(date(2026, 3, 1), date(2026, 3, 1))


# --- caseload ---------------------------------------------------------------------------------


def test_caseload_counts_open_cases_of_every_active_manager(
    engine: Engine, reports: ReportService
) -> None:
    statuses = ["active", "active", "active", "planned", "waitlist", "onhold"]
    for n, status in enumerate(statuses, start=1):
        add_case(engine, n, "cara", at(1, 1), status=status)
    add_case(engine, 7, "cara", at(1, 1), status="finished", closed_at=at(2, 1))
    add_case(engine, 8, "cara", at(1, 1), status="cancelled", closed_at=at(2, 1))
    for n in (9, 10):
        add_case(engine, n, "carl", at(1, 1))
    for n in (11, 12, 13, 14):
        add_case(engine, n, "sonia", at(1, 1))
    add_case(engine, 15, "gone", at(1, 1))

    north = reports.run("caseload", SUPERVISOR, NORTH)
    managers = north.table("managers")
    assert [(r["manager"], r["open_cases"]) for r in managers.rows] == [
        ("cara", 6),
        ("carl", 2),
        ("nina", 0),
    ]
    assert north.table("distribution").rows[0] == {
        "managers": 3,
        "open_cases": 8,
        "min": 0,
        "median": 2.0,
        "mean": 2.7,
        "max": 6,
    }
    histogram = [(r["bin"], r["managers"]) for r in north.table("histogram").rows]
    assert histogram == [("0", 1), ("1", 0), ("2", 1), ("3", 0), ("4", 0), ("5", 0), ("6", 1)]

    everyone = reports.run("caseload", SUPERVISOR, MARCH)
    loads = [(r["manager"], r["open_cases"]) for r in everyone.table("managers").rows]
    assert loads == [("cara", 6), ("carl", 2), ("nina", 0), ("sonia", 4)]
    summary = everyone.table("distribution").rows[0]
    assert (summary["median"], summary["mean"], summary["open_cases"]) == (3.0, 3.0, 12)

    exported = suppressed_rows(north.table("managers"))
    assert [r["open_cases"] for r in exported] == [6, "<5", 0]


# --- timeliness -------------------------------------------------------------------------------


def test_timeliness_medians_and_p90_from_referral(engine: Engine, reports: ReportService) -> None:
    day = timedelta(days=1)
    north = [  # (id, opened, first contact after, plan approved after)
        (1, at(3, 1), 1 * day, 10 * day),  # opened on the first instant: inside
        (2, at(3, 5), 2 * day, 20 * day),
        (3, at(3, 10), 3 * day, None),
        (4, at(3, 15), 4 * day, None),
        (5, at(3, 20), 10 * day, None),
        (6, at(3, 31, 23), None, None),
        (7, at(4, 1), day / 2, None),  # the end is excluded
        (8, at(2, 28, 23, 59), 100 * day, None),
    ]
    for case_id, opened, contact, plan in north:
        add_case(
            engine,
            case_id,
            "cara",
            opened,
            first_contact_at=opened + contact if contact else None,
            plan_approved_at=opened + plan if plan else None,
        )
    add_case(engine, 9, "sonia", at(3, 2), first_contact_at=at(3, 8), plan_approved_at=at(4, 1))

    result = reports.run("timeliness", SUPERVISOR, NORTH)
    contact, plan = (
        rows_of(result, "milestones", "milestone")[k] for k in ("first_contact", "plan_approved")
    )
    assert contact == {
        "milestone": "first_contact",
        "name": "First contact",
        "referred": 6,
        "reached": 5,
        "median_days": 3.0,
        "p90_days": 7.6,
        "not_reached": 1,
    }
    assert (plan["reached"], plan["median_days"], plan["p90_days"], plan["not_reached"]) == (
        2,
        15.0,
        19.0,
        4,
    )

    everyone = rows_of(reports.run("timeliness", SUPERVISOR, MARCH), "milestones", "milestone")
    assert (everyone["first_contact"]["median_days"], everyone["first_contact"]["p90_days"]) == (
        3.5,
        8.0,
    )
    assert (everyone["plan_approved"]["median_days"], everyone["plan_approved"]["p90_days"]) == (
        20.0,
        28.0,
    )

    exported = {r["milestone"]: r for r in suppressed_rows(result.table("milestones"))}
    assert exported["first_contact"]["median_days"] == 3.0
    assert exported["first_contact"]["not_reached"] == "<5"
    assert exported["plan_approved"]["reached"] == "<5"
    assert exported["plan_approved"]["median_days"] is None
    assert exported["plan_approved"]["p90_days"] is None


# --- deadlines --------------------------------------------------------------------------------


def add_tasks(engine: Engine, case_id: int, tasks: list[tuple[str, datetime, str, Any]]) -> None:
    """An instance for the case and its human tasks: (element, due, status, completed_at)."""
    names = {"first_contact": "First contact", "monitoring_contact": "Monitoring contact"}
    with engine.context.uow() as uow:
        version = uow.session.scalar(select(ProcessVersion.id).limit(1))
        instance = ProcessInstance(
            id=case_id,
            process_version_id=version,
            process_id="care_cycle",
            status="waiting",
            state="{}",
            data={},
            case_id=case_id,
            started_by="ines",
            created_at=at(1, 1),
            updated_at=at(1, 1),
        )
        uow.session.add(instance)
        uow.session.flush()
        for n, (element, due, status, completed) in enumerate(tasks):
            uow.session.add(
                HumanTask(
                    id=f"{case_id}-{n}",
                    instance_id=case_id,
                    case_id=case_id,
                    process_id="care_cycle",
                    element_id=element,
                    name=names[element],
                    candidate_roles=["case_manager"],
                    due_at=due,
                    status=status,
                    created_at=due - timedelta(days=5),
                    completed_at=completed,
                )
            )
        uow.commit()


def test_deadlines_met_missed_and_undecided(engine: Engine, reports: ReportService) -> None:
    add_case(engine, 1, "cara", at(1, 1))
    add_case(engine, 2, "sonia", at(1, 1))
    fc, mc = "first_contact", "monitoring_contact"
    add_tasks(
        engine,
        1,
        [
            (fc, at(3, 3), "completed", at(3, 2)),  # met
            (fc, at(3, 5, 10), "completed", at(3, 5, 10)),  # met on the due minute
            (fc, at(3, 6), "completed", at(3, 8)),  # missed: late
            (fc, at(3, 10), "ready", None),  # missed: still open past due
            (fc, at(4, 1, 6), "ready", None),  # overdue, but due after the period
            (fc, at(2, 28), "completed", at(3, 1)),  # due before the period
            (fc, at(3, 31), "cancelled", None),  # never decided
            (fc, at(3, 15), "completed", at(3, 14)),  # met
            (fc, at(3, 16), "completed", at(3, 16)),  # met
            (mc, at(3, 12), "completed", at(3, 11)),  # met
            (mc, at(3, 20), "ready", None),  # missed
            (fc, at(4, 3), "ready", None),  # not due yet: undecided in any period
        ],
    )
    add_tasks(engine, 2, [(fc, at(3, 4), "completed", at(3, 9))])

    north = rows_of(reports.run("deadlines", SUPERVISOR, NORTH), "deadlines", "element_id")
    assert north["first_contact"] == {
        "element_id": "first_contact",
        "name": "First contact",
        "decided": 6,
        "met": 4,
        "missed": 2,
        "met_pct": 66.7,
    }
    assert (north["monitoring_contact"]["decided"], north["monitoring_contact"]["met_pct"]) == (
        2,
        50.0,
    )
    assert (north["all"]["decided"], north["all"]["met"], north["all"]["met_pct"]) == (8, 5, 62.5)

    everyone = rows_of(reports.run("deadlines", SUPERVISOR, MARCH), "deadlines", "element_id")
    assert (everyone["first_contact"]["decided"], everyone["first_contact"]["met_pct"]) == (
        7,
        57.1,
    )
    assert everyone["all"]["met_pct"] == 55.6

    longer = ReportFilter(date(2026, 3, 1), date(2026, 4, 8), "north")
    later = rows_of(reports.run("deadlines", SUPERVISOR, longer), "deadlines", "element_id")
    assert (later["first_contact"]["decided"], later["first_contact"]["missed"]) == (7, 3)

    exported = {
        r["element_id"]: r
        for r in suppressed_rows(reports.run("deadlines", SUPERVISOR, NORTH).table("deadlines"))
    }
    assert exported["first_contact"]["decided"] == 6
    assert exported["first_contact"]["met"] == "<5"
    assert exported["first_contact"]["met_pct"] is None
    assert exported["monitoring_contact"]["decided"] == "<5"
    assert exported["all"]["met"] == 5
    assert exported["all"]["met_pct"] is None  # 3 missed could be worked out from it


def test_reports_never_load_a_workflow(
    engine: Engine, reports: ReportService, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_case(engine, 1, "cara", at(3, 2), first_contact_at=at(3, 3))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a report loaded a workflow")

    monkeypatch.setattr(engine.context.codec, "load_workflow", refuse)
    monkeypatch.setattr(engine.instances, "_running", refuse)
    results = reports.run_all(SUPERVISOR, MARCH)
    assert len(results) == 9
    assert rows_of(results[1], "milestones", "milestone")["first_contact"]["reached"] == 1
