"""Cases: open a client's episode of care (which starts care_cycle), read and list cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from engine.errors import Forbidden, FormInvalid, NotFound
from engine.identity import Actor
from engine.persistence.tables import CareCase
from engine.services.case_projection import may_see
from engine.services.context import Context, record
from engine.services.instances import InstanceService

CARE_PROCESS = "care_cycle"
URGENCIES = ("routine", "expedited", "immediate")
SEXES = ("female", "male", "other", "unknown")


@dataclass(frozen=True)
class CaseView:
    """A case as lists and the API show it."""

    id: int
    client: dict[str, Any]
    referral: dict[str, Any]
    status: str
    phase: str
    manager: str | None
    risk_tier: str | None
    instance_id: int | None
    opened_at: datetime
    closed_at: datetime | None
    closure_reason: str | None

    @classmethod
    def of(cls, row: CareCase) -> CaseView:
        """The view of a care_case row."""
        return cls(
            row.id,
            row.client,
            row.referral,
            row.status,
            row.phase,
            row.manager,
            row.risk_tier,
            row.instance_id,
            row.opened_at,
            row.closed_at,
            row.closure_reason,
        )


class CaseService:
    """Open, read and list cases, with access scoped to each person's relationship to it."""

    def __init__(self, ctx: Context, instances: InstanceService) -> None:
        self.ctx = ctx
        self.instances = instances

    def open(self, client: dict[str, Any], referral: dict[str, Any], actor: Actor) -> CaseView:
        """Register a referral: a new case and its care_cycle instance, in one transaction."""
        if not actor.has("intake", "case_manager", "supervisor"):
            raise Forbidden("only intake, case managers and supervisors open cases")
        client, referral = _checked(client, referral)
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            session = uow.session
            case = CareCase(
                client_name=client["name"],
                birth_date=client.get("birth_date"),
                client=client,
                referral=referral,
                status="planned",
                phase="intake",
                opened_by=actor.username,
                opened_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            record(
                session,
                now,
                actor.username,
                "case.opened",
                case_id=case.id,
                to_status="planned",
                detail={"urgency": referral["urgency"]},
            )
            data = {"client": client, "referral": referral, "case_id": case.id}
            instance = self.instances.start_in(session, CARE_PROCESS, data, actor, case.id)
            case.instance_id = instance.id
            uow.commit()
            return CaseView.of(case)

    def get(self, case_id: int, actor: Actor) -> CaseView:
        """One case (every read is audited; Forbidden without a relationship to it)."""
        with self.ctx.uow() as uow:
            case = uow.session.get(CareCase, case_id)
            if case is None:
                raise NotFound(f"case {case_id} does not exist")
            if not may_see(uow.session, case, actor):
                record(
                    uow.session,
                    self.ctx.clock.now(),
                    actor.username,
                    "case.view_denied",
                    case_id=case_id,
                )
                uow.commit()
                raise Forbidden(f"{actor.username} has no access to case {case_id}")
            record(
                uow.session, self.ctx.clock.now(), actor.username, "case.viewed", case_id=case_id
            )
            uow.commit()
            return CaseView.of(case)

    def list(
        self,
        actor: Actor,
        status: str | None = None,
        manager: str | None = None,
        name: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CaseView]:
        """Cases the actor may see, newest first, optionally filtered."""
        query = select(CareCase).order_by(CareCase.id.desc())
        if status:
            query = query.where(CareCase.status == status)
        if manager:
            query = query.where(CareCase.manager == manager)
        if name:
            query = query.where(CareCase.client_name.ilike(f"%{name}%"))
        if not actor.has("supervisor"):
            mine = [CareCase.manager == actor.username, CareCase.opened_by == actor.username]
            if "intake" in actor.roles:
                mine.append(CareCase.phase == "intake")
            query = query.where(or_(*mine))
        with self.ctx.uow() as uow:
            return [CaseView.of(r) for r in uow.session.scalars(query.limit(limit).offset(offset))]


def _checked(
    client: dict[str, Any], referral: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    errors: dict[str, str] = {}
    if not isinstance(client, dict) or not isinstance(referral, dict):
        raise FormInvalid(
            "client and referral must be objects",
            {"client": "Must be an object.", "referral": "Must be an object."},
        )
    if not str(client.get("name") or "").strip():
        errors["client.name"] = "This field is required."
    birth = client.get("birth_date")
    if birth is not None and not _is_date(birth):
        errors["client.birth_date"] = "Must be a date (YYYY-MM-DD)."
    if client.get("sex") is not None and client.get("sex") not in SEXES:
        errors["client.sex"] = f"Must be one of {', '.join(SEXES)}."
    for key in ("source", "reason"):
        if not str(referral.get(key) or "").strip():
            errors[f"referral.{key}"] = "This field is required."
    if referral.get("urgency") not in URGENCIES:
        errors["referral.urgency"] = f"Must be one of {', '.join(URGENCIES)}."
    if errors:
        raise FormInvalid("the referral has errors; no case was opened", errors)
    client = {**client, "name": str(client["name"]).strip()}
    return client, dict(referral)


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10
