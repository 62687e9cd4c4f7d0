"""Who is acting: a username and the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("intake", "case_manager", "supervisor", "care_team", "designer", "admin")
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The person (or system part) a command runs for."""

    username: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        """Whether the actor holds any of roles (admins hold every role)."""
        return "admin" in self.roles or any(r in self.roles for r in roles)

    def may_work(self, candidate_roles: list[str] | tuple[str, ...]) -> bool:
        """Whether the actor may work a task offered to candidate_roles (empty: anyone)."""
        return not candidate_roles or "*" in candidate_roles or self.has(*candidate_roles)


SYSTEM_ACTOR = Actor(SYSTEM, frozenset({"admin"}))
