"""Web fixtures: the app over the test engine, a client, bearer headers and API helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from web import create_app

Headers = dict[str, str]


@pytest.fixture
def app(engine: Engine) -> Flask:
    """The web app over the test engine."""
    return create_app({"TESTING": True}, engine=engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def auth(engine: Engine) -> Callable[[str], Headers]:
    """Bearer headers for a fixture user (one token per user, issued on first use)."""
    tokens: dict[str, str] = {}

    def headers(username: str) -> Headers:
        if username not in tokens:
            tokens[username] = engine.users.issue_token(username)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


@pytest.fixture
def start(client: FlaskClient, auth: Callable[[str], Headers]) -> Callable[..., dict[str, Any]]:
    """Start an instance through the API and return its JSON."""

    def run(process_id: str, data: dict[str, Any] | None = None, as_user: str = "ines") -> Any:
        response = client.post(
            "/api/v1/instances",
            json={"process_id": process_id, "data": data or {}},
            headers=auth(as_user),
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return run
