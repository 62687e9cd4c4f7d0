"""Cases: open one (starts care_cycle), list the ones you may see, read one."""

from __future__ import annotations

from typing import Any

from engine import CaseView
from web.api.base import make_blueprint
from web.api.schemas import CaseCreate, CaseOpenedRead, CaseQuery, CaseRead
from web.context import current_actor, current_engine

bp = make_blueprint("cases", "/cases", "Clients' episodes of care")


@bp.route("", methods=["POST"])
@bp.arguments(CaseCreate)
@bp.response(201, CaseOpenedRead)
def open_case(body: dict[str, Any]) -> CaseView:
    """Register a referral: a new case whose care_cycle instance starts at intake."""
    return current_engine().cases.open(body["client"], body["referral"], current_actor())


@bp.route("", methods=["GET"])
@bp.arguments(CaseQuery, location="query", as_kwargs=True)
@bp.response(200, CaseRead(many=True))
def list_cases(
    limit: int,
    offset: int,
    status: str | None = None,
    manager: str | None = None,
    name: str | None = None,
) -> list[CaseView]:
    """Cases the caller may see, newest first."""
    return current_engine().cases.list(
        current_actor(), status=status, manager=manager, name=name, limit=limit, offset=offset
    )


@bp.route("/<int:case_id>", methods=["GET"])
@bp.response(200, CaseRead)
def get_case(case_id: int) -> CaseView:
    """One case (the read is audited)."""
    return current_engine().cases.get(case_id, current_actor())
