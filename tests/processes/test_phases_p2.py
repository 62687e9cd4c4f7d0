"""The care cycle's later phases, run alone from processes/: implementation, monitoring,
evaluation and closure.

Each test drives a phase process through RunningInstance with a frozen clock, saving,
pruning and restoring the workflow after every step (as the engine does). A phase gets
the defaults care_cycle's first script sets, plus the data the phase needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.clock import FrozenClock
from engine.forms import Form, load_forms, validate_submission
from engine.runtime import instance as runtime_instance
from engine.runtime.instance import NotWaitingForMessage, ReadyTask, RunningInstance
from engine.runtime.serializer import SpecBundle, WorkflowCodec
from engine.runtime.specs import load_directory, parse_sources

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FORMS = Path(__file__).resolve().parents[2] / "forms"
MINE = ("cc_implementation", "cc_monitoring", "cc_evaluation", "cc_closure")
CODEC = WorkflowCodec()
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# care_cycle's initialise_case sets these once; a phase run alone gets them as start data.
DEFAULTS: dict[str, Any] = {
    "plan": None,
    "consents": [],
    "goal_progress": {},
    "referral_results": [],
    "closure_reason_suggested": None,
    "case_manager": None,
    "risk_tier": None,
    "scores": {},
    "baseline_scores": None,
    "monitoring_outcome": None,
    "reassessment_reason": None,
    "plan_comments": None,
    "closure_comments": None,
}
CLIENT = {
    "name": "Ada Example",
    "birth_date": "1970-03-01",
    "sex": "female",
    "phone": "+1 555 0100",
    "email": "ada@example.org",
    "address": "1 Main St",
    "language": "en",
}
INTAKE_REFERRAL = {"source": "gp", "reason": "low mood", "urgency": "routine"}
FOOD = {"id": "r1", "agency": "Food bank", "agency_type": "social_services", "purpose": "food"}
HOUSING = {"id": "r2", "agency": "Housing office", "agency_type": "government", "purpose": "rent"}
CLINIC = {"id": "r3", "agency": "Sleep clinic", "agency_type": "health", "purpose": "sleep"}
CONSENTS = [
    {
        "recipient": "Food bank",
        "recipient_type": "social_services",
        "purposes": ["referral"],
        "valid_until": "2027-01-01",
    },
    {
        "recipient": "Housing office",
        "recipient_type": "government",
        "purposes": ["referral", "care_coordination"],
        "valid_until": "2027-01-01",
    },
]
GOALS = [{"id": "g1", "description": "Sleep better", "target_date": "2026-06-01", "measure": "x"}]


def plan(**changes: Any) -> dict[str, Any]:
    """An approved plan (referrals and physician review as given)."""
    base: dict[str, Any] = {
        "status": "active",
        "approved_at": "2026-01-05T09:00:00+00:00",
        "review_due": "2026-04-05",
        "problems": ["sleep"],
        "goals": GOALS,
        "interventions": [],
        "referrals": [],
        "physician_review": False,
    }
    return {**base, **changes}


def start_data(**changes: Any) -> dict[str, Any]:
    """Defaults + the case's start data + a case manager, then the phase's own data."""
    return {
        **DEFAULTS,
        "client": CLIENT,
        "referral": INTAKE_REFERRAL,
        "case_id": 7,
        "case_manager": "cara",
        "case_status": "active",
        **changes,
    }


# -- stand-ins for the engine's care helpers, only where the engine lacks them ------------


def _consent_covers(
    consents: list[dict[str, Any]], agency: str, agency_type: str | None, purpose: str, on: str
) -> bool:
    """A consent names the agency, or its type (or "any"), for the purpose, still valid."""
    return any(
        (c.get("recipient") == agency or c.get("recipient_type") in ("any", agency_type))
        and purpose in c.get("purposes", [])
        and on[:10] <= str(c.get("valid_until") or "9999-12-31")
        for c in consents or []
    )


STAND_INS = {
    "consent_covers": _consent_covers,
    "ahc_screen": lambda answers: {
        "positive_domains": [],
        "safety_score": 4,
        "safety_positive": False,
    },
    "lowest_caseload_manager": lambda: None,
}


@pytest.fixture(autouse=True)
def care_helpers() -> Iterator[None]:
    """Register stand-ins for helpers the engine does not provide (yet); remove them after."""
    env_globals = runtime_instance._SCRIPT_ENGINE.environment.globals
    added = [name for name in STAND_INS if name not in env_globals]
    for name in added:
        env_globals[name] = STAND_INS[name]
    yield
    for name in added:
        env_globals.pop(name, None)


# -- a driver: every step saved, pruned and restored -------------------------------------

_BUNDLES: dict[str, SpecBundle] = {}


def bundle(process_id: str) -> SpecBundle:
    if not _BUNDLES:
        for pid, parsed in parse_sources(load_directory(PROCESSES)).items():
            _BUNDLES[pid] = SpecBundle(parsed.spec, parsed.subprocess_specs)
    return _BUNDLES[process_id]


_FORMS: dict[str, Form] = {}


def form(form_id: str | None) -> Form | None:
    if not _FORMS:
        _FORMS.update(load_forms(FORMS))
    return _FORMS.get(form_id) if form_id else None


def check_submission(task: ReadyTask, values: dict[str, Any]) -> None:
    """What a person sends from the task's form: the prefilled values (from the task's
    data, as the engine prefills a first submission) with theirs on top. It must pass."""
    definition = form(task.form_id)
    assert definition is not None, f"form {task.form_id} of {task.element_id} is missing"
    properties = definition.schema.get("properties") or {}
    prefilled = {name: task.data[name] for name in properties if name in task.data}
    assert validate_submission(definition, {**prefilled, **values}) == {}


class Phase:
    """One phase process, run step by step with a frozen clock."""

    def __init__(self, process_id: str, data: dict[str, Any]) -> None:
        self.bundle = bundle(process_id)
        self.clock = FrozenClock(T0)
        self.running = RunningInstance.start(self.bundle, data, self.clock)
        self._step(self.running.run())

    def _step(self, failure: Any) -> None:
        assert failure is None, failure
        state = self.running.dump(CODEC)
        self.running = RunningInstance.load(CODEC, state, self.bundle, self.clock)

    def ready(self) -> list[str]:
        return sorted(t.element_id for t in self.running.ready_tasks())

    def task(self, element_id: str) -> ReadyTask:
        [task] = [t for t in self.running.ready_tasks() if t.element_id == element_id]
        return task

    def tasks(self, element_id: str) -> list[ReadyTask]:
        return [t for t in self.running.ready_tasks() if t.element_id == element_id]

    def complete(self, element_id: str, values: dict[str, Any], task: ReadyTask | None = None):
        task = task or self.task(element_id)
        check_submission(task, values)
        self._step(self.running.complete(task.task_id, values))

    def deliver(self, name: str, payload: dict[str, Any], referral_id: str) -> None:
        failure = self.running.deliver(name, payload, correlation={"referral.id": referral_id})
        self._step(failure)

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))
        self._step(self.running.run())

    def waiting_referrals(self) -> list[str]:
        """Ids of the referrals whose instance waits for agency_response."""
        found = []
        for message in self.running.waiting_messages():
            assert (message.element_id, message.name) == ("await_agency", "agency_response")
            task = self.running.workflow.get_task_from_id(UUID(message.task_id))
            found.append(task.data["referral"]["id"])
        return sorted(found)

    def waiting_data(self, referral_id: str) -> dict[str, Any]:
        for message in self.running.waiting_messages():
            task = self.running.workflow.get_task_from_id(UUID(message.task_id))
            if task.data["referral"]["id"] == referral_id:
                return dict(task.data)
        raise AssertionError(f"{referral_id} is not waiting")

    def timers(self) -> list[tuple[str, datetime]]:
        return [(t.element_id, t.due_at) for t in self.running.waiting_timers()]

    @property
    def done(self) -> bool:
        return self.running.is_completed()

    def data(self) -> dict[str, Any]:
        return self.running.data()


# -- the files ---------------------------------------------------------------------------


def test_processes_directory_validates_with_the_phases() -> None:
    parsed = parse_sources(load_directory(PROCESSES))  # raises SpecError on any problem
    for pid in MINE:
        assert parsed[pid].source_file == f"{pid}.bpmn"
    assert parsed["cc_implementation"].name == "Implementation"
    assert parsed["cc_monitoring"].forms == ["cc_monitoring_contact"]
    assert parsed["cc_evaluation"].forms == ["cc_evaluation"]
    assert parsed["cc_closure"].forms == [
        "cc_closure_approval",
        "cc_closure_summary",
        "cc_post_closure_checkin",
    ]
    assert parsed["cc_implementation"].forms == [
        "cc_physician_review",
        "cc_referral_followup",
        "cc_referral_override",
    ]


USER_TASKS = {
    # (process, task): (lane, form, assignTo, dueIn)
    ("cc_implementation", "referral_consent_override"): (
        "case_manager",
        "cc_referral_override.schema.json",
        "case_manager",
        None,
    ),
    ("cc_implementation", "referral_followup"): (
        "case_manager",
        "cc_referral_followup.schema.json",
        "case_manager",
        None,
    ),
    ("cc_implementation", "physician_review"): (
        "care_team",
        "cc_physician_review.schema.json",
        None,
        None,
    ),
    ("cc_monitoring", "monitoring_contact"): (
        "case_manager",
        "cc_monitoring_contact.schema.json",
        "case_manager",
        "contact_task_due",
    ),
    ("cc_evaluation", "evaluation"): (
        "case_manager",
        "cc_evaluation.schema.json",
        "case_manager",
        None,
    ),
    ("cc_closure", "closure_summary"): (
        "case_manager",
        "cc_closure_summary.schema.json",
        "case_manager",
        None,
    ),
    ("cc_closure", "closure_approval"): (
        "supervisor",
        "cc_closure_approval.schema.json",
        None,
        None,
    ),
    ("cc_closure", "post_closure_checkin"): (
        "case_manager",
        "cc_post_closure_checkin.schema.json",
        "case_manager",
        None,
    ),
}


def _task_specs(process_id: str) -> dict[str, Any]:
    b = bundle(process_id)
    specs = [b.spec, *b.subprocess_specs.values()]
    return {ts.bpmn_id: ts for s in specs for ts in s.task_specs.values() if ts.bpmn_id}


@pytest.mark.parametrize(("process_id", "task_id"), list(USER_TASKS))
def test_user_task_conventions(process_id: str, task_id: str) -> None:
    lane, form, assign_to, due_in = USER_TASKS[(process_id, task_id)]
    spec = _task_specs(process_id)[task_id]
    props = spec.extensions["properties"]
    assert (spec.lane, props["formJsonSchemaFilename"]) == (lane, form)
    assert (props.get("assignTo"), props.get("dueIn")) == (assign_to, due_in)


def test_every_timer_reads_a_policy_output() -> None:
    """No literal deadline or cadence in the diagrams: timers name DMN outputs.

    (The timer after an event-based gateway is waited for by the gateway itself.)
    """
    expected = {
        ("cc_implementation", "await_agency"): "referral_followup_interval",
        ("cc_monitoring", "wait_next_contact"): "contact_interval",
        ("cc_monitoring", "outreach_retry"): "outreach_retry_interval",
        ("cc_closure", "post_closure_wait"): "post_closure_checkin_interval",
    }
    found = {}
    for pid in MINE:
        for bpmn_id, ts in _task_specs(pid).items():
            definition = getattr(ts, "event_definition", None)
            for d in getattr(definition, "event_definitions", [definition]):
                if isinstance(d, TimerEventDefinition):
                    found[(pid, bpmn_id)] = d.expression
    assert found == expected


# -- cc_implementation -------------------------------------------------------------------


def implementation(
    referrals: list[dict[str, Any]], physician_review: bool = False, **changes: Any
) -> Phase:
    data = start_data(
        risk_tier="moderate",
        consents=changes.pop("consents", CONSENTS),
        plan=plan(referrals=referrals, physician_review=physician_review),
        **changes,
    )
    return Phase("cc_implementation", data)


def test_consented_referral_is_sent_and_the_correlated_response_completes_it() -> None:
    p = implementation([FOOD])
    assert p.ready() == []
    assert p.waiting_referrals() == ["r1"]
    sent = p.waiting_data("r1")["referral_result"]
    assert sent == {
        "id": "r1",
        "agency": "Food bank",
        "status": "sent",
        "sent_at": T0.isoformat(),
        "response": None,
        "override_reason": None,
    }
    assert p.timers() == [("await_agency", T0 + timedelta(days=14))]

    p.advance(days=2)
    p.deliver("agency_response", {"accepted": True, "contact": "Bo"}, "r1")
    assert p.done
    data = p.data()
    assert data["referral_results"] == [
        {**sent, "status": "responded", "response": {"accepted": True, "contact": "Bo"}}
    ]
    assert data["phase"] == "implementation"
    assert data["referral"] == INTAKE_REFERRAL  # the intake referral is back
    for temporary in ("earlier_referral_results", "intake_referral", "referral_result"):
        assert temporary not in data


def test_referral_without_consent_asks_the_case_manager_for_an_override() -> None:
    p = implementation([CLINIC])
    assert p.ready() == ["referral_consent_override"]
    task = p.task("referral_consent_override")
    assert (task.lane, task.assignee, task.form_id) == (
        "case_manager",
        "cara",
        "cc_referral_override",
    )
    assert task.data["referral"] == CLINIC
    assert task.data["consent_ok"] is False
    assert p.running.waiting_messages() == []


def test_override_with_reason_sends_the_referral_and_keeps_the_reason() -> None:
    p = implementation([CLINIC])
    p.complete(
        "referral_consent_override", {"override": True, "override_reason": "client asked by phone"}
    )
    assert p.waiting_referrals() == ["r3"]
    assert p.waiting_data("r3")["referral_result"]["status"] == "sent"
    p.deliver("agency_response", {"appointment": "2026-02-01"}, "r3")
    assert p.done
    [result] = p.data()["referral_results"]
    assert result["status"] == "responded"
    assert result["override_reason"] == "client asked by phone"
    assert result["response"] == {"appointment": "2026-02-01"}


def test_no_override_refuses_the_referral_with_a_reason() -> None:
    p = implementation([CLINIC])
    p.complete("referral_consent_override", {"override": False})
    assert p.done
    assert p.data()["referral_results"] == [
        {
            "id": "r3",
            "agency": "Sleep clinic",
            "status": "refused",
            "reason": "no consent covers Sleep clinic",
            "sent_at": None,
            "response": None,
            "override_reason": None,
        }
    ]


def test_expired_consent_does_not_cover_the_referral() -> None:
    expired = [{**CONSENTS[0], "valid_until": "2025-12-31"}]
    p = implementation([FOOD], consents=expired)
    assert p.ready() == ["referral_consent_override"]


def test_no_response_asks_for_a_followup_and_keeps_waiting() -> None:
    p = implementation([FOOD])
    p.advance(days=14)
    assert p.ready() == []  # exactly at the due time nothing happens
    p.advance(seconds=1)
    assert p.ready() == ["referral_followup"]
    task = p.task("referral_followup")
    assert (task.lane, task.assignee, task.form_id) == (
        "case_manager",
        "cara",
        "cc_referral_followup",
    )
    assert task.data["referral"]["id"] == "r1"
    assert p.running.waiting_messages() == []  # the gateway moved on to the follow-up

    p.complete("referral_followup", {"followup_notes": "left a message", "still_waiting": True})
    assert p.ready() == []
    assert p.waiting_referrals() == ["r1"]
    assert p.timers() == [("await_agency", p.clock.now() + timedelta(days=14))]
    p.deliver("agency_response", {"accepted": False}, "r1")
    assert p.done
    [result] = p.data()["referral_results"]
    assert (result["status"], result["response"]) == ("responded", {"accepted": False})


def test_a_correlated_message_reaches_only_its_own_referral() -> None:
    p = implementation([FOOD, HOUSING])
    assert p.waiting_referrals() == ["r1", "r2"]

    p.deliver("agency_response", {"for": "r2"}, "r2")
    assert not p.done
    assert p.waiting_referrals() == ["r1"]
    assert p.waiting_data("r1")["referral_result"]["status"] == "sent"
    with pytest.raises(NotWaitingForMessage):
        p.deliver("agency_response", {"for": "r2"}, "r2")
    with pytest.raises(NotWaitingForMessage):
        p.deliver("agency_response", {"for": "nobody"}, "r9")

    p.deliver("agency_response", {"for": "r1"}, "r1")
    assert p.done
    results = {r["id"]: r for r in p.data()["referral_results"]}
    assert results["r1"]["response"] == {"for": "r1"}
    assert results["r2"]["response"] == {"for": "r2"}
    assert {r["status"] for r in results.values()} == {"responded"}


def test_followups_are_per_referral() -> None:
    p = implementation([FOOD, HOUSING])
    p.advance(days=1)
    p.deliver("agency_response", {"ok": True}, "r2")
    p.advance(days=13, seconds=1)  # r1 has waited 14 days and a second
    [task] = p.tasks("referral_followup")
    assert task.data["referral"]["id"] == "r1"


@pytest.mark.parametrize("asked", [True, False])
def test_physician_review_only_when_the_plan_asks(asked: bool) -> None:
    p = implementation([], physician_review=asked)
    if not asked:
        assert p.done
        return
    assert p.ready() == ["physician_review"]
    task = p.task("physician_review")
    assert (task.lane, task.assignee, task.form_id) == ("care_team", None, "cc_physician_review")
    assert task.candidate_roles == ("care_team",)
    p.complete("physician_review", {"plan_reviewed": True, "recommendations": "sleep hygiene"})
    assert p.done
    assert p.data()["recommendations"] == "sleep hygiene"


def test_physician_review_and_referrals_run_side_by_side() -> None:
    p = implementation([FOOD, CLINIC], physician_review=True)
    assert p.ready() == ["physician_review", "referral_consent_override"]
    p.complete("physician_review", {"plan_reviewed": True})
    p.complete("referral_consent_override", {"override": False})
    p.deliver("agency_response", {"ok": 1}, "r1")
    assert p.done
    data = p.data()
    assert {r["id"]: r["status"] for r in data["referral_results"]} == {
        "r1": "responded",
        "r3": "refused",
    }
    assert data["plan_reviewed"] is True


def test_empty_referral_list_completes_at_once() -> None:
    p = implementation([])
    assert p.done
    data = p.data()
    assert data["referral_results"] == []
    assert data["phase"] == "implementation"
    assert data["referral"] == INTAKE_REFERRAL


def test_results_of_earlier_plans_are_kept_and_resent_referrals_replaced() -> None:
    earlier = [
        {"id": "old", "agency": "Gym", "status": "responded", "sent_at": "x", "response": {}},
        {"id": "r1", "agency": "Food bank", "status": "refused", "sent_at": None, "response": None},
    ]
    p = implementation([FOOD], referral_results=earlier)
    p.deliver("agency_response", {"ok": True}, "r1")
    results = p.data()["referral_results"]
    assert [(r["id"], r["status"]) for r in results] == [("old", "responded"), ("r1", "responded")]


def test_implementation_runs_without_an_intake_referral() -> None:
    data = start_data(consents=CONSENTS, plan=plan(referrals=[FOOD]))
    del data["referral"]
    p = Phase("cc_implementation", data)
    p.deliver("agency_response", {"ok": True}, "r1")
    assert p.done
    assert "referral" not in p.data()


# -- cc_monitoring -----------------------------------------------------------------------


def monitoring(risk_tier: str = "moderate", **plan_changes: Any) -> Phase:
    data = start_data(risk_tier=risk_tier, plan=plan(**plan_changes))
    return Phase("cc_monitoring", data)


def reached(ready: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "reached": True,
        "contact_date": "2026-01-12",
        "contact_method": "phone",
        "goal_updates": [{"goal_id": "g1", "achievement": "improving", "note": "7 h a night"}],
        "satisfaction": 4,
        "ready_for_evaluation": ready,
        **extra,
    }


NOT_REACHED = {"reached": False, "contact_date": "2026-01-12", "contact_method": "phone"}


@pytest.mark.parametrize(("tier", "days"), [("high", 7), ("moderate", 14), ("low", 30)])
def test_contact_cadence_follows_the_risk_tier(tier: str, days: int) -> None:
    p = monitoring(tier)
    assert p.ready() == []
    assert p.timers() == [("wait_next_contact", T0 + timedelta(days=days))]
    p.advance(days=days)
    assert p.ready() == []
    p.advance(seconds=1)
    assert p.ready() == ["monitoring_contact"]
    task = p.task("monitoring_contact")
    assert (task.lane, task.assignee, task.form_id) == (
        "case_manager",
        "cara",
        "cc_monitoring_contact",
    )
    assert task.due_at == p.clock.now() + timedelta(days=2)  # contact_task_due
    assert task.data["goals"] == GOALS  # shown on the form
    assert (task.data["goal_updates"], task.data["ready_for_evaluation"]) == ([], False)
    assert p.data()["phase"] == "monitoring"


def test_reached_and_ready_for_evaluation_ends_with_evaluate() -> None:
    p = monitoring("high")
    p.advance(days=7, seconds=1)
    p.complete("monitoring_contact", reached(ready=True))
    assert p.done
    data = p.data()
    assert data["monitoring_outcome"] == "evaluate"
    assert data["goal_progress"] == {
        "g1": {"achievement": "improving", "note": "7 h a night", "at": "2026-01-12"}
    }
    assert data["failed_attempts"] == []


def test_reached_not_ready_schedules_the_next_contact() -> None:
    p = monitoring("high")
    p.advance(days=7, seconds=1)
    p.complete("monitoring_contact", reached())
    assert not p.done
    assert p.ready() == []
    assert p.timers() == [("wait_next_contact", p.clock.now() + timedelta(days=7))]
    p.advance(days=7, seconds=1)
    assert p.ready() == ["monitoring_contact"]


def test_plan_review_due_ends_with_plan_review() -> None:
    p = monitoring("high", review_due="2026-01-15")
    p.advance(days=7, seconds=1)  # 2026-01-12: review not due yet
    p.complete("monitoring_contact", reached())
    assert not p.done
    p.advance(days=7, seconds=1)  # 2026-01-19: review due
    p.complete("monitoring_contact", reached(contact_date="2026-01-19"))
    assert p.done
    assert p.data()["monitoring_outcome"] == "plan_review"


def test_ready_for_evaluation_wins_over_a_due_review() -> None:
    p = monitoring("high", review_due="2026-01-01")
    p.advance(days=7, seconds=1)
    p.complete("monitoring_contact", reached(ready=True))
    assert p.data()["monitoring_outcome"] == "evaluate"


def test_three_failed_attempts_within_the_window_end_with_unable_to_contact() -> None:
    p = monitoring("moderate")
    p.advance(days=14, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    assert p.ready() == []
    assert p.timers() == [("outreach_retry", p.clock.now() + timedelta(days=3))]
    p.advance(days=3)
    assert p.ready() == []
    p.advance(seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    assert not p.done
    p.advance(days=3, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    assert p.done
    data = p.data()
    assert data["monitoring_outcome"] == "unable_to_contact"
    assert data["failed_attempts"] == ["2026-01-19", "2026-01-22", "2026-01-25"]


def test_a_successful_contact_resets_the_failed_attempts() -> None:
    p = monitoring("high")
    p.advance(days=7, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    p.advance(days=3, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    p.advance(days=3, seconds=1)
    p.complete("monitoring_contact", reached())
    assert not p.done
    assert p.data()["failed_attempts"] == []
    assert [name for name, _ in p.timers()] == ["wait_next_contact"]

    p.advance(days=7, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    p.advance(days=3, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    assert not p.done  # two failures since the success: retry, not unable to contact
    assert len(p.data()["failed_attempts"]) == 2
    assert [name for name, _ in p.timers()] == ["outreach_retry"]


def test_failed_attempts_outside_the_window_do_not_count() -> None:
    p = monitoring("high")
    p.advance(days=7, seconds=1)
    p.complete("monitoring_contact", NOT_REACHED)
    p.advance(days=3, seconds=1)
    p.advance(days=20)  # the retry sits in the inbox for 20 days
    p.complete("monitoring_contact", NOT_REACHED)
    assert not p.done
    assert len(p.data()["failed_attempts"]) == 1


def test_a_long_monitoring_stays_small() -> None:
    """Years of weekly contacts: the saved state does not grow (the engine prunes history)."""
    p = monitoring("high", review_due="2030-01-01")
    sizes = []
    for _ in range(100):
        p.advance(days=7, seconds=1)
        p.complete("monitoring_contact", reached())
        sizes.append((len(p.running.dump(CODEC)), len(p.running.workflow.tasks)))
    assert not p.done
    assert sizes[-1][1] == sizes[4][1]
    assert sizes[-1][0] <= sizes[4][0] * 1.2


# -- cc_evaluation -----------------------------------------------------------------------

BASELINE = {
    "phq9": {"total": 15, "band": "moderately_severe", "item9": 0},
    "gad7": {"total": 12, "band": "moderate"},
    "auditc": {"total": 2, "positive": False},
}


def answers(values: list[int]) -> dict[str, int]:
    return {f"q{i}": v for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize("decision", ["close", "continue"])
def test_evaluation_records_score_change_and_the_decision(decision: str) -> None:
    data = start_data(
        risk_tier="moderate",
        plan=plan(),
        baseline_scores=BASELINE,
        scores=BASELINE,
        phq9=answers([2] * 9),  # the assessment's answers
        gad7=answers([2] * 7),
    )
    p = Phase("cc_evaluation", data)
    assert p.ready() == ["evaluation"]
    task = p.task("evaluation")
    assert (task.lane, task.assignee, task.form_id) == ("case_manager", "cara", "cc_evaluation")
    assert task.data["goals"] == GOALS
    assert (task.data["phq9"], task.data["gad7"]) == ({}, {})  # given afresh, not prefilled
    assert p.data()["phase"] == "evaluation"
    p.complete(
        "evaluation",
        {
            "goal_attainment": [{"goal_id": "g1", "achievement": "achieved"}],
            "phq9": answers([1, 1, 1, 1, 1, 1, 0, 0, 0]),
            "gad7": answers([1, 1, 1, 1, 0, 0, 0]),
            "satisfaction": 5,
            "evaluation_decision": decision,
            "closure_reason_suggested": "goals_met",
        },
    )
    assert p.done
    out = p.data()
    assert out["score_change"] == {"phq9": -9, "gad7": -8}
    assert out["scores"] == {
        "phq9": {"total": 6, "band": "mild", "item9": 0},
        "gad7": {"total": 4, "band": "minimal"},
        "auditc": {"total": 2, "positive": False},
    }
    assert out["baseline_scores"] == BASELINE
    assert out["goal_progress"]["g1"] == {
        "achievement": "achieved",
        "note": None,
        "at": "2026-01-05",
    }
    assert out["evaluation_decision"] == decision
    assert out["closure_reason_suggested"] == "goals_met"


def test_evaluation_without_goal_attainment() -> None:
    data = start_data(plan=plan(), baseline_scores=BASELINE, scores=BASELINE)
    p = Phase("cc_evaluation", data)
    p.complete(
        "evaluation",
        {
            "phq9": answers([3] * 9),
            "gad7": answers([3] * 7),
            "satisfaction": 2,
            "evaluation_decision": "continue",
        },
    )
    out = p.data()
    assert out["score_change"] == {"phq9": 12, "gad7": 9}
    assert out["scores"]["phq9"] == {"total": 27, "band": "severe", "item9": 3}
    assert out["goal_progress"] == {}


# -- cc_closure --------------------------------------------------------------------------

SUMMARY = {"closure_reason": "goals_met", "transition_plan": "GP follows up monthly"}


def test_closure_return_approve_record_and_post_closure_checkin() -> None:
    data = start_data(risk_tier="low", plan=plan(), closure_reason_suggested="goals_met")
    p = Phase("cc_closure", data)
    assert p.ready() == ["closure_summary"]
    task = p.task("closure_summary")
    assert (task.lane, task.assignee, task.form_id) == (
        "case_manager",
        "cara",
        "cc_closure_summary",
    )
    assert task.data["closure_reason"] == "goals_met"  # prefilled from the suggestion
    assert p.data()["phase"] == "closure"

    p.complete("closure_summary", SUMMARY)
    task = p.task("closure_approval")
    assert (task.lane, task.assignee, task.form_id) == ("supervisor", None, "cc_closure_approval")
    p.complete(
        "closure_approval", {"closure_decision": "return", "closure_comments": "add GP name"}
    )
    assert p.ready() == ["closure_summary"]
    assert p.task("closure_summary").data["closure_comments"] == "add GP name"

    p.advance(hours=2)
    p.complete("closure_summary", {**SUMMARY, "transition_plan": "Dr Lee follows up monthly"})
    p.complete("closure_approval", {"closure_decision": "approve"})
    closed_at = p.clock.now()
    data = p.data()
    assert data["closure"] == {
        "reason": "goals_met",
        "reason_other": None,
        "transition_plan": "Dr Lee follows up monthly",
        "closed_at": closed_at.isoformat(),
    }
    assert (data["case_status"], data["phase"]) == ("finished", "closed")
    assert data["plan"]["status"] == "completed"
    assert p.ready() == []
    assert p.timers() == [("post_closure_wait", closed_at + timedelta(days=30))]

    p.advance(days=30)
    assert p.ready() == []
    p.advance(seconds=1)
    task = p.task("post_closure_checkin")
    assert (task.lane, task.assignee, task.form_id) == (
        "case_manager",
        "cara",
        "cc_post_closure_checkin",
    )
    p.complete("post_closure_checkin", {"reached": True, "doing_well": True})
    assert p.done
    assert p.data()["case_status"] == "finished"


def test_closure_without_plan_and_with_another_reason() -> None:
    data = start_data(closure_reason_suggested="unable_to_contact")
    p = Phase("cc_closure", data)
    assert p.task("closure_summary").data["closure_reason"] == "unable_to_contact"
    p.complete(
        "closure_summary",
        {
            "closure_reason": "other",
            "closure_reason_other": "moved abroad, no forwarding address",
            "transition_plan": "none possible",
        },
    )
    p.complete("closure_approval", {"closure_decision": "approve"})
    data = p.data()
    assert data["closure"]["reason"] == "other"
    assert data["closure"]["reason_other"] == "moved abroad, no forwarding address"
    assert data["closure"]["transition_plan"] == "none possible"
    assert data["plan"] is None
    assert data["phase"] == "closed"


def test_closure_summary_without_a_suggestion_has_no_prefill() -> None:
    p = Phase("cc_closure", start_data(plan=plan()))
    assert "closure_reason" not in p.task("closure_summary").data
    p.complete("closure_summary", {**SUMMARY, "closure_reason": "moved"})
    p.complete("closure_approval", {"closure_decision": "approve"})
    assert p.data()["closure"]["reason"] == "moved"


# -- the whole cycle through these phases -------------------------------------------------

PHQ9_MILD = answers([1, 1, 1, 1, 1, 1, 1, 1, 0])  # 8, item 9 = 0: no safety tasks
CALM_AHC = {
    "living_situation": "steady",
    "housing_problems": ["none"],
    "food_worry": "never",
    "food_ran_out": "never",
    "transportation": False,
    "utilities": "no",
    "safety": {"physically_hurt": 1, "insult": 1, "threaten": 1, "scream_curse": 1},
}
TO_PLANNING = [
    (
        "intake_screening",
        {"eligibility": {"age_18_plus": True, "in_service_area": True, "has_care_need": True}},
    ),
    ("consent", {"consents": CONSENTS, "client_signed": True, "consent_date": "2026-01-05"}),
    ("assign_case_manager", {"case_manager": "cara"}),
    ("first_contact", {"reached": True, "contact_date": "2026-01-05", "contact_method": "phone"}),
    (
        "psychosocial_assessment",
        {
            "living_situation": "alone",
            "support_network": "a sister",
            "strengths": "motivated",
            "concerns": "sleep",
            "readiness": {"importance": 8, "confidence": 6, "readiness": 7},
            "stage_of_change": "preparation",
            "recent_admission": False,
        },
    ),
    (
        "instruments",
        {
            "phq9": PHQ9_MILD,
            "gad7": answers([1] * 7),
            "auditc": answers([0, 0, 0]),
            "ahc": CALM_AHC,
        },
    ),
    ("risk_review", {"override": False}),
    (
        "service_plan",
        {
            "problems": ["sleep"],
            "goals": GOALS,
            "interventions": [],
            "referrals": [FOOD, CLINIC],
            "physician_review": True,
        },
    ),
    (
        "client_decision",
        {"options_discussed": "clinic", "client_choice": "I'll try it", "client_agrees": True},
    ),
    ("plan_approval", {"plan_decision": "approve"}),
]


def test_care_cycle_through_implementation_monitoring_evaluation_and_closure() -> None:
    p = Phase("care_cycle", {"client": CLIENT, "referral": INTAKE_REFERRAL, "case_id": 7})
    for element_id, values in TO_PLANNING:
        p.complete(element_id, values)
    # implementation: the Food bank is covered by consent, the Sleep clinic is not
    assert p.ready() == ["physician_review", "referral_consent_override"]
    p.complete("referral_consent_override", {"override": False})
    p.complete("physician_review", {"plan_reviewed": True})
    assert p.waiting_referrals() == ["r1"]
    p.deliver("agency_response", {"accepted": True}, "r1")
    data = p.data()
    assert (data["phase"], data["risk_tier"]) == ("monitoring", "low")
    assert data["referral"] == INTAKE_REFERRAL
    assert {r["id"]: r["status"] for r in data["referral_results"]} == {
        "r1": "responded",
        "r3": "refused",
    }
    # monitoring: low risk, a contact after 30 days
    p.advance(days=30, seconds=1)
    p.complete("monitoring_contact", reached(ready=True, contact_date="2026-02-04"))
    # evaluation
    p.complete(
        "evaluation",
        {
            "goal_attainment": [{"goal_id": "g1", "achievement": "achieved"}],
            "phq9": answers([0] * 9),
            "gad7": answers([0] * 7),
            "satisfaction": 5,
            "evaluation_decision": "close",
            "closure_reason_suggested": "goals_met",
        },
    )
    assert p.task("closure_summary").data["closure_reason"] == "goals_met"
    p.complete("closure_summary", SUMMARY)
    p.complete("closure_approval", {"closure_decision": "approve"})
    data = p.data()
    assert (data["phase"], data["case_status"]) == ("closed", "finished")
    assert data["score_change"] == {"phq9": -8, "gad7": -7}
    assert data["monitoring_outcome"] == "evaluate"
    p.advance(days=30, seconds=1)
    p.complete("post_closure_checkin", {"reached": True, "doing_well": True})
    assert p.done
    final = p.data()
    assert final["closure"]["reason"] == "goals_met"
    assert final["plan"]["status"] == "completed"
    assert final["goal_progress"]["g1"]["achievement"] == "achieved"
