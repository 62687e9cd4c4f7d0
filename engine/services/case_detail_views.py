"""What the case page shows: plain frozen data, built by CaseDetailService."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Consent:
    """One consent the client gave: who may receive what, until when."""

    recipient: str
    recipient_type: str | None
    purposes: tuple[str, ...]
    valid_until: str | None
    expired: bool


@dataclass(frozen=True)
class Goal:
    """A goal of the current plan with its latest progress."""

    key: str
    description: str
    target_date: str | None
    measure: str | None
    achievement: str | None
    note: str | None
    progress_at: str | None


@dataclass(frozen=True)
class Intervention:
    """Who does what, how often, at what estimated cost."""

    who: str
    what: str
    frequency: str
    estimated_cost: float | None


@dataclass(frozen=True)
class AgencyReferral:
    """An agency referral of the plan and what is known of its status."""

    id: str
    agency: str
    agency_type: str | None
    purpose: str
    status: str
    status_at: datetime | None


@dataclass(frozen=True)
class Plan:
    """The care plan as the case record holds it."""

    status: str | None
    approved_at: str | None
    review_due: str | None
    problems: tuple[str, ...]
    goals: tuple[Goal, ...]
    interventions: tuple[Intervention, ...]
    total_cost: float
    referrals: tuple[AgencyReferral, ...]


@dataclass(frozen=True)
class ScorePoint:
    """One administration of an instrument."""

    instrument: str
    total: int | None
    band: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class LatestScore:
    """The latest result of an instrument, with the baseline total when there is one."""

    instrument: str
    label: str
    total: int | None
    band: str | None
    baseline_total: int | None
    detail: str


@dataclass(frozen=True)
class TimelineEntry:
    """One audit event in plain words."""

    at: datetime
    actor: str
    action: str
    text: str


@dataclass(frozen=True)
class Note:
    """A free-text note on the case."""

    id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class OpenTask:
    """A ready task of the case's current instance."""

    id: str
    name: str
    lane: str | None
    assignee: str | None
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case page shows."""

    id: int
    client: dict[str, Any]
    referral: dict[str, Any]
    status: str
    phase: str
    manager: str | None
    risk_tier: str | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    closure_reason: str | None
    instance_id: int | None
    consents: tuple[Consent, ...]
    plan: Plan | None
    inactive_goals: tuple[Goal, ...]
    scores: tuple[ScorePoint, ...]
    latest: tuple[LatestScore, ...]
    timeline: tuple[TimelineEntry, ...]
    timeline_total: int
    notes: tuple[Note, ...]
    open_tasks: tuple[OpenTask, ...]
    today: str

    def series(self, instrument: str) -> tuple[ScorePoint, ...]:
        """The instrument's administrations with a total, oldest first."""
        return tuple(p for p in self.scores if p.instrument == instrument and p.total is not None)
