"""Typed SQLAlchemy models: the whole stored state of CareCycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


class User(Base):
    """A person who signs in: case manager, supervisor, designer, ..."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(default=list)
    team: Mapped[str | None] = mapped_column(String(80), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token, stored only as its SHA-256."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class ProcessVersion(Base):
    """One deployed version of a process: its specs, forms and sources, immutable."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(400))
    content_hash: Mapped[str] = mapped_column(String(64))
    bundle: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_file: Mapped[str] = mapped_column(String(400))
    sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(80))


class ProcessInstance(Base):
    """A running (or finished) workflow; lock_version guards against stale writes."""

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_status_id", "status", "id"),
        Index("ix_process_instance_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_before_suspend: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    case_id: Mapped[int | None] = mapped_column(BigId, index=True)
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    """The inbox read model: one row per human task, kept in step with the workflow."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_status_assignee", "status", "assignee"),
        Index("ix_human_task_status_due", "status", "due_at"),
        Index("ix_human_task_completed_at", "completed_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(BigId, index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400))
    lane: Mapped[str | None] = mapped_column(String(80))
    candidate_roles: Mapped[list[str]] = mapped_column(default=list)
    form_id: Mapped[str | None] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(80))
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(80))


class HumanTaskRole(Base):
    """Which roles may work a task ('*' when any role may): indexed for the team inbox."""

    __tablename__ = "human_task_role"
    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class Timer(Base):
    """A waiting BPMN timer and its due time; the scheduler claims and fires due rows."""

    __tablename__ = "timer"
    __table_args__ = (
        Index("ix_timer_status_due", "status", "due_at"),
        Index("ix_timer_closed_at", "closed_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claim_expires_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only record of every change: who, what, when, status before and after."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[int | None] = mapped_column(BigId, index=True)
    case_id: Mapped[int | None] = mapped_column(BigId, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CareCase(Base):
    """The case read model: one client's episode of care, kept in step with its workflow."""

    __tablename__ = "care_case"
    __table_args__ = (Index("ix_care_case_status_manager", "status", "manager"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("process_instance.id", ondelete="SET NULL"), index=True
    )
    client_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[str | None] = mapped_column(String(10), index=True)
    client: Mapped[dict[str, Any]] = mapped_column(default=dict)
    referral: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(30), index=True)
    phase: Mapped[str] = mapped_column(String(20), index=True)
    manager: Mapped[str | None] = mapped_column(String(80), index=True)
    risk_tier: Mapped[str | None] = mapped_column(String(10), index=True)
    consents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    baseline_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    closure_reason: Mapped[str | None] = mapped_column(String(40), index=True)
    first_contact_at: Mapped[datetime | None]
    plan_approved_at: Mapped[datetime | None]
    satisfaction: Mapped[int | None]
    cost_estimate: Mapped[float | None]
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class CaseGoal(Base):
    """A goal of a case's current plan with its latest progress."""

    __tablename__ = "case_goal"
    __table_args__ = (UniqueConstraint("case_id", "goal_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("care_case.id", ondelete="CASCADE"), index=True
    )
    goal_key: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[str | None] = mapped_column(String(10))
    measure: Mapped[str | None] = mapped_column(Text)
    achievement: Mapped[str | None] = mapped_column(String(30))
    progress_note: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class CaseScore(Base):
    """One administration of an instrument: its total and band, for charts and reports."""

    __tablename__ = "case_score"
    __table_args__ = (
        Index("ix_case_score_case_instrument", "case_id", "instrument", "recorded_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("care_case.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(20))
    total: Mapped[int | None]
    band: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recorded_at: Mapped[datetime]


class CaseScoreTrend(Base):
    """Per case and instrument: first and latest score, so reports read one row per case."""

    __tablename__ = "case_score_trend"
    __table_args__ = (Index("ix_case_score_trend_instrument_latest", "instrument", "latest_at"),)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("care_case.id", ondelete="CASCADE"), primary_key=True
    )
    instrument: Mapped[str] = mapped_column(String(20), primary_key=True)
    administrations: Mapped[int]
    baseline_total: Mapped[int]
    baseline_at: Mapped[datetime]
    latest_total: Mapped[int]
    latest_at: Mapped[datetime]


class CaseReferral(Base):
    """An agency referral of a case's plan: open from plan approval until answered or refused."""

    __tablename__ = "case_referral"
    __table_args__ = (
        UniqueConstraint("case_id", "referral_key"),
        Index("ix_case_referral_status_opened", "status", "opened_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("care_case.id", ondelete="CASCADE"), index=True
    )
    referral_key: Mapped[str] = mapped_column(String(80))
    agency: Mapped[str] = mapped_column(String(200), default="")
    agency_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime]
    status_at: Mapped[datetime]


class ClockState(Base):
    """The simulated clock's offset, shared by every process of a deployment (one row)."""

    __tablename__ = "clock_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime]


class SchedulerLease(Base):
    """Who runs a scheduler, until when: SQLite allows one; PostgreSQL lists them all."""

    __tablename__ = "scheduler_lease"
    holder: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TaskDraft(Base):
    """A half-filled form saved by its author, so a long assessment is not lost."""

    __tablename__ = "task_draft"
    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[datetime]


class SavedFilter(Base):
    """A person's named inbox filter (scope, phase, task, risk tier, overdue, sort)."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("username", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class CaseNote(Base):
    """A free-text note on a case, by its author, append-only."""

    __tablename__ = "case_note"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("care_case.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
