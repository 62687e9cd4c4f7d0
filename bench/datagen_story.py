"""One generated case's life: when each milestone happened and where it stands at `now`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.datagen_people import TEAM_WEIGHTS, Team

SPAN_DAYS = 730
URGENCIES = (("immediate", 0.1), ("expedited", 0.3), ("routine", 0.6))
FIRST_CONTACT_DUE = {"immediate": 1.0, "expedited": 5.0, "routine": 14.0}
CLOSURE_REASONS = (
    ("goals_met", 0.45),
    ("client_declined", 0.12),
    ("unable_to_contact", 0.15),
    ("moved", 0.08),
    ("transferred", 0.08),
    ("deceased", 0.02),
    ("other", 0.10),
)
DAY = timedelta(days=1)


@dataclass
class Story:
    """The milestones of one case (None: not reached by now) and its standing."""

    case_id: int
    instance_id: int
    team: Team
    manager: str | None
    urgency: str
    opened_at: datetime
    first_contact_due: datetime
    assigned_at: datetime
    first_contact_at: datetime | None
    assessed_at: datetime | None
    plan_approved_at: datetime | None
    monitoring_from: datetime | None
    closed_at: datetime | None = None
    closure_reason: str | None = None
    phase: str = "intake"
    status: str = "planned"
    instance_status: str = "waiting"
    step: str = ""  # the open case's current user task (or "" when waiting on a timer)
    safety_alert: bool = False  # PHQ-9 item 9 above 0 at the first assessment

    def until(self, now: datetime) -> datetime:
        """When the case's history stops: its closing time, else now."""
        return self.closed_at or now

    @property
    def supervisor(self) -> str:
        """The supervisor of the case's team."""
        return self.team.supervisor


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def _first_contact_delay(rng: random.Random, urgency: str) -> timedelta:
    due = FIRST_CONTACT_DUE[urgency]
    late = rng.random() < 0.15
    return _days(rng, due, due * 1.8) if late else _days(rng, due * 0.1, due * 0.95)


def begin(
    rng: random.Random, teams: list[Team], case_id: int, instance_id: int, now: datetime
) -> Story:
    """A case opened in the last two years with its planned milestones (before `now` or not)."""
    team = rng.choices(teams, TEAM_WEIGHTS[: len(teams)])[0]
    manager = rng.choices(team.managers, team.weights)[0]
    urgency = _pick(rng, URGENCIES)
    opened = now - timedelta(days=SPAN_DAYS * rng.random() ** 1.15)
    assigned = opened + (_days(rng, 0.01, 0.1) if urgency == "immediate" else _days(rng, 0.1, 2))
    contact = assigned + _first_contact_delay(rng, urgency)
    assessed = contact + _days(rng, 3, 14)
    approved = assessed + _days(rng, 4, 20)
    story = Story(
        case_id=case_id,
        instance_id=instance_id,
        team=team,
        manager=manager,
        urgency=urgency,
        opened_at=opened,
        first_contact_due=opened + timedelta(days=FIRST_CONTACT_DUE[urgency]),
        assigned_at=assigned,
        first_contact_at=contact,
        assessed_at=assessed,
        plan_approved_at=approved,
        monitoring_from=approved + _days(rng, 7, 28),
    )
    _settle(rng, story, now)
    return story


def _settle(rng: random.Random, story: Story, now: datetime) -> None:
    """Decide where the case stands at `now`: closed, or open in some phase."""
    age_days = (now - story.opened_at) / DAY
    roll = rng.random()
    if roll < 0.02:
        return _ineligible(rng, story, now)
    monitoring = story.monitoring_from
    assert monitoring is not None
    if roll < 0.02 + 0.7 * age_days / SPAN_DAYS and monitoring + 14 * DAY < now:
        story.closed_at = monitoring + _days(rng, 14, (now - monitoring) / DAY)
        story.closure_reason = _pick(rng, CLOSURE_REASONS)
        story.phase, story.status = "closed", "finished"
        done = story.closed_at + 30 * DAY < now and rng.random() < 0.97
        story.instance_status = "completed" if done else "waiting"  # check-in pending
        return None
    _open_phase(rng, story, now)
    _overlay(rng, story, now)
    return None


def _ineligible(rng: random.Random, story: Story, now: datetime) -> None:
    story.first_contact_at = story.assessed_at = None
    story.plan_approved_at = story.monitoring_from = None
    story.closed_at = min(now, story.opened_at + _days(rng, 0.05, 3))
    story.phase, story.status, story.instance_status = "closed", "cancelled", "completed"
    story.manager = None


def _open_phase(rng: random.Random, story: Story, now: datetime) -> None:
    """The phase an open case is in at `now`, its status and its current user task."""
    story.status = "active"
    if now < story.assigned_at:
        story.phase, story.status = "intake", "planned"
        story.step = rng.choice(("intake_screening", "consent", "assign_case_manager"))
        story.manager = None
    elif story.first_contact_at is not None and now < story.first_contact_at:
        story.phase, story.step = "intake", "first_contact"
    elif story.assessed_at is not None and now < story.assessed_at:
        story.phase = "assessment"
        story.step = rng.choice(("psychosocial_assessment", "instruments", "risk_review"))
    elif story.plan_approved_at is not None and now < story.plan_approved_at:
        story.phase = "planning"
        story.step = rng.choice(("service_plan", "client_decision", "plan_approval"))
    elif story.monitoring_from is not None and now < story.monitoring_from:
        story.phase = "implementation"
        story.step = rng.choice(("", "", "referral_followup", "physician_review"))
    else:
        _late_phase(rng, story)
    _forget_future(story, now)


def _late_phase(rng: random.Random, story: Story) -> None:
    roll = rng.random()
    if roll < 0.06:
        story.phase, story.step = "evaluation", "evaluation"
    elif roll < 0.09:
        story.phase = "closure"
        story.step = rng.choice(("closure_summary", "closure_approval"))
    else:
        story.phase = "monitoring"
        story.step = "monitoring_contact" if rng.random() < 0.45 else ""


def _forget_future(story: Story, now: datetime) -> None:
    """Milestones planned after `now` have not happened."""
    if story.first_contact_at is not None and story.first_contact_at > now:
        story.first_contact_at = None
    if story.assessed_at is not None and story.assessed_at > now:
        story.assessed_at = None
    if story.plan_approved_at is not None and story.plan_approved_at > now:
        story.plan_approved_at = None
    if story.monitoring_from is not None and story.monitoring_from > now:
        story.monitoring_from = None


def _overlay(rng: random.Random, story: Story, now: datetime) -> None:
    """A few open instances are suspended, in error or terminated."""
    roll = rng.random()
    if roll < 0.01:
        story.instance_status, story.status = "suspended", "onhold"
    elif roll < 0.015:
        story.instance_status, story.step = "error", ""
    elif roll < 0.02:
        story.instance_status, story.status, story.step = "terminated", "cancelled", ""
        story.closed_at = max(story.opened_at, now - _days(rng, 0, 5))
        _forget_future(story, story.closed_at)
