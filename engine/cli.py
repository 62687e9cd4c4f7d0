"""The `carecycle` command's engine part: database, processes, users, demo data."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from engine.bootstrap import Engine, build
from engine.errors import EngineError, Forbidden
from engine.identity import ROLES, Actor
from engine.runtime.specs import load_directory

CLI_ACTOR = Actor("cli", frozenset({"admin"}))
F = TypeVar("F", bound=Callable[..., Any])


def configure_logging() -> None:
    """Scheduler lines at INFO; the libraries' chatter only when it matters."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("spiff", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def engine_from_env() -> Iterator[Engine]:
    """An engine for the configured database; errors become one line on stderr, exit 1."""
    engine = build()
    try:
        yield engine
    except EngineError as exc:
        click.echo(f"carecycle: {exc.message}", err=True)
        for key, message in exc.errors.items():
            click.echo(f"{key}: {message}", err=True)
        sys.exit(1)
    finally:
        engine.dispose()


def read_sources(paths: tuple[Path, ...], default: Path) -> dict[str, bytes]:
    """BPMN/DMN sources from files and directories (default: the processes dir)."""
    sources: dict[str, bytes] = {}
    for path in paths or (default,):
        if path.is_dir():
            sources.update(load_directory(path))
        elif path.is_file():
            sources[path.name] = path.read_bytes()
        else:
            raise click.ClickException(f"{path}: no such file or directory")
    return sources


@click.group()
def cli() -> None:
    """CareCycle: care-management processes on BPMN."""


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations up to the newest revision."""
    with engine_from_env() as engine:
        engine.upgrade_schema()
        click.echo("database schema is up to date")


@cli.group()
def processes() -> None:
    """BPMN/DMN process definitions."""


@processes.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def processes_validate(paths: tuple[Path, ...]) -> None:
    """Parse and lint BPMN/DMN files; one line FILE:ELEMENT_ID: message per problem."""
    with engine_from_env() as engine:
        sources = read_sources(paths, engine.settings.processes_dir)
        problems = engine.processes.validate(sources)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"carecycle: {len(problems)} problem(s) in {len(sources)} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(sources)} file(s) valid", err=True)


@processes.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def processes_deploy(paths: tuple[Path, ...]) -> None:
    """Validate, then deploy a new version of each changed process: PROCESS_ID VERSION."""
    with engine_from_env() as engine:
        sources = read_sources(paths, engine.settings.processes_dir)
        results = engine.processes.deploy(sources, CLI_ACTOR)
    for item in results:
        if item.created:
            click.echo(f"{item.process_id} {item.version}")
    unchanged = [r for r in results if not r.created]
    if unchanged:
        click.echo(f"{len(unchanged)} process(es) unchanged", err=True)


@cli.group()
def users() -> None:
    """People who sign in."""


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--team", default=None, help="Team (supervisors see their team's work).")
def users_create(
    username: str, roles: tuple[str, ...], display_name: str, team: str | None
) -> None:
    """Create a user; the password is read from stdin."""
    password = sys.stdin.readline().rstrip("\n")
    with engine_from_env() as engine:
        engine.users.create(username, password, list(roles), display_name, team)
    click.echo(f"created {username} ({', '.join(roles)})")


@users.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new API bearer token for a user."""
    with engine_from_env() as engine:
        click.echo(engine.users.issue_token(username))


@cli.command("demo")
@click.option("--if-new", is_flag=True, help="Only when the database has no users yet.")
def demo(if_new: bool) -> None:
    """Seed the demo team, the processes and ~30 fictional cases with months of history."""
    from engine.demo import seed

    with engine_from_env() as engine:
        if if_new and engine.users.exists():
            click.echo("database already has users; demo data not added", err=True)
            return
        for line in seed(engine):
            click.echo(line)


@cli.command("scheduler")
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.05, 60),
    help="Seconds between checks for timers created by other processes.",
)
@click.option(
    "--lease",
    default=30.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds a crashed scheduler keeps SQLite's single-scheduler lease.",
)
def scheduler(poll: float, lease: float) -> None:
    """Fire due timers until stopped (any number may run against PostgreSQL)."""
    import signal
    import threading

    from engine.scheduler import TimerScheduler

    configure_logging()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with engine_from_env() as engine:
        runner = TimerScheduler(engine, poll_seconds=poll, lease_seconds=lease)
        runner.start()
        click.echo(f"scheduler {runner.holder} running; stop with Ctrl-C", err=True)
        try:
            stop.wait()
        finally:
            runner.stop()


@cli.group()
def clock() -> None:
    """The simulated clock (only with CARECYCLE_SIMULATED_CLOCK=1)."""


@clock.command("show")
def clock_show() -> None:
    """Print the engine's time and its offset from real time."""
    with engine_from_env() as engine:
        _require_simulated(engine)
        now, offset = engine.clock_control.show()
    click.echo(f"{now.isoformat()} (offset {offset})")


@clock.command("advance")
@click.argument("duration")
def clock_advance(duration: str) -> None:
    """Move time forward for the web app and every scheduler (ISO 8601: P30D, PT4H)."""
    with engine_from_env() as engine:
        now = engine.clock_control.advance(duration, CLI_ACTOR)
    click.echo(now.isoformat())


@clock.command("reset")
def clock_reset() -> None:
    """Back to real time."""
    with engine_from_env() as engine:
        now = engine.clock_control.reset(CLI_ACTOR)
    click.echo(now.isoformat())


def _require_simulated(engine: Engine) -> None:
    if not engine.settings.simulated_clock:
        raise Forbidden("the simulated clock is off; set CARECYCLE_SIMULATED_CLOCK=1 to use it")


def main() -> None:
    """Entry point without the web commands (web.cli adds serve)."""
    cli()
