"""The inbox page and client search through the Flask test client, over the shipped care cycle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine import Engine, FrozenClock, build
from tests.conftest import DESIGNER, add_people, make_settings
from tests.integration.test_inbox_service import build_inbox, open_case, shape
from tests.web.test_pages import csrf_from, login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine(db_url: str, clock: FrozenClock, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """The shipped processes/ and forms/ (cases need care_cycle), the test people."""
    settings = replace(
        make_settings(db_url, tmp_path), processes_dir=ROOT / "processes", forms_dir=ROOT / "forms"
    )
    eng = build(settings, clock)
    add_people(eng, password_hash)
    eng.processes.deploy_directory(DESIGNER)
    yield eng
    eng.dispose()


@pytest.fixture
def made(engine: Engine, clock: FrozenClock) -> dict[str, tuple[int, str]]:
    """Cara holds Ada and Ben; Cleo, Dan and Eve are open to case managers; carl holds Fay."""
    return build_inbox(engine, clock)


def page(client: FlaskClient, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def order(html: str) -> list[str]:
    """Task ids in the order the table lists them."""
    return re.findall(r'<tr id="task-([0-9a-f-]+)"', html)


def row(html: str, task_id: str) -> str:
    match = re.search(rf'<tr id="task-{task_id}".*?</tr>', html, re.S)
    assert match, f"no row for task {task_id}"
    return match.group(0)


def badge(html: str, scope: str) -> int:
    match = re.search(rf'id="count-{scope}"[^>]*>(\d+)</span>', html)
    assert match, f"no {scope} badge"
    return int(match.group(1))


def test_sections_and_counts(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "cara")
    html = page(client)
    assert 'id="my-tasks"' in html and "<caption>" in html
    assert order(html) == [made["Ben"][1], made["Ada"][1]]
    assert (badge(html, "mine"), badge(html, "team")) == (2, 3)
    assert "Everyone" not in html and 'id="count-all"' not in html
    team = page(client, "/?scope=team")
    assert order(team) == [made[c][1] for c in ("Cleo", "Eve", "Dan")]
    assert badge(team, "team") == len(order(team))
    assert client.get("/?scope=all").status_code == 403


def test_rows_link_to_case_and_task(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "cara")
    case_id, task_id = made["Ada"]
    html = row(page(client), task_id)
    assert f'<a href="/cases/{case_id}">Ada Client</a>' in html
    assert f'<a href="/tasks/{task_id}">Assessment</a>' in html
    assert '<span class="badge risk risk-high">High</span>' in html
    assert "Assessment" in html and "You" in html


def test_supervisor_sees_everyone(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "sam")
    html = page(client, "/?scope=all")
    assert 'id="all-tasks"' in html and "Everyone&#39;s tasks" in html
    assert badge(html, "all") == 7 == len(order(html))
    assert row(html, made["Fay"][1]).count("Unclaim") == 2  # a supervisor may free any task


def test_overdue_and_due_today_are_marked_in_text(
    client: FlaskClient, clock: FrozenClock, made: dict[str, tuple[int, str]]
) -> None:
    login(client, "sam")
    html = page(client, "/?scope=all")
    ben, cleo, eve = (row(html, made[c][1]) for c in ("Ben", "Cleo", "Eve"))
    assert 'class="is-overdue"' in ben and '<span class="due-flag overdue">Overdue</span>' in ben
    assert 'class="is-due-today"' in cleo and ">Due today</span>" in cleo
    assert "due-flag" not in eve
    clock.advance(timedelta(hours=20))
    html = page(client, "/?scope=all")
    assert ">Overdue</span>" in row(html, made["Cleo"][1])
    assert ">Due today</span>" in row(html, made["Eve"][1])


def test_sorting(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "sam")
    by_due = order(page(client, "/?scope=all&sort=due"))
    by_risk = order(page(client, "/?scope=all&sort=risk"))
    assert by_due == [made[c][1] for c in ("Ben", "Cleo", "Eve", "Fay", "Ada", "Dan", "Gus")]
    assert by_risk == [made[c][1] for c in ("Ada", "Dan", "Cleo", "Ben", "Fay", "Eve", "Gus")]
    assert client.get("/?sort=name").status_code == 400


@pytest.mark.parametrize(
    ("query", "expected", "team_badge"),
    [
        ("phase=planning", ["Cleo", "Dan"], 2),
        ("task=plan", ["Dan"], 1),
        ("risk=moderate", ["Cleo"], 1),
        ("overdue=1", [], 0),
        ("phase=monitoring&sort=risk", ["Eve"], 1),
    ],
)
def test_filters(
    client: FlaskClient,
    made: dict[str, tuple[int, str]],
    query: str,
    expected: list[str],
    team_badge: int,
) -> None:
    login(client, "cara")
    html = page(client, f"/?scope=team&{query}")
    assert order(html) == [made[c][1] for c in expected]
    assert badge(html, "team") == team_badge
    if not expected:
        assert "No unclaimed tasks for your roles." in html


def test_overdue_filter_in_my_tasks(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "cara")
    html = page(client, "/?overdue=1")
    assert order(html) == [made["Ben"][1]]
    assert 'id="f-overdue" name="overdue" value="1" checked' in html


def test_filter_form_is_labelled(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "cara")
    html = page(client)
    for control in ("f-phase", "f-task", "f-risk", "f-overdue", "f-sort", "filter-name"):
        assert f'for="{control}"' in html and f'id="{control}"' in html
    assert '<option value="plan" >Care plan</option>' in html
    assert html.count('<th scope="col">') == 7 and '<th scope="row"' in html


def test_saved_filters_are_per_user(client: FlaskClient, made: dict[str, tuple[int, str]]) -> None:
    login(client, "cara")
    html = page(client, "/?scope=team&phase=planning&sort=risk")
    form = {
        "csrf_token": csrf_from(html),
        "name": "Plans by risk",
        "scope": "team",
        "phase": "planning",
        "sort": "risk",
        "next": "/?scope=team&phase=planning&sort=risk",
    }
    assert client.post("/inbox/filters", data={**form, "csrf_token": "x"}).status_code == 400
    saved = client.post("/inbox/filters", data=form)
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/?scope=team&phase=planning&sort=risk"
    html = page(client)
    assert '<a href="/?scope=team&amp;phase=planning&amp;sort=risk">Plans by risk</a>' in html
    assert "Filter “Plans by risk” saved." in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "carl")
    html = page(client)
    assert "Plans by risk" not in html and "No saved filters yet." in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "cara")
    html = page(client)
    gone = client.post(
        "/inbox/filters/delete",
        data={"csrf_token": csrf_from(html), "name": "Plans by risk", "next": "/"},
    )
    assert gone.headers["Location"] == "/"
    assert "Plans by risk</a>" not in page(client)


def test_claim_and_unclaim_go_back_and_move_the_row(
    client: FlaskClient, made: dict[str, tuple[int, str]]
) -> None:
    login(client, "cara")
    here = "/?scope=team&sort=risk"
    html = page(client, here)
    cleo = made["Cleo"][1]
    assert f'action="/inbox/tasks/{cleo}/claim"' in row(html, cleo)
    token = csrf_from(html)
    assert client.post(f"/inbox/tasks/{cleo}/claim", data={"next": here}).status_code == 400
    claimed = client.post(f"/inbox/tasks/{cleo}/claim", data={"csrf_token": token, "next": here})
    assert claimed.status_code == 302 and claimed.headers["Location"] == here
    team = page(client, here)
    assert cleo not in order(team) and badge(team, "team") == 2 and badge(team, "mine") == 3
    assert "Task “Assessment” claimed." in team
    mine = page(client, "/")
    assert cleo in order(mine) and f'action="/inbox/tasks/{cleo}/unclaim"' in row(mine, cleo)
    back = client.post(f"/inbox/tasks/{cleo}/unclaim", data={"csrf_token": token, "next": "/"})
    assert back.headers["Location"] == "/"
    assert cleo not in order(page(client, "/")) and cleo in order(page(client, here))
    other = client.post(
        f"/inbox/tasks/{made['Fay'][1]}/unclaim", data={"csrf_token": token, "next": "/"}
    )
    assert other.status_code == 302 and "Nothing changed" in page(client, "/")
    off_site = client.post(
        f"/inbox/tasks/{cleo}/claim", data={"csrf_token": token, "next": "//evil.example/"}
    )
    assert off_site.headers["Location"] == "/"


def test_search_by_name_and_birth_date(client: FlaskClient, engine: Engine) -> None:
    ada, _ = open_case(engine, "Ada Lovelace", "1815-12-10")
    grace, grace_task = open_case(engine, "Grace Hopper", "1906-12-09")
    shape(engine, grace, grace_task, manager="carl", status="active")
    login(client, "sam")
    html = page(client, "/search")
    assert '<label for="s-name">' in html and '<label for="s-birth">' in html
    assert "Enter a name" in html
    html = page(client, "/search?name=lovel")
    assert f'<a href="/cases/{ada}">Ada Lovelace</a>' in html and "Grace" not in html
    html = page(client, "/search?birth_date=1906-12-09")
    assert f'<a href="/cases/{grace}">Grace Hopper</a>' in html and "Ada Lovelace" not in html
    html = page(client, "/search?status=active&manager=carl")
    assert "Grace Hopper" in html and "1 client found" in html
    assert "must be one of" in page(client, "/search?status=bogus")


def test_search_hides_cases_the_user_may_not_see(client: FlaskClient, engine: Engine) -> None:
    grace, grace_task = open_case(engine, "Grace Hopper")
    shape(engine, grace, grace_task, manager="carl")
    login(client, "cara")
    html = page(client, "/search?name=grace")
    assert "Grace Hopper" not in html and "No clients you may see match." in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "carl")
    assert "Grace Hopper" in page(client, "/search?name=grace")


def test_pages_need_login(client: FlaskClient) -> None:
    assert client.get("/search").status_code == 302
    assert client.post("/inbox/tasks/x/claim").status_code == 302
