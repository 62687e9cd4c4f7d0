"""ReportService outcomes on SQLite and PostgreSQL: closures, goals, scores, referrals,
satisfaction, cost and audited exports, over hand-built rows (see test_reports.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine import BadRequest, Engine, FrozenClock
from engine.persistence.tables import AuditEvent, CaseGoal, CaseReferral, CaseScore
from engine.services.reports import ReportService
from engine.services.reports.export import csv_text, json_document, suppressed_rows
from engine.services.score_trends import note_score
from tests.conftest import ADMIN, SUPERVISOR
from tests.integration.test_reports import (
    MARCH,
    NORTH,
    NOW,
    add_case,
    add_rows,
    at,
    prepared,
    rows_of,
)


@pytest.fixture
def reports(engine: Engine, clock: FrozenClock) -> ReportService:
    """The report service with the clock at NOW and three more case managers."""
    return prepared(engine, clock)


# --- closures and goals -----------------------------------------------------------------------


def closed_case(
    engine: Engine, case_id: int, manager: str, reason: str | None, closed: datetime
) -> None:
    """A finished case closed at `closed` for `reason`."""
    add_case(
        engine,
        case_id,
        manager,
        at(1, 1),
        status="finished",
        phase="closed",
        closure_reason=reason,
        closed_at=closed,
    )


def goal(case_id: int, key: str, achievement: str | None, active: bool = True) -> CaseGoal:
    """A plan goal row."""
    return CaseGoal(
        case_id=case_id, goal_key=key, achievement=achievement, active=active, updated_at=NOW
    )


@pytest.fixture
def closed(engine: Engine) -> None:
    """Cases closed around March with their goals."""
    closed_case(engine, 1, "cara", "goals_met", at(3, 1))
    closed_case(engine, 2, "carl", "goals_met", at(3, 10))
    closed_case(engine, 3, "cara", "client_declined", at(3, 12))
    closed_case(engine, 4, "cara", "moved", at(3, 20))
    closed_case(engine, 5, "cara", None, at(3, 25))
    closed_case(engine, 6, "cara", "goals_met", at(4, 1))
    closed_case(engine, 7, "cara", "goals_met", at(2, 28, 23))
    closed_case(engine, 8, "sonia", "deceased", at(3, 5))
    add_rows(
        engine,
        goal(1, "g1", "achieved"),
        goal(1, "g2", "achieved"),
        goal(1, "g3", "not-achieved"),
        goal(1, "g4", "achieved", active=False),
        goal(2, "g1", "achieved"),
        goal(3, "g1", "in-progress"),
        goal(3, "g2", None),
        goal(5, "g1", "achieved"),
        goal(6, "g1", "achieved"),
        goal(7, "g1", "achieved"),
        goal(8, "g1", "achieved"),
    )


@pytest.mark.usefixtures("closed")
def test_closure_reasons_in_the_period(reports: ReportService) -> None:
    north = reports.run("closures", SUPERVISOR, NORTH)
    counts = [(r["reason"], r["cases"], r["pct"]) for r in north.table("reasons").rows]
    assert counts == [
        ("goals_met", 2, 40.0),
        ("client_declined", 1, 20.0),
        ("unable_to_contact", 0, 0.0),
        ("moved", 1, 20.0),
        ("transferred", 0, 0.0),
        ("deceased", 0, 0.0),
        ("other", 0, 0.0),
        ("unrecorded", 1, 20.0),
    ]
    everyone = rows_of(reports.run("closures", SUPERVISOR, MARCH), "reasons", "reason")
    assert (everyone["deceased"]["cases"], everyone["deceased"]["closed"]) == (1, 6)

    exported = {r["reason"]: r for r in suppressed_rows(north.table("reasons"))}
    assert exported["goals_met"] == {"reason": "goals_met", "cases": "<5", "closed": 5, "pct": None}
    assert exported["moved"]["pct"] is None
    assert exported["transferred"] == {"reason": "transferred", "cases": 0, "closed": 5, "pct": 0.0}


@pytest.mark.usefixtures("closed")
def test_goals_achieved_at_closure(reports: ReportService) -> None:
    north = rows_of(reports.run("goals", SUPERVISOR, NORTH), "goals", "reason")
    assert list(north) == ["goals_met", "client_declined", "unrecorded", "all"]
    assert north["goals_met"] == {
        "reason": "goals_met",
        "cases": 2,
        "goals": 4,
        "achieved": 3,
        "achieved_pct": 75.0,
    }
    assert (north["client_declined"]["goals"], north["client_declined"]["achieved_pct"]) == (2, 0.0)
    assert (north["all"]["cases"], north["all"]["goals"], north["all"]["achieved_pct"]) == (
        4,
        7,
        57.1,
    )
    everyone = rows_of(reports.run("goals", SUPERVISOR, MARCH), "goals", "reason")
    assert (everyone["all"]["cases"], everyone["all"]["achieved"]) == (5, 5)
    assert everyone["all"]["achieved_pct"] == 62.5
    exported = suppressed_rows(reports.run("goals", SUPERVISOR, NORTH).table("goals"))
    assert exported[-1] == {
        "reason": "all",
        "cases": "<5",
        "goals": 7,
        "achieved": "<5",
        "achieved_pct": None,
    }


# --- score change -----------------------------------------------------------------------------


def score(case_id: int, instrument: str, when: datetime, total: int | None) -> CaseScore:
    """One administration of an instrument."""
    return CaseScore(case_id=case_id, instrument=instrument, total=total, recorded_at=when)


def add_scores(engine: Engine, *scores: CaseScore) -> None:
    """Record administrations as the case projection does: score rows and their trend."""
    with engine.context.uow() as uow:
        for row in scores:
            uow.session.add(row)
            note_score(uow.session, row.case_id, row.instrument, row.total, row.recorded_at)
        uow.commit()


def test_score_change_from_baseline(engine: Engine, reports: ReportService) -> None:
    for case_id in range(1, 7):
        add_case(engine, case_id, "cara", at(1, 1))
    add_case(engine, 7, "sonia", at(1, 1))
    add_scores(
        engine,
        score(1, "phq9", at(1, 10), 20),
        score(1, "phq9", at(2, 10), 15),
        score(1, "phq9", at(3, 10), 12),  # 20 -> 12: improved
        score(2, "phq9", at(2, 1), 10),
        score(2, "phq9", at(3, 1), 16),  # 10 -> 16: worse; latest on the first instant
        score(3, "phq9", at(3, 5), 14),
        score(3, "phq9", at(3, 20), 11),  # 14 -> 11: neither
        score(3, "phq9", at(3, 25), None),  # no total: not a score
        score(4, "phq9", at(3, 10), 9),  # one score only
        score(5, "phq9", at(1, 5), 18),
        score(5, "phq9", at(3, 15), 17),
        score(5, "phq9", at(4, 1), 8),  # latest after the period
        score(6, "phq9", at(2, 1), 12),
        score(6, "phq9", at(2, 20), 6),  # latest before the period
        score(1, "gad7", at(2, 1), 12),
        score(1, "gad7", at(3, 2), 8),  # -4: improved on GAD-7
        score(2, "gad7", at(2, 1), 9),
        score(2, "gad7", at(3, 3), 12),  # +3: neither
        score(7, "phq9", at(2, 1), 24),
        score(7, "phq9", at(3, 10), 5),
    )
    north = rows_of(reports.run("scores", SUPERVISOR, NORTH), "change", "instrument")
    assert north["phq9"] == {
        "instrument": "phq9",
        "name": "PHQ-9",
        "threshold": 5,
        "cases": 3,
        "mean_baseline": 14.7,
        "mean_latest": 13.0,
        "mean_change": -1.7,
        "improved": 1,
        "improved_pct": 33.3,
        "worse": 1,
        "worse_pct": 33.3,
    }
    gad = north["gad7"]
    assert (gad["cases"], gad["mean_baseline"], gad["mean_latest"], gad["mean_change"]) == (
        2,
        10.5,
        10.0,
        -0.5,
    )
    assert (gad["improved_pct"], gad["worse_pct"]) == (50.0, 0.0)

    everyone = rows_of(reports.run("scores", SUPERVISOR, MARCH), "change", "instrument")["phq9"]
    assert (everyone["cases"], everyone["mean_baseline"], everyone["mean_latest"]) == (
        4,
        17.0,
        11.0,
    )
    assert (everyone["mean_change"], everyone["improved_pct"], everyone["worse_pct"]) == (
        -6.0,
        50.0,
        25.0,
    )
    exported = suppressed_rows(reports.run("scores", SUPERVISOR, MARCH).table("change"))[0]
    assert (exported["cases"], exported["mean_change"], exported["improved"]) == ("<5", None, "<5")


# --- stale referrals --------------------------------------------------------------------------


def referral(
    case_id: int, key: str, agency_type: str | None, opened: datetime, status: str = "open"
) -> CaseReferral:
    """An agency referral row."""
    return CaseReferral(
        case_id=case_id,
        referral_key=key,
        agency=f"Agency {key}",
        agency_type=agency_type,
        status=status,
        opened_at=opened,
        status_at=opened,
    )


def test_referrals_open_past_14_days(engine: Engine, reports: ReportService) -> None:
    add_case(engine, 1, "cara", at(1, 1))
    add_case(engine, 2, "sonia", at(1, 1))
    add_rows(
        engine,
        referral(1, "r1", "housing", at(3, 1, 12)),
        referral(1, "r2", "housing", at(3, 18, 12)),  # exactly 14 days: not yet stale
        referral(1, "r3", None, at(3, 10, 12)),
        referral(1, "r4", "food", at(1, 1), status="responded"),
        referral(1, "r5", "housing", at(2, 1, 12)),
        referral(1, "r6", "food", at(3, 17, 12)),
        referral(2, "r7", "food", at(1, 1)),
    )
    north = reports.run("referrals", SUPERVISOR, NORTH)
    counts = [(r["agency_type"], r["referrals"]) for r in north.table("by_type").rows]
    assert counts == [("food", 1), ("housing", 2), ("unspecified", 1), ("all", 4)]
    listed = [(r["agency"], r["days_open"], r["client"]) for r in north.table("list").rows]
    assert listed == [
        ("Agency r5", 59, "Client 1"),
        ("Agency r1", 31, "Client 1"),
        ("Agency r3", 22, "Client 1"),
        ("Agency r6", 15, "Client 1"),
    ]
    everyone = rows_of(reports.run("referrals", SUPERVISOR, MARCH), "by_type", "agency_type")
    assert (everyone["food"]["referrals"], everyone["all"]["referrals"]) == (2, 5)

    document = json_document(north)
    assert list(document["tables"]) == ["by_type"]
    assert "Client 1" not in str(document)
    assert document["tables"]["by_type"][-1] == {"agency_type": "all", "referrals": "<5"}


# --- satisfaction and cost --------------------------------------------------------------------


@pytest.fixture
def experienced(engine: Engine) -> None:
    """Cases active (or not) during March with satisfaction scores and plan costs."""
    cases = [  # id, manager, opened, closed, satisfaction, cost
        (1, "cara", at(1, 1), None, 5, 100.0),
        (2, "cara", at(3, 31, 23), None, 4, 300.0),
        (3, "cara", at(2, 1), at(3, 1), 2, 0.0),  # closed on the first instant: active
        (4, "cara", at(1, 1), at(2, 28, 23), 1, 1000.0),  # closed before the period
        (5, "cara", at(4, 1), None, 1, 1000.0),  # referred after the period
        (6, "carl", at(1, 1), None, None, None),
        (7, "carl", at(1, 1), None, 5, 50.0),
        (8, "sonia", at(1, 1), None, 3, 150.0),
    ]
    for case_id, manager, opened, closed_at, satisfaction, cost in cases:
        add_case(
            engine,
            case_id,
            manager,
            opened,
            status="finished" if closed_at else "active",
            closed_at=closed_at,
            satisfaction=satisfaction,
            cost_estimate=cost,
        )


@pytest.mark.usefixtures("experienced")
def test_satisfaction_of_cases_active_in_the_period(reports: ReportService) -> None:
    north = reports.run("satisfaction", SUPERVISOR, NORTH)
    assert north.table("summary").rows[0] == {"cases": 4, "mean": 4.0}
    per_score = [(r["score"], r["cases"]) for r in north.table("scores").rows]
    assert per_score == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 2)]
    assert suppressed_rows(north.table("summary")) == [{"cases": "<5", "mean": None}]

    everyone = reports.run("satisfaction", SUPERVISOR, MARCH)
    assert suppressed_rows(everyone.table("summary")) == [{"cases": 5, "mean": 3.8}]
    fives = suppressed_rows(everyone.table("scores"))[4]
    assert fives == {"score": 5, "cases": "<5", "all": 5, "pct": None}


@pytest.mark.usefixtures("experienced")
def test_cost_per_case_of_cases_active_in_the_period(reports: ReportService) -> None:
    north = reports.run("cost", SUPERVISOR, NORTH).table("cost").rows[0]
    assert north == {"cases": 4, "mean": 112.5, "median": 75.0, "total": 450.0}
    everyone = reports.run("cost", SUPERVISOR, MARCH)
    assert everyone.table("cost").rows[0] == {
        "cases": 5,
        "mean": 120.0,
        "median": 100.0,
        "total": 600.0,
    }
    assert csv_text(everyone) == "cases,mean,median,total\r\n5,120.0,100.0,600.0\r\n"
    north_csv = csv_text(reports.run("cost", SUPERVISOR, NORTH))
    assert north_csv == "cases,mean,median,total\r\n<5,suppressed,suppressed,suppressed\r\n"


# --- exports ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("experienced")
def test_every_export_is_audited(engine: Engine, reports: ReportService) -> None:
    report = reports.export("cost", SUPERVISOR, NORTH, "csv")
    assert report.table("cost").rows[0]["cases"] == 4
    reports.export("satisfaction", ADMIN, MARCH, "json")
    with pytest.raises(BadRequest):
        reports.export("cost", SUPERVISOR, MARCH, "pdf")
    with engine.context.uow() as uow:
        events = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.exported").order_by(AuditEvent.id)
        ).all()
        assert [(e.actor, e.detail) for e in events] == [
            (
                "sam",
                {
                    "report": "cost",
                    "from": "2026-03-01",
                    "to": "2026-04-01",
                    "team": "north",
                    "format": "csv",
                },
            ),
            (
                "admin",
                {
                    "report": "satisfaction",
                    "from": "2026-03-01",
                    "to": "2026-04-01",
                    "team": None,
                    "format": "json",
                },
            ),
        ]
        assert all(e.at == NOW for e in events)
