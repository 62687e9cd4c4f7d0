"""`carecycle demo`: the team and ~30 fictional cases in every phase, on both databases."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

from engine import Actor, build
from engine.demo import DEMO_SEED, DEMO_USERS, HISTORY, seed
from engine.demo_cases import duration, timelines
from engine.demo_data import CLIENTS
from engine.services.case_projection import OPEN_STATUSES, PHASES
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = Actor("sam", frozenset({"supervisor"}))
MANAGERS = ("cara", "carl", "cleo")


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive (they are UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_timelines_are_deterministic_and_fit_the_history() -> None:
    first = [duration(steps) for _case, steps in timelines(CLIENTS, Random(DEMO_SEED))]
    again = [duration(steps) for _case, steps in timelines(CLIENTS, Random(DEMO_SEED))]
    assert first == again
    assert timedelta(days=100) < max(first) < HISTORY


def test_demo_seeds_a_team_and_cases_in_every_phase(db_url: str, tmp_path: Path) -> None:
    settings = dataclasses.replace(
        make_settings(db_url, tmp_path), processes_dir=ROOT / "processes", forms_dir=ROOT / "forms"
    )
    engine = build(settings)
    try:
        started = datetime.now(UTC)
        lines = list(seed(engine))
        now = datetime.now(UTC)

        # the team, the processes and a line per case
        assert sum(line.startswith("user ") for line in lines) == len(DEMO_USERS)
        assert any(line.startswith("process care_cycle ") for line in lines)
        assert sum(line.startswith("case ") for line in lines) == len(CLIENTS)

        # ~30 cases in every phase and every risk tier, with a history
        cases = engine.cases.list(SUPERVISOR, limit=500)
        assert 28 <= len(cases) <= 36
        assert {c.phase for c in cases} == set(PHASES)
        assert {c.risk_tier for c in cases} >= {"low", "moderate", "high"}
        assert {c.status for c in cases} >= {"planned", "active", "finished", "cancelled"}
        assert {c.closure_reason for c in cases} >= {"goals_met", "unable_to_contact"}
        assert any(c.phase == "closed" and c.status == "finished" for c in cases)
        opened = [aware(c.opened_at) for c in cases]
        assert min(opened) < now - timedelta(days=100)
        assert max(opened) <= now
        assert engine.instances.list(status="error") == []

        # plans, goals and scores, as the case pages show them
        data = [engine.instances.get(c.instance_id).data for c in cases if c.instance_id]
        assert sum(bool(d.get("goal_progress")) for d in data) >= 8
        assert sum(bool(d.get("plan")) for d in data) >= 15
        assert sum("phq9" in (d.get("scores") or {}) for d in data) >= 20

        # overdue work, a safety alert, an escalation, a referral follow-up
        tasks = engine.tasks.list(SUPERVISOR, scope="all", limit=500)
        elements = Counter(t.element_id for t in tasks)
        assert any(t.due_at and aware(t.due_at) < now for t in tasks)
        assert elements["safety_followup"] >= 1 and elements["safety_alert_review"] >= 1
        assert elements["first_contact_overdue"] >= 1
        assert elements["referral_followup"] >= 1
        assert elements["monitoring_contact"] >= 3
        assert all(aware(t.created_at) <= now for t in tasks)

        # the seeding clock ended at now: nothing pending is already due
        next_due = engine.timers.next_due()
        assert next_due is not None and next_due >= started - timedelta(minutes=1)

        # case managers carry different caseloads; every inbox has work
        open_cases = Counter(c.manager for c in cases if c.status in OPEN_STATUSES)
        loads = [open_cases[m] for m in MANAGERS]
        assert min(loads) > 0 and len(set(loads)) > 1
        for manager in MANAGERS:
            actor = Actor(manager, frozenset({"case_manager"}))
            assert engine.tasks.list(actor, scope="mine"), manager
            assert engine.tasks.list(actor, scope="team"), manager
        for username, role in (("ines", "intake"), ("sam", "supervisor"), ("phil", "care_team")):
            actor = Actor(username, frozenset({role}))
            assert engine.tasks.list(actor, scope="mine") or engine.tasks.list(actor, "team")
    finally:
        engine.dispose()
