"""Supervisor reports, computed with SQL over the read models only (never loading workflows).

Every report takes a `ReportFilter` (period: whole UTC days, `start` included, `end` excluded;
default the last 90 days up to today; optional team: only cases whose manager's app_user.team
is that team) and returns a `Report` of named tables that the page, the CSV and the JSON
render alike. The reports and their exact definitions (see each module's docstring):

- caseload (caseload.py): open cases per active case manager now, and their distribution.
- timeliness (timeliness.py): days from referral to first contact and to the approved plan.
- deadlines (deadlines.py): % of each policy deadline (human task due date) met.
- goals (closures.py): % of plan goals achieved, for cases closed in the period.
- scores (scores.py): PHQ-9 / GAD-7 change from baseline.
- referrals (referrals.py): agency referrals open past 14 days, now.
- closures (closures.py): cases closed in the period per closure reason.
- satisfaction (experience.py): latest satisfaction of the cases active in the period.
- cost (experience.py): estimated plan cost per case, cases active in the period.

Exports (CSV and JSON) suppress small cells (export.py) and are audited as "report.exported".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.errors import BadRequest, NotFound
from engine.identity import Actor
from engine.persistence.tables import User
from engine.services.access import require_supervisor
from engine.services.context import Context, record
from engine.services.reports import (
    caseload,
    closures,
    deadlines,
    experience,
    referrals,
    scores,
    timeliness,
)
from engine.services.reports.export import FORMATS
from engine.services.reports.filters import ReportFilter, default_filter, make_filter
from engine.services.reports.shapes import Column, Report, Table

__all__ = [
    "REPORTS",
    "Column",
    "Report",
    "ReportFilter",
    "ReportInfo",
    "ReportService",
    "Table",
    "make_filter",
]

Builder = Callable[[Session, ReportFilter, datetime], Report]
REPORT_WORK_MEM = "64MB"


@dataclass(frozen=True)
class ReportInfo:
    """A report's name, title and one-sentence definition."""

    name: str
    title: str
    definition: str


_BUILDERS: dict[str, tuple[ReportInfo, Builder]] = {
    info.name: (info, builder)
    for info, builder in (
        (ReportInfo(caseload.NAME, caseload.TITLE, caseload.DEFINITION), caseload.build),
        (ReportInfo(timeliness.NAME, timeliness.TITLE, timeliness.DEFINITION), timeliness.build),
        (ReportInfo(deadlines.NAME, deadlines.TITLE, deadlines.DEFINITION), deadlines.build),
        (
            ReportInfo(closures.GOALS, closures.GOALS_TITLE, closures.GOALS_DEFINITION),
            closures.goals_at_closure,
        ),
        (ReportInfo(scores.NAME, scores.TITLE, scores.DEFINITION), scores.build),
        (ReportInfo(referrals.NAME, referrals.TITLE, referrals.DEFINITION), referrals.build),
        (
            ReportInfo(closures.CLOSURES, closures.CLOSURES_TITLE, closures.CLOSURES_DEFINITION),
            closures.closure_reasons,
        ),
        (
            ReportInfo(
                experience.SATISFACTION,
                experience.SATISFACTION_TITLE,
                experience.SATISFACTION_DEFINITION,
            ),
            experience.satisfaction,
        ),
        (
            ReportInfo(experience.COST, experience.COST_TITLE, experience.COST_DEFINITION),
            experience.cost,
        ),
    )
}
REPORTS: tuple[ReportInfo, ...] = tuple(info for info, _ in _BUILDERS.values())


class ReportService:
    """Each report for a period and a team, as plain rows ready for a page, CSV or JSON."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def catalog(self, actor: Actor) -> tuple[ReportInfo, ...]:
        """The reports there are, in page order."""
        require_supervisor(actor)
        return REPORTS

    def default_filter(self, team: str | None = None) -> ReportFilter:
        """The last 90 days up to today by the engine clock."""
        return default_filter(self.ctx.clock.now(), team)

    def filter(self, start: date | None, end: date | None, team: str | None) -> ReportFilter:
        """A filter from optional dates (missing parts take the defaults)."""
        return make_filter(self.ctx.clock.now(), start, end, team)

    def teams(self, actor: Actor) -> list[str]:
        """The teams people belong to, alphabetically."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            found = uow.session.scalars(
                select(User.team).where(User.team.is_not(None)).distinct().order_by(User.team)
            )
            return [str(team) for team in found]

    def run(self, name: str, actor: Actor, report_filter: ReportFilter) -> Report:
        """One report, computed now (read only)."""
        require_supervisor(actor)
        _info, builder = self._builder(name)
        with self.ctx.uow() as uow:
            _tune(uow.session)
            return builder(uow.session, report_filter, self.ctx.clock.now())

    def run_all(self, actor: Actor, report_filter: ReportFilter) -> list[Report]:
        """Every report, in page order, from one transaction."""
        require_supervisor(actor)
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            _tune(uow.session)
            return [builder(uow.session, report_filter, now) for _i, builder in _BUILDERS.values()]

    def export(
        self,
        name: str,
        actor: Actor,
        report_filter: ReportFilter,
        fmt: str,
        table: str | None = None,
    ) -> Report:
        """A report for export in `fmt` (csv or json), audited as report.exported.

        `table` names the one exported table a CSV carries (NotFound, and no audit, if the
        report has no such exported table).
        """
        require_supervisor(actor)
        if fmt not in FORMATS:
            raise BadRequest(f"unknown export format {fmt!r}", {"format": "csv or json"})
        _info, builder = self._builder(name)
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            _tune(uow.session)
            report = builder(uow.session, report_filter, now)
            if table is not None and table not in {t.name for t in report.exported_tables}:
                raise NotFound(f"report {name} has no exported table {table!r}")
            detail = {"report": name, **report_filter.as_dict(), "format": fmt}
            if table is not None:
                detail["table"] = table
            record(uow.session, now, actor.username, "report.exported", detail=detail)
            uow.commit()
        return report

    @staticmethod
    def _builder(name: str) -> tuple[ReportInfo, Builder]:
        found = _BUILDERS.get(name)
        if found is None:
            raise NotFound(f"there is no report {name!r}")
        return found


def _tune(session: Session) -> None:
    """PostgreSQL: give this transaction's aggregates room in memory (SET LOCAL: it ends with
    the transaction), so grouping 100,000 cases' scores hashes in memory instead of sorting
    on disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
