"""A supervisor in a real browser: return a plan with comments, approve another, then move a
departing manager's cases; screenshots of both pages land in docs/screenshots/."""

from __future__ import annotations

from typing import Any

from engine import Engine, FrozenClock
from tests.browser.conftest import SCREENSHOTS
from tests.care_story import CARL, SAM, to_plan_approval
from tests.conftest import PASSWORD
from tests.integration.test_caseloads import assigned_case, ready_assignees


def _sign_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_supervisor_decides_plans_and_moves_cases(
    care: Engine, clock: FrozenClock, server: str, page: Any
) -> None:
    returned = to_plan_approval(care, clock)
    approved = to_plan_approval(care, clock, manager=CARL)
    moving = [assigned_case(care, "cara") for _ in range(2)]
    _sign_in(page, server, "sam")
    page.get_by_role("link", name="Approvals").click()
    assert page.locator("#approval-count").inner_text() == "2"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "supervision-approvals.png"), full_page=True)

    first, second = (care.approvals.queue(SAM)[i].task_id for i in (0, 1))
    by_case = {i.task_id: i.case_id for i in care.approvals.queue(SAM)}
    target = first if by_case[first] == returned else second
    other = second if target == first else first
    card = page.locator(f"#approval-{target}")
    card.get_by_role("button", name="Return the service plan of Ada Lovelace").click()
    assert "Say what needs to change" in page.locator(f"#comments-error-{target}").inner_text()
    page.locator(f"#comments-{target}").fill("Add a goal about sleep.")
    page.locator(f"#approval-{target}").get_by_role("button", name="Return").click()
    assert "went back to its case manager" in page.locator(".flash").inner_text()
    page.locator(f"#approval-{other}").get_by_role("button", name="Approve").click()
    assert "is approved" in page.locator(".flash").inner_text()
    assert page.locator("#no-approvals").is_visible()
    assert care.cases.get(approved, SAM).phase == "implementation"
    assert ready_assignees(care, returned) == {"service_plan": "cara"}

    page.get_by_role("link", name="Caseloads").click()
    assert page.locator("#manager-cara td").first.inner_text() == "3"
    page.get_by_role("link", name="Open cases of cara").click()
    assert page.locator("#cases tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "supervision-caseloads.png"), full_page=True)
    page.get_by_label("Departing case manager").select_option("cara")
    page.get_by_label("Move the cases to").select_option(["carl"])
    page.get_by_label("Reason", exact=True).nth(1).fill("cara moves to another service")
    page.get_by_role("button", name="Move all their cases").click()
    assert "3 cases of cara moved" in page.locator(".flash").first.inner_text()
    for case_id in moving:
        assert ready_assignees(care, case_id) == {"first_contact": "carl"}
    assert page.locator("#manager-cara td").first.inner_text() == "0"
