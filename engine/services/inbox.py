"""The inbox page's read side: ready tasks joined to their cases, filtered, sorted and paged.

One SQL query per page (human_task LEFT JOIN care_case) plus one aggregate for the section
badges; never a workflow load. Saved filters are a person's named queries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Forbidden, NotFound
from engine.identity import Actor
from engine.persistence.tables import CareCase, HumanTask, HumanTaskRole, SavedFilter
from engine.services.case_projection import EPISODE_STATUSES, PHASES
from engine.services.cases import CaseView
from engine.services.context import Context

SCOPES = ("mine", "team", "all")
SORTS = ("due", "risk")
RISK_TIERS = ("high", "moderate", "low")
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_SAVED_FILTERS = 50
FILTER_KEYS = ("scope", "phase", "task", "risk", "overdue", "sort")


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox shows: a scope, optional filters, a sort order and a page."""

    scope: str = "mine"
    phase: str | None = None
    task: str | None = None  # a task element id, e.g. "intake_screening"
    risk: str | None = None  # high, moderate, low
    overdue: bool = False
    sort: str = "due"  # due (nulls last) or risk (high -> low, then due)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def parse(cls, args: dict[str, Any]) -> InboxQuery:
        """A query from request-like string values; unknown or empty values are ignored,
        invalid ones raise BadRequest."""

        def text(key: str) -> str | None:
            value = args.get(key)
            if value is None:
                return None
            value = str(value).strip()
            return value or None

        scope = text("scope") or "mine"
        if scope not in SCOPES:
            raise BadRequest(f"scope must be one of {', '.join(SCOPES)}")
        sort = text("sort") or "due"
        if sort not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
        phase = text("phase")
        if phase is not None and phase not in PHASES:
            raise BadRequest(f"phase must be one of {', '.join(PHASES)}")
        risk = text("risk")
        if risk is not None and risk not in RISK_TIERS:
            raise BadRequest(f"risk must be one of {', '.join(RISK_TIERS)}")
        task = text("task")
        if task is not None and len(task) > 200:
            raise BadRequest("task must be a task element id")
        overdue = (text("overdue") or "").lower() in ("1", "true", "yes", "on")
        page = _positive_int(text("page"), 1, "page")
        per_page = min(_positive_int(text("per_page"), DEFAULT_PER_PAGE, "per_page"), MAX_PER_PAGE)
        return cls(scope, phase, task, risk, overdue, sort, page, per_page)

    def filters(self) -> dict[str, str]:
        """The scope, filters and sort as query-string values (what a saved filter keeps)."""
        values = {
            "scope": self.scope,
            "phase": self.phase or "",
            "task": self.task or "",
            "risk": self.risk or "",
            "overdue": "1" if self.overdue else "",
            "sort": self.sort,
        }
        return {k: v for k, v in values.items() if v and (k, v) not in _DEFAULTS}

    def with_scope(self, scope: str) -> InboxQuery:
        """The same filters in another scope, back on page 1."""
        return replace(self, scope=scope, page=1)


_DEFAULTS = {("scope", "mine"), ("sort", "due")}


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox: a ready task and the case it belongs to."""

    task_id: str
    task_name: str
    element_id: str
    process_id: str
    instance_id: int
    case_id: int | None
    client_name: str | None
    phase: str | None
    risk_tier: str | None
    due_at: datetime | None
    overdue: bool
    due_today: bool
    assignee: str | None
    lane: str | None
    candidate_roles: list[str]
    created_at: datetime


@dataclass(frozen=True)
class InboxPage:
    """A page of rows, the total the filters match and the count of every visible scope."""

    query: InboxQuery
    rows: list[InboxRow]
    total: int
    counts: dict[str, int]
    now: datetime

    @property
    def pages(self) -> int:
        """How many pages the total fills (at least one)."""
        return max(1, -(-self.total // self.query.per_page))


@dataclass(frozen=True)
class SavedFilterView:
    """A person's named inbox filter."""

    name: str
    query: dict[str, str] = field(default_factory=dict)


class InboxService:
    """Read the inbox, count its sections, keep saved filters, search clients."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- reading ---------------------------------------------------------------------------

    def scopes(self, actor: Actor) -> tuple[str, ...]:
        """The sections actor may open: everyone's tasks only for supervisors and admins."""
        return SCOPES if actor.has("supervisor") else SCOPES[:2]

    def page(self, actor: Actor, query: InboxQuery | None = None) -> InboxPage:
        """A page of ready tasks in query's scope, with the count of every scope actor sees."""
        query = query or InboxQuery()
        if query.scope not in SCOPES:
            raise BadRequest(f"scope must be one of {', '.join(SCOPES)}")
        if query.scope not in self.scopes(actor):
            raise Forbidden("only supervisors and admins see everyone's tasks")
        now = self.ctx.clock.now()
        today_ends = _end_of_day(now)
        conditions = [_in_scope(query.scope, actor), *_filters(query, now)]
        rows_q = (
            _base()
            .add_columns(
                HumanTask.id,
                HumanTask.name,
                HumanTask.element_id,
                HumanTask.process_id,
                HumanTask.instance_id,
                HumanTask.case_id,
                CareCase.client_name,
                CareCase.phase,
                CareCase.risk_tier,
                HumanTask.due_at,
                HumanTask.assignee,
                HumanTask.lane,
                HumanTask.candidate_roles,
                HumanTask.created_at,
            )
            .where(*conditions)
            .order_by(*_order(query.sort))
            .limit(query.per_page)
            .offset((query.page - 1) * query.per_page)
        )
        with self.ctx.uow() as uow:
            session = uow.session
            found = session.execute(rows_q).all()
            counts = self._counts(session, actor, query, now)
        rows = [
            InboxRow(
                task_id=r.id,
                task_name=r.name,
                element_id=r.element_id,
                process_id=r.process_id,
                instance_id=r.instance_id,
                case_id=r.case_id,
                client_name=r.client_name,
                phase=r.phase,
                risk_tier=r.risk_tier,
                due_at=r.due_at,
                overdue=r.due_at is not None and r.due_at < now,
                due_today=r.due_at is not None and now <= r.due_at < today_ends,
                assignee=r.assignee,
                lane=r.lane,
                candidate_roles=[role for role in r.candidate_roles or [] if role != "*"],
                created_at=r.created_at,
            )
            for r in found
        ]
        return InboxPage(query, rows, counts.get(query.scope, 0), counts, now)

    def counts(self, actor: Actor, query: InboxQuery | None = None) -> dict[str, int]:
        """How many ready tasks each visible scope holds under query's filters (the badges)."""
        query = query or InboxQuery()
        with self.ctx.uow() as uow:
            return self._counts(uow.session, actor, query, self.ctx.clock.now())

    def task_types(self) -> list[tuple[str, str]]:
        """(element id, name) of the ready tasks' kinds, for the task filter."""
        q = (
            select(HumanTask.element_id, func.min(HumanTask.name))
            .where(HumanTask.status == "ready")
            .group_by(HumanTask.element_id)
            .order_by(func.min(HumanTask.name))
        )
        with self.ctx.uow() as uow:
            return [(element, name) for element, name in uow.session.execute(q).all()]

    def _counts(
        self, session: Session, actor: Actor, query: InboxQuery, now: datetime
    ) -> dict[str, int]:
        # One small count per scope: each can use its own index (status+assignee for mine,
        # human_task_role.role for team, status for all); one query with a CASE per scope
        # scanned every ready task instead.
        found: dict[str, int] = {}
        filters = _filters(query, now)
        for scope in self.scopes(actor):
            q = (
                select(func.count())
                .select_from(HumanTask)
                .where(HumanTask.status == "ready", _in_scope(scope, actor), *filters)
            )
            if query.phase or query.risk:
                q = q.join(CareCase, CareCase.id == HumanTask.case_id)
            found[scope] = int(session.scalar(q) or 0)
        return found

    # -- saved filters ------------------------------------------------------------------------

    def save(self, actor: Actor, name: str, query: InboxQuery | dict[str, Any]) -> SavedFilterView:
        """Keep query's scope, filters and sort under name for actor (replacing a namesake)."""
        name = " ".join(str(name or "").split())
        if not name:
            raise BadRequest("give the filter a name")
        if len(name) > 80:
            raise BadRequest("a filter name has at most 80 characters")
        parsed = query if isinstance(query, InboxQuery) else InboxQuery.parse(query)
        if parsed.scope not in self.scopes(actor):
            raise Forbidden("only supervisors and admins see everyone's tasks")
        values = parsed.filters()
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            session = uow.session
            row = session.scalar(
                select(SavedFilter).where(
                    SavedFilter.username == actor.username, SavedFilter.name == name
                )
            )
            if row is None:
                held = session.scalar(
                    select(func.count())
                    .select_from(SavedFilter)
                    .where(SavedFilter.username == actor.username)
                )
                if (held or 0) >= MAX_SAVED_FILTERS:
                    raise BadRequest(f"at most {MAX_SAVED_FILTERS} saved filters; delete one")
                session.add(
                    SavedFilter(username=actor.username, name=name, query=values, created_at=now)
                )
            else:
                row.query = values
            uow.commit()
        return SavedFilterView(name, values)

    def saved(self, actor: Actor) -> list[SavedFilterView]:
        """actor's saved filters by name."""
        q = (
            select(SavedFilter)
            .where(SavedFilter.username == actor.username)
            .order_by(SavedFilter.name)
        )
        with self.ctx.uow() as uow:
            return [
                SavedFilterView(r.name, {str(k): str(v) for k, v in (r.query or {}).items()})
                for r in uow.session.scalars(q)
            ]

    def delete(self, actor: Actor, name: str) -> None:
        """Forget one of actor's saved filters (NotFound if there is none by that name)."""
        name = " ".join(str(name or "").split())
        with self.ctx.uow() as uow:
            gone = uow.session.execute(
                delete(SavedFilter).where(
                    SavedFilter.username == actor.username, SavedFilter.name == name
                )
            )
            if gone.rowcount != 1:  # type: ignore[attr-defined]
                raise NotFound(f"no saved filter {name!r}")
            uow.commit()

    # -- client search ---------------------------------------------------------------------

    def search(
        self,
        actor: Actor,
        name: str | None = None,
        birth_date: str | None = None,
        status: str | None = None,
        manager: str | None = None,
        limit: int = 100,
    ) -> list[CaseView]:
        """Cases actor may see (the rule of case_projection.may_see, in SQL) matching every
        given criterion: name (part, any case), birth date (YYYY-MM-DD), status, manager."""
        if status and status not in EPISODE_STATUSES:
            raise BadRequest(f"status must be one of {', '.join(EPISODE_STATUSES)}")
        q = select(CareCase)
        if name and name.strip():
            q = q.where(func.lower(CareCase.client_name).contains(name.strip().lower()))
        if birth_date and birth_date.strip():
            q = q.where(CareCase.birth_date == birth_date.strip())
        if status:
            q = q.where(CareCase.status == status)
        if manager and manager.strip():
            q = q.where(CareCase.manager == manager.strip())
        q = q.where(_may_see(actor)).order_by(CareCase.client_name, CareCase.id)
        with self.ctx.uow() as uow:
            return [CaseView.of(r) for r in uow.session.scalars(q.limit(max(1, min(limit, 500))))]

    def list(self, actor: Actor) -> list[SavedFilterView]:
        """actor's saved filters by name (the same as saved())."""
        return self.saved(actor)


def as_dict(view: SavedFilterView) -> dict[str, Any]:
    """A saved filter as plain data."""
    return asdict(view)


def _base() -> Select[Any]:
    return (
        select()
        .select_from(HumanTask)
        .outerjoin(CareCase, CareCase.id == HumanTask.case_id)
        .where(HumanTask.status == "ready")
    )


def _in_scope(scope: str, actor: Actor) -> ColumnElement[bool]:
    if scope == "mine":
        return HumanTask.assignee == actor.username
    if scope == "team":
        return and_(HumanTask.assignee.is_(None), _offered_to(actor))
    return literal(True) if actor.has("supervisor") else false()


def _offered_to(actor: Actor) -> ColumnElement[bool]:
    offered = exists().where(HumanTaskRole.task_id == HumanTask.id)
    if "admin" in actor.roles:
        return offered
    return offered.where(HumanTaskRole.role.in_(["*", *sorted(actor.roles)]))


def _filters(query: InboxQuery, now: datetime) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.phase:
        found.append(CareCase.phase == query.phase)
    if query.task:
        found.append(HumanTask.element_id == query.task)
    if query.risk:
        found.append(CareCase.risk_tier == query.risk)
    if query.overdue:
        found.append(HumanTask.due_at < now)
    return found


def _order(sort: str) -> list[Any]:
    # NULLS LAST (not `due_at IS NULL` first): both SQLite and PostgreSQL then walk
    # ix_human_task_status_due and stop after a page instead of sorting every ready task.
    due = [HumanTask.due_at.asc().nulls_last(), HumanTask.created_at, HumanTask.id]
    if sort == "risk":
        rank = case(
            (CareCase.risk_tier == "high", 0),
            (CareCase.risk_tier == "moderate", 1),
            (CareCase.risk_tier == "low", 2),
            else_=3,
        )
        return [rank, *due]
    return due


def _may_see(actor: Actor) -> ColumnElement[bool]:
    if actor.has("supervisor"):
        return literal(True)
    rules: list[ColumnElement[bool]] = [
        CareCase.manager == actor.username,
        CareCase.opened_by == actor.username,
        exists().where(
            HumanTask.case_id == CareCase.id,
            or_(HumanTask.assignee == actor.username, HumanTask.completed_by == actor.username),
        ),
    ]
    if "intake" in actor.roles:
        rules.append(CareCase.phase == "intake")
    return or_(*rules)


def _end_of_day(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=now.tzinfo)


def _positive_int(value: str | None, default: int, key: str) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{key} must be a whole number") from None
    if number < 1:
        raise BadRequest(f"{key} must be at least 1")
    return number
