"""InboxService on SQLite and PostgreSQL: scopes, counts, filters, sorting, saved filters, search.

Cases are opened through engine.cases.open (the shipped care_cycle); their read-model rows
(care_case phase/risk/manager, human_task due date/assignee/roles) are then set directly, the
way the workflow would have left them in later phases, so each test states exactly what the
inbox holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from engine import BadRequest, Engine, Forbidden, FrozenClock, NotFound, build
from engine.persistence.tables import CareCase, HumanTask, HumanTaskRole
from engine.services.inbox import InboxQuery, InboxService
from tests.conftest import (
    ADMIN,
    CASE_MANAGER,
    DESIGNER,
    INTAKE,
    OTHER_CM,
    SUPERVISOR,
    add_people,
    make_settings,
)

ROOT = Path(__file__).resolve().parents[2]
CARA, CARL, SAM, INES = CASE_MANAGER, OTHER_CM, SUPERVISOR, INTAKE


@pytest.fixture
def eng(db_url: str, clock: FrozenClock, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """The shipped processes/ and forms/ deployed."""
    settings = replace(
        make_settings(db_url, tmp_path), processes_dir=ROOT / "processes", forms_dir=ROOT / "forms"
    )
    engine = build(settings, clock)
    add_people(engine, password_hash)
    engine.processes.deploy_directory(DESIGNER)
    yield engine
    engine.dispose()


@pytest.fixture
def inbox(eng: Engine) -> InboxService:
    return InboxService(eng.context)


def open_case(eng: Engine, name: str, birth_date: str = "1980-01-01") -> tuple[int, str]:
    """Open a case; (case id, id of its intake screening task)."""
    view = eng.cases.open(
        {"name": name, "birth_date": birth_date},
        {"source": "physician", "reason": "low mood", "urgency": "routine"},
        INES,
    )
    with eng.context.uow() as uow:
        task_id = uow.session.scalar(select(HumanTask.id).where(HumanTask.case_id == view.id))
    assert task_id is not None
    return view.id, task_id


def shape(
    eng: Engine,
    case_id: int,
    task_id: str,
    *,
    phase: str = "assessment",
    risk: str | None = None,
    manager: str | None = "cara",
    due: datetime | None = None,
    assignee: str | None = None,
    roles: tuple[str, ...] = ("case_manager",),
    element: str = "assessment",
    name: str = "Assessment",
    status: str = "active",
) -> None:
    """Set the case and task rows as the workflow would have left them."""
    with eng.context.uow() as uow:
        s = uow.session
        case = s.get(CareCase, case_id)
        task = s.get(HumanTask, task_id)
        assert case is not None and task is not None
        case.phase, case.risk_tier, case.manager, case.status = phase, risk, manager, status
        task.due_at, task.assignee, task.element_id, task.name = due, assignee, element, name
        task.lane = roles[0] if roles else None
        task.candidate_roles = list(roles)
        s.execute(delete(HumanTaskRole).where(HumanTaskRole.task_id == task_id))
        s.add_all(HumanTaskRole(task_id=task_id, role=r) for r in roles or ("*",))
        uow.commit()


def build_inbox(eng: Engine, clock: FrozenClock) -> dict[str, tuple[int, str]]:
    """Six cases: cara holds two, carl one, three are open to case managers, one is intake's."""
    now = clock.now()
    spec: dict[str, dict[str, Any]] = {
        "Ada": dict(risk="high", due=now + timedelta(days=3), assignee="cara"),
        "Ben": dict(risk="low", due=now - timedelta(hours=2), assignee="cara", phase="monitoring"),
        "Cleo": dict(risk="moderate", due=now + timedelta(hours=5), phase="planning"),
        "Dan": dict(risk="high", due=None, phase="planning", element="plan", name="Care plan"),
        "Eve": dict(risk=None, due=now + timedelta(days=1), phase="monitoring"),
        "Fay": dict(risk="low", due=now + timedelta(days=2), assignee="carl", manager="carl"),
    }
    made: dict[str, tuple[int, str]] = {}
    for client, fields in spec.items():
        made[client] = open_case(eng, f"{client} Client")
        shape(eng, *made[client], **fields)
        clock.advance(timedelta(minutes=1))  # created one after another: a stable order
    made["Gus"] = open_case(eng, "Gus Intake")  # left as intake screening, open to intake
    return made


def clients(page: Any) -> list[str | None]:
    return [r.client_name.split()[0] if r.client_name else None for r in page.rows]


def test_scopes_and_counts(eng: Engine, inbox: InboxService, clock: FrozenClock) -> None:
    build_inbox(eng, clock)
    mine = inbox.page(CARA, InboxQuery(scope="mine"))
    assert clients(mine) == ["Ben", "Ada"]
    assert mine.counts == {"mine": 2, "team": 3}
    assert mine.total == 2
    team = inbox.page(CARA, InboxQuery(scope="team"))
    assert clients(team) == ["Cleo", "Eve", "Dan"]
    assert all(r.assignee is None and r.lane == "case_manager" for r in team.rows)
    assert clients(inbox.page(INES, InboxQuery(scope="team"))) == ["Gus"]
    everyone = inbox.page(SAM, InboxQuery(scope="all"))
    assert everyone.counts == {"mine": 0, "team": 0, "all": 7}
    assert len(everyone.rows) == 7
    assert inbox.page(ADMIN, InboxQuery(scope="team")).total == 4
    assert inbox.counts(CARL) == {"mine": 1, "team": 3}


def test_rows_carry_the_case(eng: Engine, inbox: InboxService, clock: FrozenClock) -> None:
    made = build_inbox(eng, clock)
    [ada] = [r for r in inbox.page(CARA).rows if r.client_name == "Ada Client"]
    assert (ada.case_id, ada.task_id) == made["Ada"]
    assert (ada.task_name, ada.element_id, ada.phase, ada.risk_tier) == (
        "Assessment",
        "assessment",
        "assessment",
        "high",
    )
    assert (ada.assignee, ada.lane) == ("cara", "case_manager")
    assert ada.candidate_roles == ["case_manager"]


def test_everyone_is_for_supervisors_only(eng: Engine, inbox: InboxService) -> None:
    assert inbox.scopes(CARA) == ("mine", "team")
    with pytest.raises(Forbidden):
        inbox.page(CARA, InboxQuery(scope="all"))
    assert inbox.scopes(SAM) == ("mine", "team", "all")
    assert inbox.scopes(ADMIN) == ("mine", "team", "all")


def test_overdue_and_due_today_follow_the_engine_clock(
    eng: Engine, inbox: InboxService, clock: FrozenClock
) -> None:
    build_inbox(eng, clock)
    flags = {
        r.client_name: (r.overdue, r.due_today) for r in inbox.page(SAM, InboxQuery("all")).rows
    }
    assert flags["Ben Client"] == (True, False)
    assert flags["Cleo Client"] == (False, True)  # due at 14:00 today
    assert flags["Eve Client"] == (False, False)
    assert flags["Dan Client"] == (False, False)
    clock.advance(timedelta(hours=20))  # next day 05:00: Cleo is late, Eve due at 09:00 today
    flags = {
        r.client_name: (r.overdue, r.due_today) for r in inbox.page(SAM, InboxQuery("all")).rows
    }
    assert flags["Cleo Client"] == (True, False)
    assert flags["Eve Client"] == (False, True)


def test_sorting(eng: Engine, inbox: InboxService, clock: FrozenClock) -> None:
    build_inbox(eng, clock)
    by_due = inbox.page(SAM, InboxQuery("all", sort="due"))
    assert clients(by_due) == ["Ben", "Cleo", "Eve", "Fay", "Ada", "Dan", "Gus"]
    by_risk = inbox.page(SAM, InboxQuery("all", sort="risk"))
    assert clients(by_risk) == ["Ada", "Dan", "Cleo", "Ben", "Fay", "Eve", "Gus"]


def test_filters(eng: Engine, inbox: InboxService, clock: FrozenClock) -> None:
    build_inbox(eng, clock)
    assert clients(inbox.page(SAM, InboxQuery("all", phase="planning"))) == ["Cleo", "Dan"]
    assert clients(inbox.page(SAM, InboxQuery("all", task="plan"))) == ["Dan"]
    assert clients(inbox.page(SAM, InboxQuery("all", risk="low"))) == ["Ben", "Fay"]
    assert clients(inbox.page(SAM, InboxQuery("all", overdue=True))) == ["Ben"]
    both = inbox.page(CARA, InboxQuery("team", phase="monitoring"))
    assert clients(both) == ["Eve"]
    assert both.counts == {"mine": 1, "team": 1}  # the badges count what the filters keep
    assert ("plan", "Care plan") in inbox.task_types()


def test_paging(eng: Engine, inbox: InboxService, clock: FrozenClock) -> None:
    build_inbox(eng, clock)
    first = inbox.page(SAM, InboxQuery("all", per_page=3))
    third = inbox.page(SAM, InboxQuery("all", per_page=3, page=3))
    assert (first.total, first.pages, clients(first)) == (7, 3, ["Ben", "Cleo", "Eve"])
    assert clients(third) == ["Gus"]


def test_query_parsing() -> None:
    query = InboxQuery.parse(
        {"scope": "team", "phase": "planning", "overdue": "1", "sort": "risk", "page": "2"}
    )
    assert query == InboxQuery("team", "planning", None, None, True, "risk", 2)
    assert query.filters() == {
        "scope": "team",
        "phase": "planning",
        "overdue": "1",
        "sort": "risk",
    }
    assert InboxQuery.parse({"phase": "", "task": " "}) == InboxQuery()
    for bad in ({"scope": "x"}, {"sort": "name"}, {"phase": "x"}, {"risk": "x"}, {"page": "0"}):
        with pytest.raises(BadRequest):
            InboxQuery.parse(bad)


def test_saved_filters_are_per_person(eng: Engine, inbox: InboxService) -> None:
    inbox.save(CARA, "Late plans", {"scope": "team", "phase": "planning", "overdue": "1"})
    inbox.save(CARA, "High risk", InboxQuery(risk="high", sort="risk"))
    inbox.save(CARL, "Mine", {})
    assert [(f.name, f.query) for f in inbox.list(CARA)] == [
        ("High risk", {"risk": "high", "sort": "risk"}),
        ("Late plans", {"scope": "team", "phase": "planning", "overdue": "1"}),
    ]
    assert [f.name for f in inbox.list(CARL)] == ["Mine"]
    inbox.save(CARA, "High risk", {"risk": "moderate"})  # same name: replaced
    assert inbox.list(CARA)[0].query == {"risk": "moderate"}
    with pytest.raises(NotFound):
        inbox.delete(CARL, "High risk")
    inbox.delete(CARA, "High risk")
    assert [f.name for f in inbox.list(CARA)] == ["Late plans"]
    with pytest.raises(BadRequest):
        inbox.save(CARA, "  ", {})
    with pytest.raises(Forbidden):
        inbox.save(CARA, "Everyone", {"scope": "all"})
    inbox.save(SAM, "Everyone", {"scope": "all"})


def test_search_by_name_birth_date_status_manager(
    eng: Engine, inbox: InboxService, clock: FrozenClock
) -> None:
    ada, _ = open_case(eng, "Ada Lovelace", "1815-12-10")
    grace, grace_task = open_case(eng, "Grace Hopper", "1906-12-09")
    shape(eng, grace, grace_task, manager="carl", status="active")
    alan, alan_task = open_case(eng, "Alan Turing", "1912-06-23")
    shape(eng, alan, alan_task, manager="cara", status="onhold")

    def ids(actor: Any = SAM, **criteria: Any) -> list[int]:
        return [c.id for c in inbox.search(actor, **criteria)]

    assert ids(name="lovelace") == [ada]
    assert ids(name="a") == [ada, alan, grace]  # by client name
    assert ids(birth_date="1906-12-09") == [grace]
    assert ids(status="onhold") == [alan]
    assert ids(manager="carl") == [grace]
    assert ids(name="a", manager="cara", status="onhold") == [alan]
    with pytest.raises(BadRequest):
        inbox.search(SAM, status="nonsense")


def test_search_hides_cases_the_person_may_not_see(
    eng: Engine, inbox: InboxService, clock: FrozenClock
) -> None:
    ada, _ = open_case(eng, "Ada Lovelace")  # still in intake
    grace, grace_task = open_case(eng, "Grace Hopper")
    shape(eng, grace, grace_task, manager="carl")
    alan, alan_task = open_case(eng, "Alan Turing")
    shape(eng, alan, alan_task, manager="carl", assignee="cara")  # cara works on it

    def ids(actor: Any) -> list[int]:
        return [c.id for c in inbox.search(actor, name="a")]

    assert ids(SAM) == [ada, alan, grace]
    assert ids(CARL) == [alan, grace]
    assert ids(CARA) == [alan]
    assert ids(INES) == [ada, alan, grace]  # intake opened all three
    assert ids(DESIGNER) == []
