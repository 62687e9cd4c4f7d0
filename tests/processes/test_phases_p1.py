"""The care cycle's first phases (care_cycle, cc_intake, cc_assessment, cc_planning) and
every policy/scoring DMN table, run at runtime level from the real files in processes/.

Every step is saved, pruned and restored (dump/load), as the engine does between requests.
Every submission is first validated against the task's form in forms/, as the API does.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.clock import FrozenClock
from engine.forms import load_forms, validate_submission
from engine.runtime.instance import RunningInstance, StepFailure
from engine.runtime.serializer import SpecBundle, WorkflowCodec
from engine.runtime.specs import load_directory, parse_sources

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
INPUTS = Path(__file__).parent / "inputs"
CODEC = WorkflowCodec()
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MY_FILES = ("care_cycle.bpmn", "cc_intake.bpmn", "cc_assessment.bpmn", "cc_planning.bpmn")
_BUNDLES: dict[str, SpecBundle] = {}
_FORMS: dict[str, Any] = {}


def sources() -> dict[str, bytes]:
    """processes/ plus the test-only probe (which calls the decisions in processes/)."""
    found = load_directory(PROCESSES)
    found.update({f"inputs/{name}": text for name, text in load_directory(INPUTS).items()})
    return found


def bundle(process_id: str) -> SpecBundle:
    if not _BUNDLES:
        for pid, parsed in parse_sources(sources()).items():
            _BUNDLES[pid] = SpecBundle(parsed.spec, parsed.subprocess_specs)
    return _BUNDLES[process_id]


def forms() -> dict[str, Any]:
    if not _FORMS:
        _FORMS.update(load_forms(FORMS))
    return _FORMS


class Driver:
    """One process instance, dumped and reloaded after every step."""

    def __init__(self, process_id: str, data: dict[str, Any], manager: str | None = None) -> None:
        self.bundle = bundle(process_id)
        self.clock = FrozenClock(T0)
        self.manager = manager  # what lowest_caseload_manager() answers
        self.running = RunningInstance.start(self.bundle, data, self.clock)
        self._bind()
        self._check(self.running.run())

    def _bind(self) -> None:
        self.running.directory = lambda: self.manager

    def _check(self, failure: StepFailure | None) -> None:
        assert failure is None, failure
        state = self.running.dump(CODEC)
        self.running = RunningInstance.load(CODEC, state, self.bundle, self.clock)
        self._bind()

    def ready(self) -> list[str]:
        return sorted(t.element_id for t in self.running.ready_tasks())

    def task(self, element_id: str) -> Any:
        return next(t for t in self.running.ready_tasks() if t.element_id == element_id)

    def complete(self, element_id: str, values: dict[str, Any]) -> None:
        task = self.task(element_id)
        if task.form_id:
            errors = validate_submission(forms()[task.form_id], values)
            assert errors == {}, (element_id, errors)
        self._check(self.running.complete(task.task_id, copy.deepcopy(values)))

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))
        self._check(self.running.run())

    def message(self, name: str, payload: dict[str, Any]) -> None:
        self._check(self.running.deliver(name, payload))

    def timers(self) -> list[tuple[str, datetime]]:
        return [(t.element_id, t.due_at) for t in self.running.waiting_timers()]

    @property
    def data(self) -> dict[str, Any]:
        return self.running.data()

    @property
    def done(self) -> bool:
        return self.running.is_completed()


# -- sample data and submissions ------------------------------------------------------------

DEFAULTS: dict[str, Any] = {  # what care_cycle's initialise_case sets
    "plan": None,
    "consents": [],
    "goal_progress": {},
    "referral_results": [],
    "closure_reason_suggested": None,
    "case_manager": None,
    "risk_tier": None,
    "risk_tier_computed": None,
    "risk_override_reason": None,
    "scores": {},
    "baseline_scores": None,
    "monitoring_outcome": None,
    "reassessment_reason": None,
    "plan_comments": None,
    "closure_comments": None,
}


def case_data(urgency: str = "routine", sex: str = "female") -> dict[str, Any]:
    return {
        "client": {
            "name": "Ada Lovelace",
            "birth_date": "1980-12-10",
            "sex": sex,
            "phone": "+1 555 0100",
            "email": "ada@example.org",
            "address": "1 Main St",
            "language": "en",
        },
        "referral": {"source": "hospital", "reason": "discharge support", "urgency": urgency},
        "case_id": 17,
    }


def phase_data(urgency: str = "routine", **extra: Any) -> dict[str, Any]:
    """Start data of a phase run on its own: the case data plus care_cycle's defaults."""
    return {**case_data(urgency), **copy.deepcopy(DEFAULTS), **extra}


ELIGIBLE = {
    "eligibility": {"age_18_plus": True, "in_service_area": True, "has_care_need": True},
    "screening_notes": "meets criteria",
}
CONSENT = {
    "consents": [
        {
            "recipient": "City Housing",
            "recipient_type": "social_services",
            "purposes": ["referral"],
            "valid_until": "2027-01-31",
        }
    ],
    "client_signed": True,
    "consent_date": "2026-01-05",
}
REACHED = {"reached": True, "contact_date": "2026-01-06", "contact_method": "phone"}
NOT_REACHED = {"reached": False, "contact_date": "2026-01-06", "contact_method": "phone"}
PSYCHOSOCIAL = {
    "living_situation": "rents a flat alone",
    "support_network": "a sister nearby",
    "strengths": "motivated",
    "concerns": "isolation",
    "readiness": {"importance": 8, "confidence": 5, "readiness": 6},
    "stage_of_change": "preparation",
    "recent_admission": False,
}
CALM_AHC = {
    "living_situation": "steady",
    "housing_problems": ["none"],
    "food_worry": "never",
    "food_ran_out": "never",
    "transportation": False,
    "utilities": "no",
    "safety": {"physically_hurt": 1, "insult": 1, "threaten": 1, "scream_curse": 1},
}


def instruments(phq9: list[int], gad7: list[int], auditc: list[int], **ahc: Any) -> dict[str, Any]:
    return {
        "phq9": {f"q{i + 1}": v for i, v in enumerate(phq9)},
        "gad7": {f"q{i + 1}": v for i, v in enumerate(gad7)},
        "auditc": {f"q{i + 1}": v for i, v in enumerate(auditc)},
        "ahc": {**CALM_AHC, **ahc},
    }


SERVICE_PLAN = {
    "problems": ["social isolation"],
    "goals": [
        {
            "id": "g1",
            "description": "join a community group",
            "target_date": "2026-04-01",
            "measure": "attends weekly",
        }
    ],
    "interventions": [
        {"who": "case manager", "what": "find groups", "frequency": "weekly", "estimated_cost": 0}
    ],
    "referrals": [],
    "physician_review": False,
}
CLIENT_DECISION = {
    "options_discussed": "community group, peer support",
    "client_choice": "I would like to try the walking group.",
    "client_agrees": True,
}


# -- the files ------------------------------------------------------------------------------


def test_processes_directory_validates_with_forms() -> None:
    def form_exists(form_id: str) -> str | None:
        return None if (FORMS / f"{form_id}.schema.json").is_file() else f"no form {form_id}"

    parsed = parse_sources(load_directory(PROCESSES), form_exists=form_exists)
    for pid in ("care_cycle", "cc_intake", "cc_assessment", "cc_planning"):
        assert parsed[pid].name
    assert set(parsed["care_cycle"].subprocess_specs) >= {
        "cc_intake",
        "cc_assessment",
        "cc_planning",
        "cc_implementation",
        "cc_monitoring",
        "cc_evaluation",
        "cc_closure",
    }


BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"


def _bounds(shape: Any) -> tuple[float, float, float, float]:
    b = shape.find(f"{DC}Bounds")
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


@pytest.mark.parametrize("file", MY_FILES)
def test_diagram_is_complete_and_uncluttered(file: str) -> None:
    root: Any = etree.parse(str(PROCESSES / file)).getroot()
    process: Any = root.find(f"{BPMN}process")
    assert process.get("id") == file.removesuffix(".bpmn")
    assert process.get("isExecutable") == "true"
    participant = root.find(f"{BPMN}collaboration/{BPMN}participant")
    assert participant.get("processRef") == process.get("id")
    lanes = {lane.get("id"): lane for lane in process.iter(f"{BPMN}lane")}
    assert {lane.get("name") for lane in lanes.values()} <= {
        "intake",
        "case_manager",
        "supervisor",
        "care_team",
    }
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{BPMNDI}BPMNShape")}
    edges = {e.get("bpmnElement") for e in root.iter(f"{BPMNDI}BPMNEdge")}
    nodes = [
        e for e in process if e.get("id") and e.tag not in (f"{BPMN}sequenceFlow", f"{BPMN}laneSet")
    ]
    flows = list(process.iter(f"{BPMN}sequenceFlow"))
    assert {n.get("id") for n in nodes} <= set(shapes)
    assert set(lanes) <= set(shapes)
    assert {f.get("id") for f in flows} == edges
    for node in nodes:  # every element and gateway has a name
        assert node.get("name"), node.get("id")
    for gateway in nodes:  # a decision's outgoing flows are named
        outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
        if gateway.tag.endswith("Gateway") and "parallel" not in gateway.tag and len(outgoing) > 1:
            assert all(f.get("name") for f in outgoing), gateway.get("id")
    # no two shapes overlap (a boundary event sits on its own host), all inside their lane
    attached = {n.get("id"): n.get("attachedToRef") for n in nodes if n.get("attachedToRef")}
    boxes = {n.get("id"): _bounds(shapes[n.get("id")]) for n in nodes}
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if attached.get(a) == b or attached.get(b) == a:
                continue
            ax, ay, aw, ah = boxes[a]
            bx, by, bw, bh = boxes[b]
            assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), (a, b)
    for lane_id, lane in lanes.items():
        lx, ly, lw, lh = _bounds(shapes[lane_id])
        for ref in lane.findall(f"{BPMN}flowNodeRef"):
            x, y, w, h = boxes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, ref.text


@pytest.mark.parametrize("file", MY_FILES)
def test_deadlines_and_intervals_come_from_variables(file: str) -> None:
    root: Any = etree.parse(str(PROCESSES / file)).getroot()
    for timer in root.iter(f"{BPMN}timeDuration", f"{BPMN}timeDate", f"{BPMN}timeCycle"):
        assert timer.text.strip().isidentifier(), timer.text
    for prop in root.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}property"):
        if prop.get("name") == "dueIn":
            assert prop.get("value").isidentifier(), prop.get("value")


# -- DMN tables -----------------------------------------------------------------------------


def decide(decision: str, **inputs: Any) -> dict[str, Any]:
    d = Driver("p1_decision_probe", {"decision": decision, **inputs})
    assert d.done
    return {k: v for k, v in d.data.items() if k not in inputs and k != "decision"}


def rule_ids(stem: str) -> list[str]:
    root: Any = etree.parse(str(PROCESSES / f"{stem}.dmn")).getroot()
    return [rule.get("id") for rule in root.iter("{*}rule")]


@pytest.mark.parametrize(
    ("urgency", "due", "mode"),
    [
        ("immediate", "PT24H", "auto"),
        ("expedited", "P5D", "supervisor"),
        ("routine", "P14D", "supervisor"),
    ],
)
def test_policy_intake(urgency: str, due: str, mode: str) -> None:
    out = decide("policy_intake", referral={"urgency": urgency})
    assert out == {"first_contact_due": due, "assignment_mode": mode}


@pytest.mark.parametrize(
    ("tier", "contact", "review"),
    [("high", "P7D", "P30D"), ("moderate", "P14D", "P90D"), ("low", "P30D", "P90D")],
)
def test_policy_monitoring(tier: str, contact: str, review: str) -> None:
    out = decide("policy_monitoring", risk_tier=tier)
    assert out == {"contact_interval": contact, "plan_review_interval": review}


def test_policy_timing_matches_every_case() -> None:
    expected = {
        "outreach_max_attempts": 3,
        "outreach_window_days": 14,
        "outreach_retry_interval": "P3D",
        "referral_followup_interval": "P14D",
        "post_closure_checkin_interval": "P30D",
        "safety_task_due": "PT4H",
        "first_contact_retry_interval": "P1D",
        "contact_task_due": "P2D",
    }
    assert decide("policy_timing") == expected
    assert decide("policy_timing", risk_tier="high", phase="monitoring") == expected


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_score_phq9(total: int, band: str) -> None:
    assert decide("score_phq9", phq9_total=total) == {"phq9_band": band}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_score_gad7(total: int, band: str) -> None:
    assert decide("score_gad7", gad7_total=total) == {"gad7_band": band}


@pytest.mark.parametrize(
    ("client", "total", "positive"),
    [
        ({"sex": "male"}, 0, False),
        ({"sex": "male"}, 3, False),
        ({"sex": "male"}, 4, True),
        ({"sex": "male"}, 12, True),
        ({"sex": "female"}, 2, False),
        ({"sex": "female"}, 3, True),
        ({"sex": "other"}, 2, False),
        ({"sex": "other"}, 3, True),
        ({"sex": "unknown"}, 3, True),
        ({}, 2, False),  # sex not recorded: treated as unknown
        ({}, 3, True),
    ],
)
def test_score_auditc(client: dict[str, str], total: int, positive: bool) -> None:
    out = decide("score_auditc", client=client, auditc_total=total)
    assert out == {"auditc_positive": positive}


RISK_BASE = {
    "phq9_item9": 0,
    "phq9_total": 0,
    "gad7_total": 0,
    "ahc_safety_positive": False,
    "ahc_positive_count": 0,
    "recent_admission": False,
}
RISK_CASES = [  # one case per rule, in FIRST order; each also matches every later rule it can
    ("Rule_item9_high", {"phq9_item9": 1, "phq9_total": 3, "ahc_positive_count": 2}, "high"),
    ("Rule_phq9_high", {"phq9_total": 15, "gad7_total": 12}, "high"),
    ("Rule_safety_high", {"ahc_safety_positive": True, "phq9_total": 14}, "high"),
    ("Rule_admission_high", {"recent_admission": True, "ahc_positive_count": 3}, "high"),
    ("Rule_social_moderate", {"ahc_positive_count": 2, "phq9_total": 10}, "moderate"),
    ("Rule_phq9_moderate", {"phq9_total": 10, "gad7_total": 10}, "moderate"),
    ("Rule_gad7_moderate", {"gad7_total": 10, "phq9_total": 9}, "moderate"),
    ("Rule_low", {"phq9_total": 9, "gad7_total": 9, "ahc_positive_count": 1}, "low"),
]


def test_risk_tier_rules_are_in_first_order() -> None:
    assert rule_ids("risk_tier_policy") == [rule for rule, _, _ in RISK_CASES]
    root: Any = etree.parse(str(PROCESSES / "risk_tier_policy.dmn")).getroot()
    assert next(root.iter("{*}decisionTable")).get("hitPolicy") == "FIRST"


@pytest.mark.parametrize(("rule", "inputs", "tier"), RISK_CASES, ids=[c[0] for c in RISK_CASES])
def test_risk_tier_policy(rule: str, inputs: dict[str, Any], tier: str) -> None:
    out = decide("risk_tier_policy", **{**RISK_BASE, **inputs})
    assert out == {"risk_tier_computed": tier}


@pytest.mark.parametrize(
    ("inputs", "tier"),
    [
        ({"phq9_total": 14}, "moderate"),
        ({"ahc_positive_count": 1}, "low"),
        ({"gad7_total": 9}, "low"),
        ({"phq9_item9": 3, "phq9_total": 27}, "high"),
    ],
)
def test_risk_tier_boundaries(inputs: dict[str, Any], tier: str) -> None:
    assert decide("risk_tier_policy", **{**RISK_BASE, **inputs}) == {"risk_tier_computed": tier}


# -- cc_intake -----------------------------------------------------------------------------


def test_intake_not_eligible() -> None:
    d = Driver("cc_intake", phase_data())
    task = d.task("intake_screening")
    assert (task.lane, task.form_id) == ("intake", "cc_intake_screening")
    assert (task.data["phase"], task.data["case_status"]) == ("intake", "planned")
    d.complete(
        "intake_screening",
        {"eligibility": {"age_18_plus": True, "in_service_area": False, "has_care_need": True}},
    )
    assert d.done
    data = d.data
    assert (data["intake_outcome"], data["case_status"], data["phase"]) == (
        "ineligible",
        "cancelled",
        "closed",
    )
    assert data["eligible"] is False


def test_intake_eligible_supervisor_assigns() -> None:
    d = Driver("cc_intake", phase_data("routine"), manager="cleo")
    d.complete("intake_screening", ELIGIBLE)
    assert d.task("consent").lane == "intake"
    d.complete("consent", CONSENT)
    task = d.task("assign_case_manager")
    assert (task.lane, task.form_id) == ("supervisor", "cc_assign_case_manager")
    assert task.data["assignment_mode"] == "supervisor"
    assert task.data["first_contact_due"] == "P14D"
    assert task.data["case_status"] == "planned"
    d.complete("assign_case_manager", {"case_manager": "carl", "assignment_note": "near"})
    assert d.ready() == ["first_contact"]
    task = d.task("first_contact")
    assert (task.lane, task.form_id, task.assignee) == ("case_manager", "cc_first_contact", "carl")
    assert task.due_at == T0 + timedelta(days=14)
    assert (task.data["case_status"], task.data["intake_outcome"]) == ("active", "eligible")
    assert task.data["consents"] == CONSENT["consents"]
    assert d.timers() == [("first_contact_deadline", T0 + timedelta(days=14))]
    d.complete("first_contact", REACHED)
    assert d.done
    data = d.data
    assert (data["case_manager"], data["case_status"], data["phase"]) == (
        "carl",
        "active",
        "intake",
    )


def test_intake_immediate_assigns_lowest_caseload() -> None:
    d = Driver("cc_intake", phase_data("immediate"), manager="cleo")
    d.complete("intake_screening", ELIGIBLE)
    d.complete("consent", CONSENT)
    assert d.ready() == ["first_contact"]  # no supervisor assignment
    task = d.task("first_contact")
    assert task.assignee == "cleo"
    assert task.due_at == T0 + timedelta(hours=24)
    assert (task.data["assignment_mode"], task.data["case_manager"]) == ("auto", "cleo")
    assert task.data["case_status"] == "active"


def test_intake_immediate_nobody_available_goes_to_supervisor() -> None:
    d = Driver("cc_intake", phase_data("immediate"), manager=None)
    d.complete("intake_screening", ELIGIBLE)
    d.complete("consent", CONSENT)
    assert d.ready() == ["assign_case_manager"]
    assert d.task("assign_case_manager").data["case_status"] == "planned"
    d.complete("assign_case_manager", {"case_manager": "cara"})
    task = d.task("first_contact")
    assert (task.assignee, task.due_at) == ("cara", T0 + timedelta(hours=24))


def test_intake_first_contact_deadline_missed() -> None:
    d = Driver("cc_intake", phase_data("expedited"))
    d.complete("intake_screening", ELIGIBLE)
    d.complete("consent", CONSENT)
    d.complete("assign_case_manager", {"case_manager": "carl"})
    d.advance(days=5)  # exactly at the deadline: nothing yet
    assert d.ready() == ["first_contact"]
    d.advance(seconds=1)
    assert d.ready() == ["first_contact", "first_contact_overdue"]
    review = d.task("first_contact_overdue")
    assert (review.lane, review.form_id, review.assignee) == (
        "supervisor",
        "cc_overdue_review",
        None,
    )
    d.complete("first_contact_overdue", {"acknowledged": True, "supervisor_note": "call today"})
    assert d.ready() == ["first_contact"]
    d.complete("first_contact", REACHED)
    assert d.done


def test_intake_not_reached_retries_after_interval() -> None:
    d = Driver("cc_intake", phase_data("routine"))
    d.complete("intake_screening", ELIGIBLE)
    d.complete("consent", CONSENT)
    d.complete("assign_case_manager", {"case_manager": "carl"})
    d.complete("first_contact", NOT_REACHED)
    assert d.ready() == []
    assert d.timers() == [("first_contact_retry", T0 + timedelta(days=1))]
    d.advance(days=1)
    assert d.ready() == []
    d.advance(seconds=1)
    assert d.ready() == ["first_contact"]
    assert d.task("first_contact").assignee == "carl"
    d.complete("first_contact", REACHED)
    assert d.done
    assert d.data["reached"] is True


# -- cc_assessment --------------------------------------------------------------------------


def start_assessment(**extra: Any) -> Driver:
    d = Driver("cc_assessment", phase_data(case_manager="cara", **extra))
    task = d.task("psychosocial_assessment")
    assert (task.lane, task.form_id, task.assignee) == ("case_manager", "cc_psychosocial", "cara")
    assert task.data["phase"] == "assessment"
    d.complete("psychosocial_assessment", PSYCHOSOCIAL)
    return d


def test_assessment_item9_starts_safety_tasks_at_once() -> None:
    d = start_assessment()
    d.complete(
        "instruments",
        instruments([1, 1, 1, 1, 1, 1, 0, 0, 1], [2, 2, 1, 1, 1, 1, 1], [2, 1, 0]),
    )
    assert d.ready() == ["risk_review", "safety_alert_review", "safety_followup"]
    followup = d.task("safety_followup")
    assert (followup.lane, followup.form_id, followup.assignee) == (
        "case_manager",
        "cc_safety_followup",
        "cara",
    )
    assert followup.due_at == T0 + timedelta(hours=4)
    alert = d.task("safety_alert_review")
    assert (alert.lane, alert.form_id, alert.assignee) == ("supervisor", "cc_safety_alert", None)
    review = d.task("risk_review")
    assert review.data["risk_tier_computed"] == "high"
    d.complete(
        "safety_followup",
        {
            "safety_plan_made": True,
            "safety_risk_level": "moderate",
            "safety_actions": "safety plan written with the client",
            "crisis_services_contacted": False,
        },
    )
    d.complete("safety_alert_review", {"acknowledged": True})
    assert d.ready() == ["risk_review"]
    d.complete("risk_review", {"override": False})
    assert d.done
    data = d.data
    scores = {
        "phq9": {"total": 7, "band": "mild", "item9": 1},
        "gad7": {"total": 9, "band": "mild"},
        "auditc": {"total": 3, "positive": True},  # female: 3 is positive
        "ahc": {"positive_domains": [], "safety_score": 4, "safety_positive": False},
        "readiness": {"importance": 8, "confidence": 5, "readiness": 6, "stage": "preparation"},
    }
    assert data["scores"] == scores
    assert data["baseline_scores"] == scores
    assert (data["risk_tier"], data["risk_tier_computed"]) == ("high", "high")
    assert data["risk_override_reason"] is None
    assert data["safety_plan_made"] is True and data["acknowledged"] is True


def test_assessment_override_and_social_needs() -> None:
    d = start_assessment()
    d.complete(
        "instruments",
        instruments(
            [0, 0, 0, 1, 0, 0, 0, 0, 0],
            [0, 1, 0, 0, 0, 0, 0],
            [0, 0, 0],
            living_situation="no_steady_place",
            food_worry="often",
        ),
    )
    assert d.ready() == ["risk_review"]  # no self-harm thoughts: no safety tasks
    assert d.task("risk_review").data["risk_tier_computed"] == "moderate"  # 2 social needs
    d.complete(
        "risk_review",
        {
            "risk_tier_computed": "moderate",
            "override": True,
            "override_tier": "high",
            "override_reason": "eviction notice this week",
        },
    )
    assert d.done
    data = d.data
    assert (data["risk_tier"], data["risk_tier_computed"]) == ("high", "moderate")
    assert data["risk_override_reason"] == "eviction notice this week"
    assert data["scores"]["ahc"]["positive_domains"] == ["housing_instability", "food"]
    assert data["scores"]["auditc"] == {"total": 0, "positive": False}


def test_reassessment_keeps_the_baseline() -> None:
    baseline = {
        "phq9": {"total": 20, "band": "severe", "item9": 0},
        "gad7": {"total": 15, "band": "severe"},
        "auditc": {"total": 1, "positive": False},
        "ahc": {"positive_domains": ["food"], "safety_score": 4, "safety_positive": False},
        "readiness": {"importance": 3, "confidence": 3, "readiness": 3, "stage": "contemplation"},
    }
    d = start_assessment(baseline_scores=copy.deepcopy(baseline), risk_tier="high")
    d.complete("instruments", instruments([0] * 9, [0] * 7, [0, 0, 0]))
    d.complete("risk_review", {"override": False})
    data = d.data
    assert data["baseline_scores"] == baseline
    assert data["scores"]["phq9"] == {"total": 0, "band": "minimal", "item9": 0}
    assert (data["risk_tier"], data["risk_override_reason"]) == ("low", None)


# -- cc_planning ----------------------------------------------------------------------------


def test_planning_return_then_approve() -> None:
    d = Driver("cc_planning", phase_data(case_manager="cara", risk_tier="moderate"))
    task = d.task("service_plan")
    assert (task.lane, task.form_id, task.assignee) == ("case_manager", "cc_service_plan", "cara")
    assert task.data["phase"] == "planning"
    d.complete("service_plan", SERVICE_PLAN)
    assert d.task("client_decision").assignee == "cara"
    d.complete("client_decision", CLIENT_DECISION)
    approval = d.task("plan_approval")
    assert (approval.lane, approval.form_id, approval.assignee) == (
        "supervisor",
        "cc_plan_approval",
        None,
    )
    d.complete("plan_approval", {"plan_decision": "return", "plan_comments": "add a housing goal"})
    assert d.ready() == ["service_plan"]
    again = d.task("service_plan")
    assert again.data["plan_comments"] == "add a housing goal"
    assert again.data["plan"] is None
    revised: dict[str, Any] = copy.deepcopy(SERVICE_PLAN)
    revised["goals"].append(
        {
            "id": "g2",
            "description": "stable housing",
            "target_date": "2026-06-30",
            "measure": "tenancy signed",
        }
    )
    d.complete("service_plan", revised)
    d.complete("client_decision", CLIENT_DECISION)
    d.advance(days=2)  # the supervisor approves two days later
    d.complete("plan_approval", {"plan_decision": "approve"})
    assert d.done
    data = d.data
    assert data["plan"] == {
        "status": "active",
        "approved_at": (T0 + timedelta(days=2)).isoformat(),
        "review_due": "2026-04-07",  # 2026-01-07 + P90D (moderate risk)
        "problems": ["social isolation"],
        "goals": revised["goals"],
        "interventions": SERVICE_PLAN["interventions"],
        "referrals": [],
        "physician_review": False,
    }
    assert data["plan_comments"] is None


def test_planning_high_risk_reviews_sooner() -> None:
    d = Driver("cc_planning", phase_data(case_manager="cara", risk_tier="high"))
    d.complete("service_plan", SERVICE_PLAN)
    d.complete("client_decision", CLIENT_DECISION)
    d.complete("plan_approval", {"plan_decision": "approve"})
    assert d.data["plan"]["review_due"] == "2026-02-04"  # 2026-01-05 + P30D


# -- care_cycle -----------------------------------------------------------------------------


def run_to_planning_done(d: Driver) -> None:
    """Intake (supervisor assignment) -> assessment -> planning, with checks on the way."""
    assert d.task("intake_screening").data["phase"] == "intake"
    d.complete("intake_screening", ELIGIBLE)
    d.complete("consent", CONSENT)
    d.complete("assign_case_manager", {"case_manager": "carl"})
    d.complete("first_contact", REACHED)
    task = d.task("psychosocial_assessment")
    assert (task.data["phase"], task.data["case_status"], task.assignee) == (
        "assessment",
        "active",
        "carl",
    )
    d.complete("psychosocial_assessment", PSYCHOSOCIAL)
    d.complete("instruments", instruments([1] * 9, [1] * 7, [0, 0, 0]))
    task = d.task("risk_review")
    assert task.data["risk_tier_computed"] == "high"
    d.complete("safety_followup", {**ELIGIBLE_SAFETY})
    d.complete("safety_alert_review", {"acknowledged": True})
    d.complete("risk_review", {"override": False})
    task = d.task("service_plan")
    assert (task.data["phase"], task.data["risk_tier"]) == ("planning", "high")
    d.complete("service_plan", SERVICE_PLAN)
    d.complete("client_decision", CLIENT_DECISION)
    d.complete("plan_approval", {"plan_decision": "approve"})


ELIGIBLE_SAFETY = {
    "safety_plan_made": True,
    "safety_risk_level": "low",
    "safety_actions": "talked it through",
}


def test_care_cycle_not_eligible_ends_the_case() -> None:
    d = Driver("care_cycle", case_data())
    d.complete(
        "intake_screening",
        {"eligibility": {"age_18_plus": False, "in_service_area": True, "has_care_need": True}},
    )
    assert d.done
    data = d.data
    assert (data["phase"], data["case_status"], data["intake_outcome"]) == (
        "closed",
        "cancelled",
        "ineligible",
    )
    assert data["plan"] is None


def test_care_cycle_intake_assessment_planning() -> None:
    d = Driver("care_cycle", case_data())
    run_to_planning_done(d)
    data = d.data
    assert not d.done
    assert data["phase"] in ("implementation", "monitoring")
    assert data["plan"]["status"] == "active"
    assert data["plan"]["review_due"] == "2026-02-04"  # high risk: P30D
    assert data["case_manager"] == "carl"
    assert data["baseline_scores"] == data["scores"]
    assert data["scores"]["phq9"] == {"total": 9, "band": "mild", "item9": 1}


@pytest.mark.parametrize("message", ["hospital_admission", "crisis_reported"])
def test_care_cycle_message_during_monitoring_reassesses(message: str) -> None:
    d = Driver("care_cycle", case_data())
    run_to_planning_done(d)
    # no referrals and no physician review: implementation finishes at once
    assert (d.data["phase"], d.ready()) == ("monitoring", [])
    first_scores = d.data["scores"]
    d.message(message, {"reported_by": "hospital", "date": "2026-01-20"})
    task = d.task("psychosocial_assessment")
    assert task.data["phase"] == "assessment"
    assert task.data["reassessment_reason"] == message
    assert task.data[message] == {"reported_by": "hospital", "date": "2026-01-20"}
    d.complete("psychosocial_assessment", {**PSYCHOSOCIAL, "recent_admission": True})
    d.complete("instruments", instruments([0] * 9, [0] * 7, [0, 0, 0]))
    d.complete("risk_review", {"override": False})
    data = d.task("service_plan").data
    assert data["risk_tier"] == "high"  # the recent admission
    assert data["baseline_scores"] == first_scores
    assert data["scores"]["phq9"]["total"] == 0
