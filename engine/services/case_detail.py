"""The case page's read side: one case with its plan, scores, consents, timeline, notes, tasks.

Everything comes from the read models (care_case, case_goal, case_score, human_task,
case_note) and the audit log; no workflow is loaded. Opening the page is a read of the case,
so it is audited (case.viewed, or case.view_denied) in the same transaction as the read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, FormInvalid, NotFound
from engine.identity import Actor
from engine.persistence.tables import (
    AuditEvent,
    CareCase,
    CaseGoal,
    CaseNote,
    CaseScore,
    HumanTask,
    ProcessInstance,
)
from engine.persistence.unit_of_work import UnitOfWork
from engine.runtime.care_helpers import consent_covers
from engine.services.case_detail_views import (
    AgencyReferral,
    CaseDetail,
    Consent,
    Goal,
    Intervention,
    LatestScore,
    Note,
    OpenTask,
    Plan,
    ScorePoint,
    TimelineEntry,
)
from engine.services.case_projection import may_see
from engine.services.case_timeline import (
    QUIET_ACTIONS,
    causal,
    element_names,
    entry,
    text_or_none,
    words,
)
from engine.services.context import Context, record

TIMELINE_LIMIT = 200
NOTE_MAX_CHARS = 5000
CHARTED = ("phq9", "gad7")
INSTRUMENT_LABELS = {"phq9": "PHQ-9", "gad7": "GAD-7", "auditc": "AUDIT-C", "ahc": "AHC"}


class CaseDetailService:
    """Read one case for its page (audited) and append notes to it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def detail(self, case_id: int, actor: Actor) -> CaseDetail:
        """The case page's content; the read is audited (Forbidden without access)."""
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            session = uow.session
            case = self._visible(uow, case_id, actor, now, "case.view_denied")
            record(session, now, actor.username, "case.viewed", case_id=case_id)
            session.flush()
            detail = self._read(session, case, now)
            uow.commit()
            return detail

    def add_note(self, case_id: int, actor: Actor, text: str) -> Note:
        """Append a note (audited as case.note_added); only people who may see the case."""
        text = (text or "").strip()
        if not text:
            raise FormInvalid("the note is empty; nothing was saved", {"text": "Write a note."})
        if len(text) > NOTE_MAX_CHARS:
            raise FormInvalid(
                "the note is too long; nothing was saved",
                {"text": f"At most {NOTE_MAX_CHARS} characters."},
            )
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            session = uow.session
            self._visible(uow, case_id, actor, now, "case.note_denied")
            note = CaseNote(case_id=case_id, author=actor.username, text=text, created_at=now)
            session.add(note)
            session.flush()
            record(
                session,
                now,
                actor.username,
                "case.note_added",
                case_id=case_id,
                detail={"note_id": note.id, "chars": len(text)},
            )
            uow.commit()
            return Note(note.id, note.author, note.text, note.created_at)

    def _visible(
        self, uow: UnitOfWork, case_id: int, actor: Actor, now: datetime, denied: str
    ) -> CareCase:
        """The case if actor may see it; otherwise the refusal is audited and Forbidden raised."""
        session = uow.session
        case = session.get(CareCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist")
        if not may_see(session, case, actor):
            record(session, now, actor.username, denied, case_id=case_id)
            uow.commit()
            raise Forbidden(f"{actor.username} has no access to case {case_id}")
        return case

    def _read(self, session: Session, case: CareCase, now: datetime) -> CaseDetail:
        today = now.date().isoformat()
        goal_rows = list(
            session.scalars(
                select(CaseGoal).where(CaseGoal.case_id == case.id).order_by(CaseGoal.id)
            )
        )
        messages = _agency_responses(session, case.id)
        names = element_names(self.ctx, session, case.id)
        newest = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.case_id == case.id)
                .order_by(AuditEvent.id.desc())
                .limit(TIMELINE_LIMIT + 20)
            )
        )
        events = [e for e in causal(newest[::-1]) if e.action not in QUIET_ACTIONS]
        events = events[::-1][:TIMELINE_LIMIT]
        total = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.case_id == case.id, AuditEvent.action.not_in(QUIET_ACTIONS))
        )
        return CaseDetail(
            id=case.id,
            client=dict(case.client or {}),
            referral=dict(case.referral or {}),
            status=case.status,
            phase=case.phase,
            manager=case.manager,
            risk_tier=case.risk_tier,
            opened_by=case.opened_by,
            opened_at=case.opened_at,
            closed_at=case.closed_at,
            closure_reason=case.closure_reason,
            instance_id=case.instance_id,
            consents=tuple(_consents(case.consents, today)),
            plan=_plan(case, [g for g in goal_rows if g.active], messages),
            inactive_goals=tuple(_goal(g) for g in goal_rows if not g.active),
            scores=_scores(session, case.id),
            latest=tuple(_latest(case.scores or {}, case.baseline_scores or {})),
            timeline=tuple(entry(e, names) for e in events),
            timeline_total=int(total or 0),
            notes=_notes(session, case.id),
            open_tasks=_open_tasks(session, case, now),
            today=today,
        )


# -- the parts -------------------------------------------------------------------------------


def _consents(raw: Any, today: str) -> list[Consent]:
    found = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        until = item.get("valid_until")
        until_text = str(until)[:10] if until else None
        purposes = item.get("purposes") or []
        found.append(
            Consent(
                recipient=str(item.get("recipient") or ""),
                recipient_type=item.get("recipient_type"),
                purposes=tuple(str(p) for p in purposes) if isinstance(purposes, list) else (),
                valid_until=until_text,
                expired=bool(until_text and until_text < today),
            )
        )
    return found


def _goal(row: CaseGoal) -> Goal:
    return Goal(
        key=row.goal_key,
        description=row.description,
        target_date=row.target_date,
        measure=row.measure,
        achievement=row.achievement,
        note=row.progress_note,
        progress_at=row.progress_at,
    )


def _cost(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _plan(case: CareCase, goals: list[CaseGoal], responses: dict[str, datetime]) -> Plan | None:
    raw = case.plan
    if not isinstance(raw, dict):
        return None
    interventions = tuple(
        Intervention(
            who=str(i.get("who") or ""),
            what=str(i.get("what") or ""),
            frequency=str(i.get("frequency") or ""),
            estimated_cost=_cost(i.get("estimated_cost")),
        )
        for i in raw.get("interventions") or []
        if isinstance(i, dict)
    )
    referrals = tuple(
        _referral(r, raw, case, responses)
        for r in raw.get("referrals") or []
        if isinstance(r, dict)
    )
    problems = raw.get("problems") or []
    return Plan(
        status=raw.get("status"),
        approved_at=text_or_none(raw.get("approved_at")),
        review_due=text_or_none(raw.get("review_due")),
        problems=tuple(str(p) for p in problems) if isinstance(problems, list) else (),
        goals=tuple(_goal(g) for g in goals),
        interventions=interventions,
        total_cost=sum(i.estimated_cost or 0.0 for i in interventions),
        referrals=referrals,
    )


def _referral(
    raw: dict[str, Any], plan: dict[str, Any], case: CareCase, responses: dict[str, datetime]
) -> AgencyReferral:
    """What the record can honestly say: answered (a delivered agency_response), or not yet."""
    ref_id = str(raw.get("id") or "")
    agency = str(raw.get("agency") or "")
    agency_type = raw.get("agency_type")
    answered = responses.get(ref_id)
    if answered is not None:
        status = "agency responded"
    elif plan.get("status") == "completed" or case.phase == "closed":
        status = "no response recorded"
    elif case.phase in ("intake", "assessment", "planning") or not plan.get("approved_at"):
        status = "not sent yet (plan not approved)"
    else:
        when = str(plan.get("approved_at"))[:10]
        covered = _covers(case.consents, agency, agency_type, when)
        status = (
            "sent, awaiting response"
            if covered
            else "consent does not cover it: sent only if the case manager overrode"
        )
    return AgencyReferral(
        id=ref_id,
        agency=agency,
        agency_type=agency_type,
        purpose=str(raw.get("purpose") or ""),
        status=status,
        status_at=answered,
    )


def _covers(consents: Any, agency: str, agency_type: Any, when: str) -> bool:
    try:
        return consent_covers(
            consents if isinstance(consents, list) else [],
            agency,
            agency_type if isinstance(agency_type, str) else None,
            "referral",
            when,
        )
    except ValueError:
        return False


def _agency_responses(session: Session, case_id: int) -> dict[str, datetime]:
    """Referral id -> when the latest agency_response for it was delivered."""
    rows = session.execute(
        select(AuditEvent.detail, AuditEvent.at)
        .where(AuditEvent.case_id == case_id, AuditEvent.action == "message.delivered")
        .order_by(AuditEvent.id)
    ).all()
    found: dict[str, datetime] = {}
    for detail, at in rows:
        if not isinstance(detail, dict) or detail.get("name") != "agency_response":
            continue
        correlation = detail.get("correlation") or {}
        ref_id = correlation.get("referral.id") if isinstance(correlation, dict) else None
        if ref_id is not None:
            found[str(ref_id)] = at
    return found


def _scores(session: Session, case_id: int) -> tuple[ScorePoint, ...]:
    rows = session.scalars(
        select(CaseScore)
        .where(CaseScore.case_id == case_id)
        .order_by(CaseScore.recorded_at, CaseScore.id)
    )
    return tuple(ScorePoint(r.instrument, r.total, r.band, r.recorded_at) for r in rows)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _latest(scores: dict[str, Any], baseline: dict[str, Any]) -> list[LatestScore]:
    found = []
    for key, label in INSTRUMENT_LABELS.items():
        value = scores.get(key)
        if not isinstance(value, dict):
            continue
        base = baseline.get(key) if isinstance(baseline.get(key), dict) else {}
        band: str | None
        if key == "ahc":
            domains = value.get("positive_domains") or []
            total = _int(value.get("safety_score"))
            band = "safety positive" if value.get("safety_positive") else "safety negative"
            detail = (
                "positive domains: " + ", ".join(words(str(d)) for d in domains)
                if domains
                else "no positive domains"
            )
            base_total = _int(base.get("safety_score")) if base else None
        else:
            total = _int(value.get("total"))
            band = text_or_none(value.get("band"))
            if band is None and "positive" in value:
                band = "positive" if value["positive"] else "negative"
            detail = ""
            if key == "phq9" and _int(value.get("item9")):
                detail = f"item 9 (self-harm) answered {value['item9']}"
            base_total = _int(base.get("total")) if base else None
        found.append(
            LatestScore(key, label, total, words(str(band)) if band else None, base_total, detail)
        )
    return found


def _notes(session: Session, case_id: int) -> tuple[Note, ...]:
    rows = session.scalars(
        select(CaseNote)
        .where(CaseNote.case_id == case_id)
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    )
    return tuple(Note(r.id, r.author, r.text, r.created_at) for r in rows)


def _open_tasks(session: Session, case: CareCase, now: datetime) -> tuple[OpenTask, ...]:
    instance_id = case.instance_id
    if instance_id is None:
        instance_id = session.scalar(
            select(func.max(ProcessInstance.id)).where(ProcessInstance.case_id == case.id)
        )
    if instance_id is None:
        return ()
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
    )
    return tuple(
        OpenTask(
            id=r.id,
            name=r.name,
            lane=r.lane,
            assignee=r.assignee,
            due_at=r.due_at,
            overdue=r.due_at is not None and r.due_at < now,
        )
        for r in rows
    )


__all__ = [
    "AgencyReferral",
    "CaseDetail",
    "CaseDetailService",
    "Consent",
    "Goal",
    "Intervention",
    "LatestScore",
    "Note",
    "OpenTask",
    "Plan",
    "ScorePoint",
    "TimelineEntry",
]
