"""The inbox page's server time with 10,000 open tasks over ~3,000 cases, SQLite and PostgreSQL.

The bench seeds the read model directly (bulk inserts: process_instance, care_case,
human_task, human_task_role), then times GET / through the Flask test client, signed in as a
case manager (my tasks, my team's tasks) and as a supervisor (everyone's tasks by due date and
by risk, and filtered). Each figure is the median and p90 server time per page over
interleaved repetitions; the target is < 150 ms.
"""

from __future__ import annotations

import random
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import insert, select, text

from bench.common import (
    PASSWORD,
    Figure,
    Stats,
    fresh_pg_database,
    interleaved_ms,
    make_engine,
    parse_args,
    pg_url,
    report,
    report_load,
    sql_per_op,
    sql_text,
    sqlite_url,
)
from engine import Engine
from engine.persistence.tables import (
    CareCase,
    HumanTask,
    HumanTaskRole,
    ProcessInstance,
    ProcessVersion,
)

NAME = "inbox"
TARGET_MS = 150.0
TASKS = 10_000
CASES = 3_000
MANAGERS = [f"cm{n:02d}" for n in range(1, 10)] + ["cara"]
SUPERVISOR = "sam"
PHASES = ("intake", "assessment", "planning", "implementation", "monitoring", "evaluation")
ELEMENTS = (
    ("intake_screening", "Intake screening", "intake"),
    ("assessment", "Assessment", "case_manager"),
    ("care_plan", "Care plan", "case_manager"),
    ("weekly_contact", "Weekly contact", "case_manager"),
    ("plan_review", "Plan review", "case_manager"),
    ("plan_approval", "Plan approval", "supervisor"),
    ("evaluation", "Evaluation", "case_manager"),
)


@dataclass(frozen=True)
class Plan:
    """Repetitions per page (interleaved) and warm-up calls."""

    reps: int
    warmup: int


FULL = Plan(reps=40, warmup=5)
QUICK = Plan(reps=8, warmup=2)


def seed(engine: Engine, rng: random.Random) -> dict[str, int]:
    """10,000 ready tasks over 3,000 cases, inserted in bulk; how many of each kind."""
    now = engine.clock.now()
    for username in [*MANAGERS[:-1], SUPERVISOR]:
        roles = ["supervisor"] if username == SUPERVISOR else ["case_manager"]
        engine.users.create(username, PASSWORD, roles)
    with engine.context.uow() as uow:
        session = uow.session
        version_id = session.scalar(select(ProcessVersion.id).limit(1))
        instances = [
            {
                "id": n,
                "process_version_id": version_id,
                "process_id": "care_cycle",
                "status": "waiting",
                "state": "{}",
                "data": {},
                "case_id": n,
                "started_by": "ines",
                "created_at": now,
                "updated_at": now,
                "lock_version": 1,
            }
            for n in range(1, CASES + 1)
        ]
        cases = []
        for n in range(1, CASES + 1):
            manager = rng.choice(MANAGERS)
            cases.append(
                {
                    "id": n,
                    "instance_id": n,
                    "client_name": f"Client {n:05d}",
                    "birth_date": f"19{rng.randint(30, 99)}-0{rng.randint(1, 9)}-1{n % 10}",
                    "client": {},
                    "referral": {},
                    "status": "active",
                    "phase": rng.choice(PHASES),
                    "manager": manager,
                    "risk_tier": rng.choice(("low", "low", "moderate", "high", None)),
                    "consents": [],
                    "scores": {},
                    "opened_by": "ines",
                    "opened_at": now,
                    "updated_at": now,
                }
            )
        tasks, roles = [], []
        for n in range(TASKS):
            case = cases[n % CASES]
            element, name, lane = rng.choice(ELEMENTS)
            task_id = str(uuid.UUID(int=rng.getrandbits(128)))
            assigned = lane == "case_manager" and rng.random() < 0.3
            due = None if rng.random() < 0.1 else now + timedelta(hours=rng.randint(-240, 720))
            tasks.append(
                {
                    "id": task_id,
                    "instance_id": case["instance_id"],
                    "case_id": case["id"],
                    "process_id": "care_cycle",
                    "element_id": element,
                    "name": name,
                    "lane": lane,
                    "candidate_roles": [lane],
                    "form_id": None,
                    "assignee": case["manager"] if assigned else None,
                    "due_at": due,
                    "status": "ready",
                    "created_at": now - timedelta(minutes=n),
                }
            )
            roles.append({"task_id": task_id, "role": lane})
        session.execute(insert(ProcessInstance), instances)
        session.execute(insert(CareCase), cases)
        session.execute(insert(HumanTask), tasks)
        session.execute(insert(HumanTaskRole), roles)
        uow.commit()
    if engine.context.is_postgres():  # what autovacuum does soon after a bulk load
        with engine.db.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    mine = sum(1 for t in tasks if t["assignee"] == "cara")
    team = sum(1 for t in tasks if t["assignee"] is None and t["lane"] == "case_manager")
    return {"tasks": len(tasks), "cases": len(cases), "cara mine": mine, "cara team": team}


def signed_in(engine: Engine, username: str) -> FlaskClient:
    """A test client of a fresh app, logged in as username."""
    from web import create_app  # the engine package never imports web; the bench may

    client = create_app({"TESTING": True}, engine=engine).test_client()
    html = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the login page"
    form = {"csrf_token": match.group(1), "username": username, "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302
    return client


def getter(client: FlaskClient, url: str) -> Callable[[], Any]:
    """GET url, checking it is a full page."""

    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.get_data()

    return get


PAGES = {
    "manager: my tasks": ("cara", "/"),
    "manager: team, by due": ("cara", "/?scope=team"),
    "manager: team, by risk": ("cara", "/?scope=team&sort=risk"),
    "supervisor: all, by due": (SUPERVISOR, "/?scope=all"),
    "supervisor: all, by risk": (SUPERVISOR, "/?scope=all&sort=risk"),
    "supervisor: all, overdue high": (SUPERVISOR, "/?scope=all&risk=high&overdue=1"),
    "supervisor: all, page 40": (SUPERVISOR, "/?scope=all&page=40"),
}


def backend(label: str, url: str, var_dir: Path, plan: Plan) -> list[Figure]:
    """Seed one database, time every page; print and return the headline figures."""
    engine = make_engine(url, var_dir)
    try:
        counts = seed(engine, random.Random(7))
        report(NAME, f"{label}: seeded", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        clients = {user: signed_in(engine, user) for user in ("cara", SUPERVISOR)}
        ops = {name: getter(clients[user], path) for name, (user, path) in PAGES.items()}
        found: dict[str, Stats] = interleaved_ms(ops, plan.reps, 1, plan.warmup)
        sql = sql_per_op(engine.db, ops["supervisor: all, by due"], 5)
    finally:
        engine.dispose()
    for name, figure in found.items():
        verdict = "ok" if figure.p90 < TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
        report(NAME, f"{label}: {name}", f"{figure}   {verdict}")
    report(NAME, f"{label}: SQL per page (supervisor)", sql_text(*sql))
    worst = max(found.values(), key=lambda s: s.p90)
    return [
        Figure(NAME, f"{label} my tasks, median", found["manager: my tasks"].median, "ms"),
        Figure(NAME, f"{label} everyone, median", found["supervisor: all, by due"].median, "ms"),
        Figure(NAME, f"{label} worst page p90", worst.p90, "ms"),
    ]


@contextmanager
def sqlite_database() -> Iterator[tuple[str, Path]]:
    """A temporary SQLite file database and a var dir."""
    with tempfile.TemporaryDirectory(prefix="carecycle-bench-") as tmp:
        yield sqlite_url(Path(tmp)), Path(tmp) / "var"


def run(quick: bool = False) -> list[Figure]:
    """Run the benchmark; return its headline figures."""
    plan = QUICK if quick else FULL
    report_load(NAME)
    report(
        NAME, "samples", f"{plan.reps} reps per page, {plan.warmup} warm-up; target p90 < 150 ms"
    )
    with sqlite_database() as (url, var_dir):
        figures = backend("SQLite", url, var_dir, plan)
    base = pg_url()
    if base is None:
        report(NAME, "PostgreSQL", "skipped: set CARECYCLE_BENCH_PG_URL")
        return figures
    with fresh_pg_database(base, "inbox") as url, tempfile.TemporaryDirectory() as tmp:
        figures += backend("PostgreSQL", url, Path(tmp), plan)
    return figures


if __name__ == "__main__":
    run(quick=parse_args(__doc__ or NAME).quick)
