"""The generated organisation: three teams, each a supervisor, an intake worker and managers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import Connection, insert, select

from engine.persistence.tables import User

TEAMS = ("north", "south", "east")
TEAM_WEIGHTS = (0.4, 0.35, 0.25)
PASSWORD = "bench-password"  # the same as bench.common.PASSWORD: benches sign in with it
FIRST = ("Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hugo", "Iris", "Jon", "Kaia")
LAST = ("Moreau", "Okafor", "Lindqvist", "Patel", "Novak", "Reyes", "Schmidt", "Tanaka")


@dataclass(frozen=True)
class Team:
    """One team: its supervisor, intake worker and case managers with their share of cases."""

    name: str
    supervisor: str
    intake: str
    managers: tuple[str, ...]
    weights: tuple[float, ...]


def plan_teams(rng: random.Random) -> list[Team]:
    """The teams, 8 to 15 case managers each, managers carrying uneven caseloads."""
    teams = []
    for name in TEAMS:
        count = rng.randint(8, 15)
        managers = tuple(f"cm_{name}_{n:02d}" for n in range(1, count + 1))
        weights = tuple(round(rng.uniform(0.5, 1.6), 3) for _ in managers)
        teams.append(Team(name, f"sup_{name}", f"intake_{name}", managers, weights))
    return teams


def _display_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def user_rows(rng: random.Random, teams: list[Team], now: datetime) -> list[dict[str, object]]:
    """One app_user row per generated person (the same rows for the same seed)."""
    password_hash = PasswordHasher().hash(PASSWORD)
    rows: list[dict[str, object]] = []
    for team in teams:
        people = [(team.supervisor, "supervisor"), (team.intake, "intake")]
        people += [(manager, "case_manager") for manager in team.managers]
        for username, role in people:
            rows.append(
                {
                    "username": username,
                    "display_name": _display_name(rng),
                    "password_hash": password_hash,
                    "roles": [role],
                    "team": team.name,
                    "active": True,
                    "created_at": now,
                }
            )
    return rows


def insert_users(connection: Connection, rows: list[dict[str, object]]) -> int:
    """Insert the users that do not exist yet; how many were new."""
    existing = set(connection.scalars(select(User.username)))
    new = [row for row in rows if row["username"] not in existing]
    if new:
        connection.execute(insert(User), new)
    return len(new)
