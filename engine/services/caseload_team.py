"""Whose work a supervisor oversees: their team's case managers (everyone's without a team)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import BadRequest
from engine.identity import Actor
from engine.persistence.tables import User


@dataclass(frozen=True)
class Scope:
    """The team a supervisor oversees; None when they oversee every team."""

    team: str | None

    def covers(self, user_team: str | None) -> bool:
        """Whether a person of user_team is within this scope."""
        return self.team is None or user_team == self.team


def scope_of(session: Session, actor: Actor) -> Scope:
    """Admins and supervisors without a team oversee everyone; others their own team."""
    if "admin" in actor.roles:
        return Scope(None)
    team = session.scalar(select(User.team).where(User.username == actor.username))
    return Scope(team or None)


def team_usernames(session: Session, scope: Scope) -> list[str] | None:
    """Usernames of the scope's team (None: no restriction)."""
    if scope.team is None:
        return None
    return list(session.scalars(select(User.username).where(User.team == scope.team)))


def case_managers(session: Session, scope: Scope, active_only: bool = True) -> list[User]:
    """Case managers within the scope, by username."""
    query = select(User).order_by(User.username)
    if scope.team is not None:
        query = query.where(User.team == scope.team)
    if active_only:
        query = query.where(User.active.is_(True))
    return [u for u in session.scalars(query) if "case_manager" in (u.roles or [])]


def target_manager(session: Session, scope: Scope, username: str) -> User:
    """An active case manager within the scope to move work to (BadRequest otherwise)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or "case_manager" not in (user.roles or []):
        raise BadRequest(
            f"{username!r} is not an active case manager",
            {"manager": f"{username!r} is not an active case manager"},
        )
    if not scope.covers(user.team):
        raise BadRequest(
            f"{username} is not in your team",
            {"manager": f"{username} is not in your team"},
        )
    return user
