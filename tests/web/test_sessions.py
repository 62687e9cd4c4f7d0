"""Page sessions end after a while without activity."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.test_pages import login


def test_an_idle_session_is_signed_out(app: Flask, client: FlaskClient) -> None:
    app.config["SESSION_IDLE_MINUTES"] = 15
    login(client, "cara")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] = session["seen_at"] - 16 * 60
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after a while without activity" in page


def test_activity_keeps_the_session(app: Flask, client: FlaskClient) -> None:
    app.config["SESSION_IDLE_MINUTES"] = 15
    login(client, "cara")
    with client.session_transaction() as session:
        session["seen_at"] = session["seen_at"] - 14 * 60
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
