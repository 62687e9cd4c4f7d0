"""A real server and a real browser: Playwright driving Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from engine import Engine, FrozenClock, build
from tests.conftest import DESIGNER, add_people, make_settings
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CARECYCLE_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("CARECYCLE_REQUIRE_BROWSER") == "1"
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def care(
    tmp_path: Path, sqlite_template: Path, clock: FrozenClock, password_hash: str
) -> Iterator[Engine]:
    """An engine with the shipped care cycle on a fresh SQLite file."""
    db = tmp_path / "browser.sqlite3"
    shutil.copy(sqlite_template, db)
    settings = replace(
        make_settings(f"sqlite:///{db}", tmp_path),
        processes_dir=ROOT / "processes",
        forms_dir=ROOT / "forms",
    )
    eng = build(settings, clock)
    add_people(eng, password_hash)
    eng.processes.deploy_directory(DESIGNER)
    yield eng
    eng.dispose()


@pytest.fixture
def server(care: Engine) -> Iterator[str]:
    """The web app served on a free local port; yields its base URL."""
    app = create_app({"TESTING": False}, engine=care)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    """A Chromium page (headless, no network beyond localhost)."""
    if REQUIRE:
        from playwright import sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if REQUIRE:
            pytest.fail(f"no Chromium at {CHROMIUM} (make test installs it)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
