"""A case manager's day in a real browser: claim, a form error beside its field, the next
task, and a PHQ-9 whose computed score and band show on the case page."""

from __future__ import annotations

from typing import Any

from engine import Actor, Engine
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import CASE_MANAGER, INTAKE, PASSWORD, SUPERVISOR

CARA = CASE_MANAGER
CLIENT = {
    "name": "Ana Silva",
    "birth_date": "1984-03-02",
    "sex": "female",
    "language": "pt",
    "phone": "+1 555 0100",
}
REFERRAL = {"source": "physician", "reason": "low mood after a bereavement", "urgency": "routine"}
ELIGIBLE = {"eligibility": {"age_18_plus": True, "in_service_area": True, "has_care_need": True}}
CONSENT = {"consents": [], "client_signed": True, "consent_date": "2026-01-05"}
PSYCHOSOCIAL = {
    "living_situation": "rents a flat alone",
    "support_network": "a sister nearby",
    "strengths": "motivated",
    "concerns": "isolation",
    "readiness": {"importance": 8, "confidence": 5, "readiness": 6},
    "stage_of_change": "preparation",
    "recent_admission": False,
}


def _work(engine: Engine, actor: Actor, element_id: str, data: dict[str, Any]) -> None:
    [task] = [
        t
        for t in engine.tasks.list(actor, scope="all" if actor.has("supervisor") else "mine")
        + engine.tasks.list(actor, scope="team")
        if t.element_id == element_id
    ][:1]
    engine.tasks.complete(task.id, data, actor)


def _case_at_first_contact(engine: Engine) -> int:
    case = engine.cases.open(CLIENT, REFERRAL, INTAKE)
    _work(engine, INTAKE, "intake_screening", ELIGIBLE)
    _work(engine, INTAKE, "consent", CONSENT)
    _work(engine, SUPERVISOR, "assign_case_manager", {"case_manager": CARA.username})
    [task] = engine.tasks.list(CARA, scope="mine")
    engine.tasks.unclaim(task.id, CARA)  # back in the team queue: cara claims it in the browser
    return case.id


def _sign_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _check(page: Any, name: str, value: str) -> None:
    page.check(f'input[name="{name}"][value="{value}"]')


def test_claim_fix_a_form_error_and_see_the_next_task(care: Engine, server: str, page: Any) -> None:
    _case_at_first_contact(care)
    _sign_in(page, server, "cara")
    page.goto(f"{server}/?scope=team")
    page.get_by_role("button", name="Claim").first.click()
    page.goto(f"{server}/")
    page.get_by_role("link", name="First contact").click()
    _check(page, "reached", "true")
    page.get_by_label("Date of the contact attempt").fill("2026-01-06")
    page.get_by_role("button", name="Complete task").click()  # the method is missing
    method = page.locator("#f-contact_method")
    assert method.get_attribute("aria-invalid") == "true" or "error" in (
        method.get_attribute("class") or ""
    )
    assert "This field is required." in method.inner_text()
    assert page.get_by_label("Date of the contact attempt").input_value() == "2026-01-06"
    page.screenshot(path=str(SCREENSHOTS / "task-form-error.png"), full_page=True)
    _check(page, "contact_method", "phone")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url(f"{server}/")
    assert page.get_by_role("link", name="Psychosocial assessment").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "inbox-case-manager.png"), full_page=True)


def test_a_phq9_shows_its_computed_score_and_band_on_the_case_page(
    care: Engine, server: str, page: Any
) -> None:
    case_id = _case_at_first_contact(care)
    [task] = care.tasks.list(CARA, scope="team")
    care.tasks.claim(task.id, CARA)
    care.tasks.complete(
        task.id, {"reached": True, "contact_date": "2026-01-06", "contact_method": "phone"}, CARA
    )
    _work(care, CARA, "psychosocial_assessment", PSYCHOSOCIAL)
    _sign_in(page, server, "cara")
    page.get_by_role("link", name="Instruments").click()
    for item, answer in zip(range(1, 10), "221211110", strict=True):  # PHQ-9 total 11
        _check(page, f"phq9-q{item}", answer)
    for item in range(1, 8):
        _check(page, f"gad7-q{item}", "1")
    for item in range(1, 4):
        _check(page, f"auditc-q{item}", "0")
    for name, value in (
        ("ahc-living_situation", "steady"),
        ("ahc-housing_problems", "none"),
        ("ahc-food_worry", "never"),
        ("ahc-food_ran_out", "never"),
        ("ahc-transportation", "false"),
        ("ahc-utilities", "no"),
    ):
        _check(page, name, value)
    for item in ("physically_hurt", "insult", "threaten", "scream_curse"):
        _check(page, f"ahc-safety-{item}", "1")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/cases/{case_id}")
    scores = page.locator("body").inner_text()
    assert "PHQ-9" in scores and "11" in scores and "moderate" in scores.lower()
    assert page.locator("svg").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "case-page.png"), full_page=True)
