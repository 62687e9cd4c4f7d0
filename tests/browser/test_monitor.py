"""A supervisor in a real browser: opens a care-cycle instance, sees its BPMN diagram drawn by
bpmn-js with the active task highlighted, suspends and resumes it with reasons; the heatmap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine import Engine, FrozenClock
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_case_manager_day import _sign_in
from tests.care_story import CONSENT, ELIGIBLE, open_case, work
from tests.conftest import INTAKE, SUPERVISOR
from web.monitor import vendor

pytestmark = pytest.mark.skipif(
    not vendor.installed(), reason="node_modules/bpmn-js is not installed (make run installs it)"
)


def _at_first_contact(engine: Engine, clock: FrozenClock | None = None) -> int:
    """A case whose care cycle waits at cara's first contact (each step an hour apart if a
    clock is given); its instance id."""
    case = open_case(engine)
    steps = [
        (INTAKE, "intake_screening", ELIGIBLE),
        (INTAKE, "consent", CONSENT),
        (SUPERVISOR, "assign_case_manager", {"case_manager": "cara"}),
    ]
    for actor, element, data in steps:
        if clock is not None:
            clock.advance(timedelta(hours=1))
        work(engine, actor, element, data, case.id)
    assert case.instance_id is not None
    return case.instance_id


def _watch_console(page: Any) -> list[str]:
    """Console errors (a CSP refusal shows up here), page errors and failed requests."""
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and "favicon" not in str(message.location):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(r.url))
    return problems


def test_open_an_instance_see_the_active_task_suspend_and_resume(
    care: Engine, server: str, page: Any
) -> None:
    instance_id = _at_first_contact(care)
    problems = _watch_console(page)
    _sign_in(page, server, "sam")
    page.goto(f"{server}/monitor/instances")
    assert page.locator("#count-waiting").inner_text() == "1"
    page.screenshot(path=str(SCREENSHOTS / "monitor-instances.png"), full_page=False)
    page.get_by_role("link", name=f"#{instance_id}").click()
    active = page.locator('.djs-element.cc-active[data-element-id="first_contact"]')
    active.wait_for(state="visible")
    assert page.locator('.djs-element.cc-completed[data-element-id="intake_screening"]').count()
    assert "marked on the diagram" in page.locator("#diagram-status").inner_text()
    page.get_by_label("Reason to suspend").fill("Client in hospital for a week")
    page.get_by_role("button", name="Suspend").click()
    assert page.locator("#instance-status").inner_text() == "suspended"
    audit = page.locator("#audit")
    assert "Client in hospital for a week" in audit.inner_text()
    page.locator('.djs-element.cc-active[data-element-id="first_contact"]').wait_for()
    page.screenshot(path=str(SCREENSHOTS / "monitor-instance.png"), full_page=False)
    page.get_by_label("Reason to resume").fill("Client back home")
    page.get_by_role("button", name="Resume").click()
    assert page.locator("#instance-status").inner_text() == "waiting"
    rows = page.locator("#audit tbody tr")
    assert "Client back home" in rows.nth(0).inner_text()
    assert "Client in hospital for a week" in rows.nth(1).inner_text()
    assert care.instances.get(instance_id).status == "waiting"
    assert problems == []


def test_heatmap_draws_counts_on_the_diagram(
    care: Engine, clock: FrozenClock, server: str, page: Any
) -> None:
    for _ in range(3):
        _at_first_contact(care, clock)
    problems = _watch_console(page)
    _sign_in(page, server, "sam")
    page.goto(f"{server}/monitor/processes/care_cycle/1/heatmap")
    badge = page.locator(".djs-overlay .cc-heat-busy").first
    badge.wait_for(state="visible")
    assert "3" in badge.inner_text()
    row = page.locator("#heat-first_contact")
    assert row.locator("td").first.inner_text() == "3"
    screening = page.locator("#heat-intake_screening td")
    assert screening.nth(1).inner_text() == "1.0 h" and screening.nth(2).inner_text() == "3"
    assert "avg 1.0 h" in page.locator(".djs-overlay .cc-heat").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "monitor-heatmap.png"), full_page=False)
    assert problems == []
