"""The `carecycle` entry point: engine commands plus `serve`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from engine import Settings, build
from engine.demo import DEMO_PASSWORD
from tests.conftest import FORMS, PROCESSES
from web import cli as web_cli


@pytest.fixture
def env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """Environment for a migrated SQLite database with two demo users and one other."""
    database = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, database)
    values = {
        "CARECYCLE_DATABASE_URL": f"sqlite:///{database}",
        "CARECYCLE_VAR_DIR": str(tmp_path / "var"),
        "CARECYCLE_PROCESSES_DIR": str(PROCESSES),
        "CARECYCLE_FORMS_DIR": str(FORMS),
    }
    engine = build(Settings.from_env(values))
    engine.users.create("ines", DEMO_PASSWORD, ["intake"], "Ines Intake")
    engine.users.create("sam", DEMO_PASSWORD, ["supervisor"], "Sam Supervisor")
    engine.users.create("cara", "a-changed-password", ["case_manager"])
    engine.dispose()
    return values


def test_entry_point_has_engine_commands_and_serve() -> None:
    result = CliRunner().invoke(web_cli.command(), ["--help"])
    assert result.exit_code == 0
    for name in ("db", "processes", "users", "demo", "serve"):
        assert name in result.output


def test_serve_help_explains_the_scheduler_flag() -> None:
    result = CliRunner().invoke(web_cli.command(), ["serve", "--help"])
    assert result.exit_code == 0
    assert "--no-scheduler" in result.output and "--host" in result.output
    assert "separately" in result.output


def test_serve_prints_url_and_demo_logins(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[Flask, str, int]] = []
    monkeypatch.setattr(web_cli, "run_server", lambda app, h, p: served.append((app, h, p)))
    result = CliRunner(env=env).invoke(
        web_cli.command(), ["serve", "--port", "5055", "--no-scheduler"]
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5055/" in result.output
    assert f"password {DEMO_PASSWORD}" in result.output
    assert "ines" in result.output and "sam" in result.output
    assert "cara" not in result.output
    [(app, host, port)] = served
    assert (host, port) == ("127.0.0.1", 5055)
    assert app.url_map.bind("localhost").match("/api/v1/tasks")


def test_serve_runs_the_embedded_scheduler_and_stops_it(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    running: list[bool] = []

    def fake_server(app: Flask, host: str, port: int) -> None:
        running.append(bool(app))

    monkeypatch.setattr(web_cli, "run_server", fake_server)
    result = CliRunner(env=env).invoke(web_cli.command(), ["serve", "--port", "5056"])
    assert result.exit_code == 0, result.output
    assert "timer scheduler" in result.output and running == [True]


def test_serve_refuses_a_database_without_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_cli, "run_server", lambda *args: pytest.fail("must not serve"))
    env = {
        "CARECYCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "CARECYCLE_VAR_DIR": str(tmp_path / "var"),
    }
    result = CliRunner(env=env).invoke(web_cli.command(), ["serve"])
    assert result.exit_code == 1
    assert "carecycle db upgrade" in result.output
