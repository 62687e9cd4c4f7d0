"""The care cycle's forms (forms/cc_*.schema.json): they load, accept and refuse what they should.

Each user task's form submits exactly its own top-level keys (the care-cycle design), which the
engine merges into the process data; read-only context fields are optional.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from engine.forms import Form, check_form, load_forms, validate_submission

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
REQUIRED = "This field is required."
NOT_ALLOWED = "This field is not allowed."

FORM_IDS = (
    "cc_intake_screening",
    "cc_consent",
    "cc_assign_case_manager",
    "cc_first_contact",
    "cc_overdue_review",
    "cc_psychosocial",
    "cc_instruments",
    "cc_risk_review",
    "cc_safety_followup",
    "cc_safety_alert",
    "cc_service_plan",
    "cc_client_decision",
    "cc_plan_approval",
    "cc_referral_override",
    "cc_referral_followup",
    "cc_physician_review",
    "cc_monitoring_contact",
    "cc_evaluation",
    "cc_closure_summary",
    "cc_closure_approval",
    "cc_post_closure_checkin",
)

PHQ9 = {f"q{n}": 1 for n in range(1, 10)} | {"q9": 0}
GAD7 = {f"q{n}": 2 for n in range(1, 8)}
GOAL = {
    "id": "G1",
    "description": "Keep the apartment",
    "target_date": "2026-06-30",
    "measure": "Rent paid on time 3 months in a row",
}

VALID: dict[str, dict[str, Any]] = {
    "cc_intake_screening": {
        "eligibility": {"age_18_plus": True, "in_service_area": True, "has_care_need": False},
        "screening_notes": "Lives just outside the county line.",
    },
    "cc_consent": {
        "consents": [
            {
                "recipient": "City Housing Office",
                "recipient_type": "government",
                "purposes": ["referral", "care_coordination"],
                "valid_until": "2027-01-31",
            },
            {
                "recipient": "Any health provider",
                "recipient_type": "any",
                "purposes": ["information_sharing"],
                "valid_until": "2026-12-31",
            },
        ],
        "client_signed": True,
        "consent_date": "2026-01-15",
    },
    "cc_assign_case_manager": {"case_manager": "cara", "assignment_note": "Speaks Spanish."},
    "cc_first_contact": {
        "reached": False,
        "contact_date": "2026-01-16",
        "contact_method": "phone",
        "contact_notes": "Voicemail left.",
    },
    "cc_overdue_review": {"acknowledged": True, "supervisor_note": "Reassigning."},
    "cc_psychosocial": {
        "living_situation": "Rents a room",
        "support_network": "A sister nearby",
        "strengths": "Motivated",
        "concerns": "Debt",
        "readiness": {"importance": 8, "confidence": 0, "readiness": 10},
        "stage_of_change": "preparation",
        "recent_admission": False,
    },
    "cc_instruments": {
        "phq9": PHQ9,
        "gad7": GAD7,
        "auditc": {"q1": 4, "q2": 0, "q3": 1},
        "ahc": {
            "living_situation": "steady_but_worried",
            "housing_problems": ["mold", "water_leaks"],
            "food_worry": "sometimes",
            "food_ran_out": "never",
            "transportation": True,
            "utilities": "already_shut_off",
            "safety": {"physically_hurt": 1, "insult": 5, "threaten": 2, "scream_curse": 3},
        },
    },
    "cc_risk_review": {"risk_tier_computed": "moderate", "override": False},
    "cc_safety_followup": {
        "phq9_item9": 2,
        "safety_plan_made": True,
        "safety_risk_level": "moderate",
        "safety_actions": "Safety plan agreed; sister informed; call tomorrow.",
        "crisis_services_contacted": False,
    },
    "cc_safety_alert": {"phq9_item9": 1, "acknowledged": True},
    "cc_service_plan": {
        "plan_comments": None,
        "problems": ["Housing at risk", "Low mood"],
        "goals": [GOAL],
        "interventions": [
            {"who": "cara", "what": "Budget coaching", "frequency": "weekly", "estimated_cost": 0},
            {"who": "Food bank", "what": "Food parcels", "frequency": "monthly"},
        ],
        "referrals": [
            {
                "id": "R1",
                "agency": "City Housing Office",
                "agency_type": "government",
                "purpose": "Rent arrears support",
            }
        ],
        "physician_review": True,
    },
    "cc_client_decision": {
        "options_discussed": "Housing office, debt advice, counselling",
        "client_choice": "I want to sort the rent first.",
        "client_agrees": True,
    },
    "cc_plan_approval": {"plan_decision": "approve", "plan_comments": None},
    "cc_referral_override": {"override": False, "override_reason": None},
    "cc_referral_followup": {"followup_notes": "Called; answer due Friday.", "still_waiting": True},
    "cc_physician_review": {"plan_reviewed": True, "recommendations": "Review medication."},
    "cc_monitoring_contact": {
        "goals": [GOAL],
        "reached": True,
        "contact_date": "2026-03-01",
        "contact_method": "visit",
        "goal_updates": [
            {"goal_id": "G1", "achievement": "improving", "note": "Two months paid."},
            {"goal_id": "G2", "achievement": "no-change"},
        ],
        "contact_notes": "Going well.",
        "satisfaction": 4,
        "ready_for_evaluation": False,
    },
    "cc_evaluation": {
        "goals": [GOAL],
        "goal_attainment": [{"goal_id": "G1", "achievement": "achieved"}],
        "phq9": PHQ9,
        "gad7": GAD7,
        "satisfaction": 5,
        "evaluation_decision": "close",
        "closure_reason_suggested": "goals_met",
    },
    "cc_closure_summary": {
        "closure_comments": None,
        "closure_reason_suggested": "unable_to_contact",
        "closure_reason": "unable_to_contact",
        "transition_plan": "Letter sent with the helpline number.",
    },
    "cc_closure_approval": {
        "closure_reason": "goals_met",
        "transition_plan": "GP follows up.",
        "closure_decision": "approve",
    },
    "cc_post_closure_checkin": {
        "reached": True,
        "doing_well": True,
        "needs_new_referral": False,
        "checkin_notes": "Still housed.",
    },
}


@pytest.fixture(scope="module")
def care_forms() -> dict[str, Form]:
    return load_forms(FORMS_DIR)


def valid(form_id: str) -> dict[str, Any]:
    return copy.deepcopy(VALID[form_id])


def errors(forms: dict[str, Form], form_id: str, data: dict[str, Any]) -> dict[str, str]:
    return validate_submission(forms[form_id], data)


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set a dotted path ("goals.0.target_date") in data; return data."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def drop_path(data: dict[str, Any], path: str) -> dict[str, Any]:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[last]
    return data


def consts(prop: dict[str, Any]) -> set[Any]:
    return {choice["const"] for choice in prop["oneOf"]}


def top_level_required() -> list[tuple[str, str]]:
    forms = load_forms(FORMS_DIR)
    return [(form_id, name) for form_id in FORM_IDS for name in forms[form_id].schema["required"]]


# --- definitions ---------------------------------------------------------------------------------


def test_every_care_form_loads_and_passes_check_form(care_forms: dict[str, Form]) -> None:
    assert set(FORM_IDS) <= set(care_forms)
    assert {f for f in care_forms if f.startswith("cc_")} == set(FORM_IDS)
    assert {form_id: check_form(care_forms[form_id]) for form_id in FORM_IDS} == {
        form_id: [] for form_id in FORM_IDS
    }


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form_follows_the_house_style(care_forms: dict[str, Form], form_id: str) -> None:
    schema, ui = care_forms[form_id].schema, care_forms[form_id].ui_schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{form_id}.schema.json"
    assert schema["title"] and schema["description"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert all(prop.get("title") for prop in schema["properties"].values())
    assert ui["ui:order"] == list(schema["properties"])


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_read_only_context_fields_are_optional_and_shown_read_only(
    care_forms: dict[str, Form], form_id: str
) -> None:
    schema, ui = care_forms[form_id].schema, care_forms[form_id].ui_schema
    for name, prop in schema["properties"].items():
        if prop.get("readOnly"):
            assert name not in schema["required"]
            assert ui[name]["ui:readonly"] is True


def test_risk_review_shows_the_computed_tier_read_only(care_forms: dict[str, Form]) -> None:
    prop = care_forms["cc_risk_review"].schema["properties"]["risk_tier_computed"]
    assert prop["readOnly"] is True
    assert consts(prop) == {"low", "moderate", "high"}


def test_enums_are_the_designed_values(care_forms: dict[str, Form]) -> None:
    def prop(form_id: str, *path: str) -> dict[str, Any]:
        node = care_forms[form_id].schema
        for part in path:
            node = node["items"] if part == "[]" else node["properties"][part]
        return node

    achievement = {
        "in-progress",
        "improving",
        "worsening",
        "no-change",
        "achieved",
        "sustaining",
        "not-achieved",
        "no-progress",
        "not-attainable",
    }
    reasons = {"goals_met", "client_declined", "moved", "transferred", "deceased", "other"}
    methods = {"phone", "visit", "video", "letter"}
    assert consts(prop("cc_first_contact", "contact_method")) == methods
    assert consts(prop("cc_monitoring_contact", "contact_method")) == methods
    assert consts(prop("cc_monitoring_contact", "goal_updates", "[]", "achievement")) == (
        achievement
    )
    assert consts(prop("cc_evaluation", "goal_attainment", "[]", "achievement")) == achievement
    assert consts(prop("cc_evaluation", "closure_reason_suggested")) == reasons | {None}
    assert consts(prop("cc_closure_summary", "closure_reason")) == reasons | {"unable_to_contact"}
    assert consts(prop("cc_psychosocial", "stage_of_change")) == {
        "precontemplation",
        "contemplation",
        "preparation",
        "action",
        "maintenance",
    }
    assert consts(prop("cc_safety_followup", "safety_risk_level")) == {
        "low",
        "moderate",
        "high",
        "imminent",
    }
    assert consts(prop("cc_service_plan", "referrals", "[]", "agency_type")) == {
        "social_services",
        "health",
        "government",
        "other",
    }
    assert consts(prop("cc_plan_approval", "plan_decision")) == {"approve", "return"}
    assert consts(prop("cc_closure_approval", "closure_decision")) == {"approve", "return"}
    assert consts(prop("cc_evaluation", "evaluation_decision")) == {"continue", "close"}
    ahc = ("cc_instruments", "ahc")
    assert consts(prop(*ahc, "living_situation")) == {
        "steady",
        "steady_but_worried",
        "no_steady_place",
    }
    assert consts(prop(*ahc, "housing_problems", "[]")) == {
        "pests",
        "mold",
        "lead",
        "heat",
        "oven",
        "smoke_detectors",
        "water_leaks",
        "none",
    }
    assert consts(prop(*ahc, "food_worry")) == {"never", "sometimes", "often"}
    assert consts(prop(*ahc, "food_ran_out")) == {"never", "sometimes", "often"}
    assert consts(prop(*ahc, "utilities")) == {"no", "yes", "already_shut_off"}
    assert consts(prop(*ahc, "safety", "insult")) == {1, 2, 3, 4, 5}


def test_instrument_answers_carry_labels(care_forms: dict[str, Form]) -> None:
    instruments = care_forms["cc_instruments"].schema["properties"]
    phq9_q1 = instruments["phq9"]["properties"]["q1"]
    assert [(c["const"], c["title"]) for c in phq9_q1["oneOf"]] == [
        (0, "Not at all"),
        (1, "Several days"),
        (2, "More than half the days"),
        (3, "Nearly every day"),
    ]
    assert consts(instruments["auditc"]["properties"]["q3"]) == {0, 1, 2, 3, 4}
    safety = instruments["ahc"]["properties"]["safety"]["properties"]["threaten"]
    assert [c["title"] for c in safety["oneOf"]] == [
        "Never",
        "Rarely",
        "Sometimes",
        "Fairly often",
        "Frequently",
    ]
    assert "same-day safety follow-up" in instruments["phq9"]["properties"]["q9"]["description"]


# --- valid and missing ---------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_a_valid_submission_passes(care_forms: dict[str, Form], form_id: str) -> None:
    assert errors(care_forms, form_id, valid(form_id)) == {}


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_keys_of_other_forms_or_process_data_are_refused(
    care_forms: dict[str, Form], form_id: str
) -> None:
    data = valid(form_id) | {"case_id": 7, "phase": "planning"}
    assert errors(care_forms, form_id, data) == {"case_id": NOT_ALLOWED, "phase": NOT_ALLOWED}


@pytest.mark.parametrize(("form_id", "field"), top_level_required())
def test_a_missing_required_field_is_reported_at_that_field(
    care_forms: dict[str, Form], form_id: str, field: str
) -> None:
    data = valid(form_id)
    data.pop(field, None)
    assert errors(care_forms, form_id, data) == {field: REQUIRED}


@pytest.mark.parametrize(
    ("form_id", "path"),
    [
        ("cc_intake_screening", "eligibility.in_service_area"),
        ("cc_psychosocial", "readiness.confidence"),
        ("cc_instruments", "phq9.q9"),
        ("cc_instruments", "gad7.q4"),
        ("cc_instruments", "auditc.q2"),
        ("cc_instruments", "ahc.food_ran_out"),
        ("cc_instruments", "ahc.safety.threaten"),
        ("cc_consent", "consents.1.purposes"),
        ("cc_consent", "consents.0.valid_until"),
        ("cc_service_plan", "goals.0.target_date"),
        ("cc_service_plan", "goals.0.id"),
        ("cc_service_plan", "interventions.1.frequency"),
        ("cc_service_plan", "referrals.0.agency_type"),
        ("cc_monitoring_contact", "goal_updates.1.achievement"),
        ("cc_evaluation", "goal_attainment.0.goal_id"),
        ("cc_evaluation", "phq9.q1"),
    ],
)
def test_a_missing_nested_field_is_reported_at_its_path(
    care_forms: dict[str, Form], form_id: str, path: str
) -> None:
    data = drop_path(valid(form_id), path)
    assert errors(care_forms, form_id, data) == {path: REQUIRED}


@pytest.mark.parametrize(
    ("form_id", "path"),
    [
        ("cc_service_plan", "goals"),
        ("cc_service_plan", "problems"),
        ("cc_consent", "consents.0.purposes"),
        ("cc_instruments", "ahc.housing_problems"),
    ],
)
def test_lists_that_need_an_item_refuse_an_empty_list(
    care_forms: dict[str, Form], form_id: str, path: str
) -> None:
    data = set_path(valid(form_id), path, [])
    assert errors(care_forms, form_id, data) == {path: "Add at least one item."}


def test_optional_lists_may_be_empty(care_forms: dict[str, Form]) -> None:
    plan = valid("cc_service_plan") | {"interventions": [], "referrals": []}
    assert errors(care_forms, "cc_service_plan", plan) == {}
    consent = valid("cc_consent") | {"consents": []}
    assert errors(care_forms, "cc_consent", consent) == {}


# --- conditional requirements --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_id", "changes", "dropped", "expected"),
    [
        (
            "cc_risk_review",
            {"override": True},
            [],
            {"override_tier": REQUIRED, "override_reason": REQUIRED},
        ),
        (
            "cc_risk_review",
            {"override": True, "override_tier": "high", "override_reason": ""},
            [],
            {"override_reason": "Must not be empty."},
        ),
        # a prefilled null is fine until the rule needs text
        ("cc_plan_approval", {"plan_decision": "return"}, [], {"plan_comments": "Must be text."}),
        ("cc_referral_override", {"override": True}, [], {"override_reason": "Must be text."}),
        ("cc_closure_summary", {"closure_reason": "other"}, [], {"closure_reason_other": REQUIRED}),
        (
            "cc_closure_approval",
            {"closure_decision": "return", "closure_comments": ""},
            [],
            {"closure_comments": "Must not be empty."},
        ),
        (
            "cc_monitoring_contact",
            {},
            ["goal_updates", "ready_for_evaluation"],
            {"goal_updates": REQUIRED, "ready_for_evaluation": REQUIRED},
        ),
    ],
)
def test_a_conditional_rule_reports_at_the_dependent_field(
    care_forms: dict[str, Form],
    form_id: str,
    changes: dict[str, Any],
    dropped: list[str],
    expected: dict[str, str],
) -> None:
    data = valid(form_id) | changes
    for name in dropped:
        del data[name]
    assert errors(care_forms, form_id, data) == expected


@pytest.mark.parametrize(
    ("form_id", "field", "when_missing"),
    [
        ("cc_plan_approval", "plan_comments", {"plan_decision": "return"}),
        ("cc_referral_override", "override_reason", {"override": True}),
        ("cc_closure_approval", "closure_comments", {"closure_decision": "return"}),
    ],
)
def test_a_dependent_field_left_out_is_required(
    care_forms: dict[str, Form], form_id: str, field: str, when_missing: dict[str, Any]
) -> None:
    data = valid(form_id) | when_missing
    data.pop(field, None)
    assert errors(care_forms, form_id, data) == {field: REQUIRED}


@pytest.mark.parametrize(
    ("form_id", "changes"),
    [
        (
            "cc_risk_review",
            {"override": True, "override_tier": "high", "override_reason": "Lives alone"},
        ),
        ("cc_plan_approval", {"plan_decision": "return", "plan_comments": "Add a date to G1."}),
        ("cc_referral_override", {"override": True, "override_reason": "Emergency shelter"}),
        ("cc_closure_summary", {"closure_reason": "other", "closure_reason_other": "Prison"}),
        ("cc_closure_approval", {"closure_decision": "return", "closure_comments": "Why?"}),
        ("cc_monitoring_contact", {"reached": False}),
    ],
)
def test_a_satisfied_conditional_rule_passes(
    care_forms: dict[str, Form], form_id: str, changes: dict[str, Any]
) -> None:
    data = valid(form_id) | changes
    if changes.get("reached") is False:
        del data["goal_updates"], data["ready_for_evaluation"]
    assert errors(care_forms, form_id, data) == {}


def test_housing_problem_none_stands_alone(care_forms: dict[str, Form]) -> None:
    data = set_path(valid("cc_instruments"), "ahc.housing_problems", ["none"])
    assert errors(care_forms, "cc_instruments", data) == {}
    set_path(data, "ahc.housing_problems", ["none", "mold"])
    assert list(errors(care_forms, "cc_instruments", data)) == ["ahc.housing_problems"]
    set_path(data, "ahc.housing_problems", ["mold", "mold"])
    assert errors(care_forms, "cc_instruments", data) == {
        "ahc.housing_problems": "Must not contain the same item twice."
    }


# --- values out of range -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_id", "path", "value"),
    [
        ("cc_instruments", "phq9.q9", 4),
        ("cc_instruments", "phq9.q1", -1),
        ("cc_instruments", "phq9.q5", "2"),
        ("cc_instruments", "phq9.q2", True),
        ("cc_instruments", "phq9.q3", 1.5),
        ("cc_instruments", "gad7.q7", 4),
        ("cc_instruments", "auditc.q2", 5),
        ("cc_instruments", "ahc.safety.insult", 0),
        ("cc_instruments", "ahc.safety.physically_hurt", 6),
        ("cc_instruments", "ahc.living_situation", "homeless"),
        ("cc_instruments", "ahc.utilities", True),
        ("cc_instruments", "ahc.housing_problems.0", "roof"),
        ("cc_evaluation", "phq9.q9", 4),
        ("cc_evaluation", "gad7.q1", 9),
        ("cc_evaluation", "satisfaction", 6),
        ("cc_evaluation", "closure_reason_suggested", "unable_to_contact"),
        ("cc_psychosocial", "readiness.importance", 11),
        ("cc_psychosocial", "readiness.readiness", -1),
        ("cc_psychosocial", "stage_of_change", "relapse"),
        ("cc_monitoring_contact", "satisfaction", 0),
        ("cc_monitoring_contact", "contact_method", "email"),
        ("cc_monitoring_contact", "goal_updates.0.achievement", "done"),
        ("cc_risk_review", "override_tier", "extreme"),
        ("cc_safety_followup", "safety_risk_level", "none"),
        ("cc_first_contact", "contact_date", "16/01/2026"),
        ("cc_consent", "consents.0.valid_until", "2027-02-30"),
        ("cc_consent", "consents.0.recipient_type", "family"),
        ("cc_service_plan", "goals.0.target_date", "2026-13-01"),
        ("cc_service_plan", "goals.0.id", "goal one"),
        ("cc_service_plan", "interventions.0.estimated_cost", -5),
        ("cc_service_plan", "referrals.0.agency_type", "church"),
        ("cc_intake_screening", "eligibility.age_18_plus", "yes"),
    ],
)
def test_a_bad_value_is_reported_at_its_path(
    care_forms: dict[str, Form], form_id: str, path: str, value: Any
) -> None:
    data = set_path(valid(form_id), path, value)
    assert list(errors(care_forms, form_id, data)) == [path]


def test_messages_name_the_allowed_answers(care_forms: dict[str, Form]) -> None:
    data = set_path(valid("cc_instruments"), "phq9.q9", 4)
    assert errors(care_forms, "cc_instruments", data) == {
        "phq9.q9": "Must be one of: Not at all, Several days, More than half the days, "
        "Nearly every day."
    }
    plan = set_path(valid("cc_service_plan"), "goals.0.target_date", "2026-13-01")
    assert errors(care_forms, "cc_service_plan", plan) == {
        "goals.0.target_date": "Must be a valid date (YYYY-MM-DD)."
    }
    cost = set_path(valid("cc_service_plan"), "interventions.0.estimated_cost", -5)
    assert errors(care_forms, "cc_service_plan", cost) == {
        "interventions.0.estimated_cost": "Must be at least 0."
    }


def test_an_unknown_key_inside_an_instrument_is_refused(care_forms: dict[str, Form]) -> None:
    data = set_path(valid("cc_instruments"), "gad7.q8", 1)
    assert errors(care_forms, "cc_instruments", data) == {"gad7.q8": NOT_ALLOWED}
