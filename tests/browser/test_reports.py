"""A supervisor reads the reports in a real browser: charts drawn, team filter, downloads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bench.datagen import generate
from engine import Engine, FrozenClock
from engine.persistence.tables import AuditEvent
from engine.services.reports import REPORTS
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import PASSWORD

SECTIONS = tuple(info.name for info in REPORTS)


def _exports(care: Engine) -> int:
    with care.context.uow() as uow:
        query = select(func.count()).where(AuditEvent.action == "report.exported")
        return int(uow.session.scalar(query) or 0)


def test_supervisor_reads_reports_for_a_team(
    care: Engine, clock: FrozenClock, server: str, page: Any
) -> None:
    generate(str(care.db.url), cases=400, seed=3, now=clock.now())
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Reports").click()
    for name in SECTIONS:
        assert page.locator(f"#report-{name}").is_visible(), name
    assert page.locator("#report-caseload svg").first.is_visible()
    assert page.locator("#report-deadlines svg").first.is_visible()

    page.get_by_label("Team", exact=True).select_option("south")
    page.get_by_role("button", name="Show").click()
    assert "team south" in page.locator("main").inner_text()
    page.set_viewport_size({"width": 1280, "height": 1300})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reports.png"))
    page.locator("#report-deadlines").screenshot(path=str(SCREENSHOTS / "reports-deadlines.png"))
    json_link = page.locator("#report-closures a", has_text="JSON").first
    body = page.request.get(json_link.evaluate("a => a.href")).json()
    assert body["report"] == "closures"
    assert body["team"] == "south"
    assert _exports(care) == 1
    assert not [m for m in console if "Content Security Policy" in m], console
