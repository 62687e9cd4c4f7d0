"""Who may use the supervisor's console: supervisors and admins, nobody else."""

from __future__ import annotations

from engine.errors import Forbidden
from engine.identity import Actor


def require_supervisor(actor: Actor) -> None:
    """Forbidden unless the actor is a supervisor or an admin."""
    if not actor.has("supervisor"):
        raise Forbidden("only supervisors and admins may use the supervisor's console")
