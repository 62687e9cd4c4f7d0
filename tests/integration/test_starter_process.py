"""The starter process a new install deploys (processes/referral_intake.bpmn) end to end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, FormInvalid, FrozenClock, build
from engine.forms import check_form, load_forms
from engine.runtime.specs import parse_sources
from tests.conftest import CASE_MANAGER, DESIGNER, INTAKE, SUPERVISOR, add_people, make_settings

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"

REFERRAL: dict[str, Any] = {
    "client_name": "Ada Lovelace",
    "birth_date": "1990-12-10",
    "phone": "+1 555 0100",
    "referral_source": "physician",
    "reason": "Lives alone after a fall, needs help at home.",
    "urgency": "immediate",
}
NOT_REACHED = {"reached": False, "contact_date": "2026-01-06", "method": "phone"}
REACHED = {"reached": True, "contact_date": "2026-01-08", "method": "visit", "notes": "at home"}


@pytest.fixture
def starter(
    db_url: str, clock: FrozenClock, tmp_path: Path, password_hash: str
) -> Iterator[Engine]:
    """An engine with the shipped processes and forms deployed (not the test fixtures)."""
    settings = replace(make_settings(db_url, tmp_path), processes_dir=PROCESSES, forms_dir=FORMS)
    eng = build(settings, clock)
    add_people(eng, password_hash)
    deployed = eng.processes.deploy_directory(DESIGNER)
    assert ("referral_intake", 1) in [(d.process_id, d.version) for d in deployed]
    yield eng
    eng.dispose()


def test_shipped_sources_are_valid() -> None:
    forms = load_forms(FORMS)
    assert {
        form_id: check_form(form)
        for form_id, form in forms.items()
        if form_id in ("first_contact", "referral")
    } == {"first_contact": [], "referral": []}
    built = parse_sources(
        {"referral_intake.bpmn": (PROCESSES / "referral_intake.bpmn").read_bytes()},
        form_exists=lambda form_id: None if form_id in forms else f"no form {form_id}",
    )
    [process] = built.values()
    assert (process.process_id, process.name) == ("referral_intake", "Referral intake")
    assert sorted(process.forms) == ["first_contact", "referral"]


def test_registration_form_is_checked(starter: Engine) -> None:
    view = starter.instances.start("referral_intake", {}, INTAKE)
    [task] = view.ready_tasks
    assert (task.element_id, task.lane, task.form_id) == ("register_referral", "intake", "referral")
    without_reason = {k: v for k, v in REFERRAL.items() if k != "reason"}
    with pytest.raises(FormInvalid) as caught:
        starter.tasks.complete(task.id, without_reason, INTAKE)
    assert set(caught.value.errors) == {"reason"}
    with pytest.raises(FormInvalid) as caught:
        starter.tasks.complete(task.id, {**REFERRAL, "referral_source": "other"}, INTAKE)
    assert set(caught.value.errors) == {"source_other"}
    other = {**REFERRAL, "referral_source": "other", "source_other": "Neighbour"}
    view = starter.tasks.complete(task.id, other, INTAKE)
    assert [t.element_id for t in view.ready_tasks] == ["first_contact"]


@pytest.mark.parametrize(("urgency", "days"), [("expedited", 5), ("routine", 14)])
def test_urgency_sets_the_first_contact_deadline(
    starter: Engine, clock: FrozenClock, urgency: str, days: int
) -> None:
    view = starter.instances.start("referral_intake", {}, INTAKE)
    view = starter.tasks.complete(view.ready_tasks[0].id, {**REFERRAL, "urgency": urgency}, INTAKE)
    [task] = view.ready_tasks
    assert task.due_at == clock.now() + timedelta(days=days)
    assert [(t.element_id, t.due_at) for t in view.waiting_timers] == [
        ("first_contact_overdue", task.due_at)
    ]


def test_overdue_contact_goes_to_the_supervisor_and_retries_after_two_days(
    starter: Engine, clock: FrozenClock
) -> None:
    view = starter.instances.start("referral_intake", {}, INTAKE)
    view = starter.tasks.complete(view.ready_tasks[0].id, REFERRAL, INTAKE)
    [contact] = view.ready_tasks
    one_day = clock.now() + timedelta(days=1)
    assert (contact.element_id, contact.lane, contact.form_id) == (
        "first_contact",
        "case_manager",
        "first_contact",
    )
    assert contact.due_at == one_day
    assert [(t.element_id, t.due_at) for t in view.waiting_timers] == [
        ("first_contact_overdue", one_day)
    ]

    clock.advance(timedelta(days=1))  # exactly due: not yet
    view = starter.instances.fire_due_timers(view.id, SUPERVISOR)
    assert [t.id for t in view.ready_tasks] == [contact.id]
    clock.advance(timedelta(seconds=1))
    view = starter.instances.fire_due_timers(view.id, SUPERVISOR)
    ready = {t.element_id: t for t in view.ready_tasks}
    assert set(ready) == {"first_contact", "review_overdue_contact"}
    assert ready["first_contact"].id == contact.id  # non-interrupting: still the same task
    review = ready["review_overdue_contact"]
    assert (review.lane, review.form_id) == ("supervisor", None)
    assert [t.id for t in starter.tasks.list(SUPERVISOR, scope="team")] == [review.id]
    assert view.waiting_timers == []
    view = starter.tasks.complete(review.id, {}, SUPERVISOR)
    assert [t.id for t in view.ready_tasks] == [contact.id]

    view = starter.tasks.complete(contact.id, NOT_REACHED, CASE_MANAGER)
    assert view.status == "waiting" and view.ready_tasks == []
    assert [(t.element_id, t.due_at) for t in view.waiting_timers] == [
        ("wait_before_retry", clock.now() + timedelta(days=2))
    ]
    clock.advance(timedelta(days=2, seconds=1))
    view = starter.instances.fire_due_timers(view.id, SUPERVISOR)
    [retry] = view.ready_tasks
    assert retry.element_id == "first_contact" and retry.id != contact.id
    assert retry.due_at == clock.now() + timedelta(days=1)
    assert [t.element_id for t in view.waiting_timers] == ["first_contact_overdue"]

    view = starter.tasks.complete(retry.id, REACHED, CASE_MANAGER)
    assert view.status == "completed"
    assert view.ready_tasks == [] and view.waiting_timers == []
    assert view.data["reached"] is True and view.data["first_contact_due"] == "P1D"
