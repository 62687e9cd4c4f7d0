"""Supervisor reports, computed from the read models and the audit log only."""

from __future__ import annotations

from engine.services.context import Context


class ReportService:
    """Each report for a period and a team, as plain rows ready for a page, CSV or JSON."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
