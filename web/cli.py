"""The `carecycle` console command: the engine's commands plus `serve`."""

from __future__ import annotations

import importlib.util
import sys

import click
from flask import Flask

from engine import Engine, Unauthorized
from engine.cli import cli, configure_logging, engine_from_env
from engine.demo import DEMO_PASSWORD, DEMO_USERS
from engine.scheduler import TimerScheduler
from web import create_app

NO_SCHEDULER_HELP = (
    "Do not fire timers in this process (run `carecycle scheduler` separately; on SQLite "
    "only one scheduler may run)."
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option("--no-scheduler", is_flag=True, help=NO_SCHEDULER_HELP)
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Serve the web app and the JSON API (the schema must be upgraded: `make run` does it)."""
    with engine_from_env() as engine:
        _require_database(engine)
        app = create_app(engine=engine)
        click.echo(f"CareCycle is running on http://{host}:{port}/")
        for line in demo_logins(engine):
            click.echo(line)
        runner = None if no_scheduler else TimerScheduler(engine)
        if runner is not None:
            configure_logging()
            runner.start()
            click.echo(f"timer scheduler {runner.holder} running in this process", err=True)
        try:
            run_server(app, host, port)
        finally:
            if runner is not None:
                runner.stop()


def demo_logins(engine: Engine) -> list[str]:
    """Lines naming the demo users that still sign in with the demo password."""
    lines = []
    for username, name, roles in DEMO_USERS:
        try:
            engine.users.authenticate(username, DEMO_PASSWORD, audit=False)
        except Unauthorized:
            continue
        lines.append(f"  {username:<6} {name} ({', '.join(roles)})")
    if not lines:
        return []
    return [f"Demo logins (password {DEMO_PASSWORD}):", *lines]


def run_server(app: Flask, host: str, port: int) -> None:
    """Serve app with waitress when installed, else Flask's threaded server."""
    if importlib.util.find_spec("waitress") is not None:
        import waitress

        waitress.serve(app, host=host, port=port, threads=8)
        return
    app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)


def _require_database(engine: Engine) -> None:
    try:
        engine.users.exists()
    except Exception as exc:  # the CLI boundary: one line instead of a traceback
        click.echo(
            f"carecycle: the database is not ready ({type(exc).__name__}); "
            "run `carecycle db upgrade` first",
            err=True,
        )
        sys.exit(1)


def command() -> click.Group:
    """The `carecycle` group with the web commands added."""
    cli.add_command(serve)
    return cli


def main() -> None:
    """Console entry point."""
    command()()
