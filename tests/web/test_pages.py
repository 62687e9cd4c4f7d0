"""Browser login with CSRF, logout, and the start page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

Start = Callable[..., dict[str, Any]]
Auth = Callable[[str], dict[str, str]]
PASSWORD = "password-123"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **extra: str) -> Any:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": username, "password": password, **extra}
    return client.post("/login", data=form)


def test_anonymous_start_page_redirects_to_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_form_is_accessible(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="username">' in html and 'id="username"' in html
    assert '<label for="password">' in html and 'id="password"' in html
    assert 'href="/static/carecycle.css"' in html


def test_login_without_csrf_is_refused(client: FlaskClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "ines", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_with_wrong_password(client: FlaskClient) -> None:
    response = login(client, "ines", "wrong-password")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_sets_a_safe_session_cookie(client: FlaskClient) -> None:
    response = login(client, "ines")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_goes_back_only_to_local_pages(client: FlaskClient) -> None:
    assert login(client, "ines", next="/?x=1").headers["Location"] == "/?x=1"
    assert login(client, "ines", next="//evil.example/").headers["Location"] == "/"
    assert login(client, "ines", next="https://evil.example/").headers["Location"] == "/"


def test_start_page_shows_my_tasks_and_team_tasks(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    mine = start("user_lanes")
    open_task = start("user_lanes")
    mine_id = mine["ready_tasks"][0]["id"]
    open_id = open_task["ready_tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{mine_id}/claim", headers=auth("ines"))
    login(client, "ines")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="my-tasks"' in html and 'id="team-tasks"' not in html
    assert "Take referral" in html and f'id="task-{mine_id}"' in html
    assert f'id="task-{open_id}"' not in html
    assert '<span class="badge count-badge" id="count-mine"' in html
    team = client.get("/?scope=team").get_data(as_text=True)
    assert 'id="team-tasks"' in team and "My team&#39;s unclaimed tasks" in team
    assert f'id="task-{open_id}"' in team and f'id="task-{mine_id}"' not in team
    assert "No case (user_lanes)" in team and "Unclaimed (intake)" in team
    assert "Signed in as <strong>ines</strong>" in html


def test_start_page_shows_due_dates(client: FlaskClient, auth: Auth, start: Start) -> None:
    [referral] = start("user_lanes")["ready_tasks"]
    client.post(
        f"/api/v1/tasks/{referral['id']}/complete",
        json={"data": {"client_name": "Ann", "urgency": "routine"}},
        headers=auth("ines"),
    )
    login(client, "cara")
    html = client.get("/?scope=team").get_data(as_text=True)
    assert "First contact" in html
    assert '<time datetime="2026-01-07T09:00:00+00:00">2026-01-07 09:00 UTC</time>' in html


def test_logout_needs_csrf(client: FlaskClient) -> None:
    login(client, "ines")
    assert client.post("/logout").status_code == 400
    page = client.get("/")
    assert page.status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_stylesheet_is_served(client: FlaskClient) -> None:
    response = client.get("/static/carecycle.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()


def test_unknown_page_is_an_html_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
