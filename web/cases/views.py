"""GET /cases/<id>: the case page; POST /cases/<id>/notes: add a note (CSRF-checked)."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from engine import Forbidden, FormInvalid, NotFound
from engine.services.case_detail import CaseDetail, CaseDetailService
from web.auth import check_csrf, login_required
from web.charts import SCALES, Point, score_chart
from web.context import current_actor, current_engine

bp = Blueprint("case_page", __name__)

PHASES = (
    "intake",
    "assessment",
    "planning",
    "implementation",
    "monitoring",
    "evaluation",
    "closure",
    "closed",
)


def _service() -> CaseDetailService:
    return current_engine().case_detail


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int) -> BaseResponse:
    """The case page (every view is audited; 403 without a relationship to the case)."""
    return _page(case_id)


@bp.route("/cases/<int:case_id>/notes", methods=["POST"])
@login_required
def add_note(case_id: int) -> BaseResponse:
    """Append a note to the case, then go back to the notes."""
    check_csrf()
    try:
        _service().add_note(case_id, current_actor(), request.form.get("text", ""))
    except FormInvalid as exc:
        return _page(case_id, note_error=exc.errors.get("text", exc.message), status=422)
    except (Forbidden, NotFound) as exc:
        return _refusal(case_id, exc)
    return redirect(url_for("case_page.show", case_id=case_id, _anchor="notes"), code=303)


def _page(case_id: int, note_error: str | None = None, status: int = 200) -> BaseResponse:
    try:
        case = _service().detail(case_id, current_actor())
    except (Forbidden, NotFound) as exc:
        return _refusal(case_id, exc)
    html = render_template(
        "cases/show.html",
        case=case,
        charts=_charts(case),
        phases=PHASES,
        note_error=note_error,
        note_text=request.form.get("text", "") if note_error else "",
    )
    return _private(make_response(html, status))


def _charts(case: CaseDetail) -> list[dict[str, object]]:
    charts: list[dict[str, object]] = []
    for instrument, (label, _max, _bands) in SCALES.items():
        series = case.series(instrument)
        if not series:
            continue
        points = [
            Point(p.recorded_at, p.total or 0, p.band.replace("_", " ") if p.band else None)
            for p in series
        ]
        charts.append(
            {
                "id": instrument,
                "label": label,
                "svg": score_chart(instrument, points),
                "points": points,
            }
        )
    return charts


def _refusal(case_id: int, exc: Forbidden | NotFound) -> BaseResponse:
    if isinstance(exc, NotFound):
        html = render_template("cases/not_found.html", case_id=case_id)
        return _private(make_response(html, 404))
    html = render_template("cases/forbidden.html", case_id=case_id)
    return _private(make_response(html, 403))


def _private(response: BaseResponse) -> BaseResponse:
    """Case pages hold health information: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response
