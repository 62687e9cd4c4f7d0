"""Caseloads per case manager, and moving cases (with their tasks) between managers."""

from __future__ import annotations

from engine.services.context import Context


class CaseloadService:
    """Open cases and tasks per manager; reassign one case or a departing manager's cases."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
