"""Read-model rows of one generated case: instance, case, goals, scores and agency referrals."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from bench.datagen_store import Batch, Ids
from bench.datagen_story import DAY, Story
from engine.services.case_milestones import plan_cost

GOALS = (
    "Attend weekly support group",
    "Keep a stable tenancy",
    "Take medication as prescribed",
    "Reconnect with family",
    "Find part-time work",
    "Reduce alcohol use",
)
AGENCIES = (
    ("City Housing", "social_services"),
    ("Food Bank North", "social_services"),
    ("Community Mental Health", "health"),
    ("Benefits Office", "government"),
    ("Legal Aid", "other"),
)
OPEN_GOAL = ("in-progress", "improving", "no-change", "worsening", "achieved", "sustaining")
MET = ("achieved", "achieved", "achieved", "achieved", "sustaining", "improving")
UNMET = ("not-achieved", "no-progress", "achieved", "in-progress", "not-attainable")
SATISFACTION = ((1, 0.03), (2, 0.07), (3, 0.15), (4, 0.35), (5, 0.40))
PHQ9_BANDS = ((20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"))
GAD7_BANDS = ((15, "severe"), (10, "moderate"), (5, "mild"))


def band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    """The score's band (the score_phq9 / score_gad7 tables)."""
    return next((name for low, name in bands if total >= low), "minimal")


def iso_date(at: datetime) -> str:
    """A date as the forms write it."""
    return at.date().isoformat()


def add_case(rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids) -> None:
    """Queue the instance, case, goal, score and referral rows of a story."""
    scores = _scores(rng, story, now, batch, ids)
    plan = _plan(rng, story, now, batch, ids) if story.plan_approved_at else None
    batch.add("process_instance", _instance(rng, story, now))
    batch.add("care_case", _case(rng, story, now, scores, plan))


def _instance(rng: random.Random, story: Story, now: datetime) -> dict[str, Any]:
    status = story.instance_status
    failed = status == "error"
    completed = None
    if status == "completed" and story.closed_at is not None:
        grace = 0.0 if story.status == "cancelled" else 30 + rng.uniform(0, 5)
        completed = min(now, story.closed_at + timedelta(days=grace))
    return {
        "id": story.instance_id,
        "process_version_id": 0,  # set by the caller's template
        "process_id": "care_cycle",
        "status": status,
        "status_before_suspend": "waiting" if status == "suspended" else None,
        "state": "{}",
        "data": {"case_id": story.case_id, "phase": story.phase, "generated": True},
        "case_id": story.case_id,
        "error_element": "decide_monitoring_policy" if failed else None,
        "error_message": "no rule of policy_monitoring matched risk_tier" if failed else None,
        "started_by": story.team.intake,
        "created_at": story.opened_at,
        "updated_at": completed or story.closed_at or now,
        "completed_at": completed,
        "lock_version": 1,
    }


def _case(
    rng: random.Random,
    story: Story,
    now: datetime,
    scores: tuple[dict[str, Any], dict[str, Any], str | None],
    plan: dict[str, Any] | None,
) -> dict[str, Any]:
    baseline, latest, risk_tier = scores
    rated = story.monitoring_from is not None and rng.random() < 0.85
    birth_year = rng.randint(1940, 2006)
    return {
        "id": story.case_id,
        "instance_id": story.instance_id,
        "client_name": f"Client {story.case_id:06d}",
        "birth_date": f"{birth_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "client": {"language": rng.choice(("en", "en", "en", "es", "fr"))},
        "referral": {"source": rng.choice(("gp", "hospital", "self")), "urgency": story.urgency},
        "status": story.status,
        "phase": story.phase,
        "manager": story.manager,
        "risk_tier": risk_tier,
        "consents": [],
        "plan": plan,
        "scores": latest,
        "baseline_scores": baseline or None,
        "closure_reason": story.closure_reason,
        "first_contact_at": story.first_contact_at,
        "plan_approved_at": story.plan_approved_at,
        "satisfaction": rng.choices(*zip(*SATISFACTION, strict=True))[0] if rated else None,
        "cost_estimate": plan_cost(plan) if plan else None,
        "opened_by": story.team.intake,
        "opened_at": story.opened_at,
        "closed_at": story.closed_at,
        "updated_at": story.closed_at or now,
    }


def _scores(
    rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids
) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """PHQ-9 and GAD-7 series from the first assessment on: (baseline, latest, risk tier)."""
    if story.assessed_at is None:
        return {}, {}, None
    times = [story.assessed_at]
    if story.monitoring_from is not None:
        span = (story.until(now) - story.monitoring_from) / DAY
        extra = rng.randint(0, min(5, 1 + int(span / 60)))
        times += sorted(story.monitoring_from + rng.uniform(0, span) * DAY for _ in range(extra))
    trend = rng.choices((-3.0, -1.5, 0.0, 1.5), (0.45, 0.25, 0.2, 0.1))[0]
    phq = round(rng.triangular(0, 27, 6))
    gad = round(rng.triangular(0, 21, 6))
    item9 = rng.randint(1, 3) if rng.random() < 0.06 else 0
    story.safety_alert = item9 > 0
    series: list[dict[str, Any]] = []
    for n, at in enumerate(times):
        p = _clamp(phq + trend * n + rng.uniform(-2, 2), 27)
        g = _clamp(gad + trend * 0.8 * n + rng.uniform(-2, 2), 21)
        latest = {
            "phq9": {"total": p, "band": band(p, PHQ9_BANDS), "item9": item9 if n == 0 else 0},
            "gad7": {"total": g, "band": band(g, GAD7_BANDS)},
        }
        series.append(latest)
        for instrument, value in latest.items():
            batch.add("case_score", _score_row(ids, story.case_id, instrument, value, at))
    for instrument in ("phq9", "gad7"):
        batch.add("case_score_trend", _trend_row(story.case_id, instrument, series, times))
    baseline = series[0]
    return baseline, series[-1], _risk_tier(baseline["phq9"], baseline["gad7"])


def _risk_tier(phq9: dict[str, int], gad7: dict[str, int]) -> str:
    """The tier risk_tier_policy would compute from the baseline (no override)."""
    if phq9["item9"] > 0 or phq9["total"] >= 15:
        return "high"
    return "moderate" if max(phq9["total"], gad7["total"]) >= 10 else "low"


def _clamp(value: float, top: int) -> int:
    return max(0, min(top, round(value)))


def _trend_row(
    case_id: int, instrument: str, series: list[dict[str, Any]], times: list[datetime]
) -> dict[str, Any]:
    """First and latest score of the series (what the case projection keeps per score)."""
    return {
        "case_id": case_id,
        "instrument": instrument,
        "administrations": len(series),
        "baseline_total": series[0][instrument]["total"],
        "baseline_at": times[0],
        "latest_total": series[-1][instrument]["total"],
        "latest_at": times[-1],
    }


def _score_row(
    ids: Ids, case_id: int, instrument: str, value: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "id": ids.take("case_score"),
        "case_id": case_id,
        "instrument": instrument,
        "total": value["total"],
        "band": value["band"],
        "detail": value,
        "recorded_at": at,
    }


def _plan(
    rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids
) -> dict[str, Any]:
    """The approved plan (as the case row keeps it), its goal rows and agency referrals."""
    approved = story.plan_approved_at
    assert approved is not None
    interventions = [
        {"who": story.manager, "what": "support session", "frequency": "weekly"}
        | ({"estimated_cost": round(rng.uniform(0, 2500), 2)} if rng.random() < 0.8 else {})
        for _ in range(rng.randint(1, 3))
    ]
    referrals = _referrals(rng, story, now, batch, ids)
    _goals(rng, story, now, batch, ids)
    return {
        "status": "completed" if story.status == "finished" else "active",
        "approved_at": iso_date(approved),
        "review_due": iso_date(approved + 90 * DAY),
        "problems": ["low mood"],
        "interventions": interventions,
        "referrals": referrals,
        "physician_review": rng.random() < 0.3,
    }


def _goals(rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids) -> None:
    approved = story.plan_approved_at
    assert approved is not None
    for n, description in enumerate(rng.sample(GOALS, rng.randint(1, 4)), start=1):
        progress_at = story.monitoring_from and story.until(now)
        batch.add(
            "case_goal",
            {
                "id": ids.take("case_goal"),
                "case_id": story.case_id,
                "goal_key": f"g{n}",
                "description": description,
                "target_date": iso_date(approved + 180 * DAY),
                "measure": "self report",
                "achievement": _achievement(rng, story),
                "progress_note": None,
                "progress_at": iso_date(progress_at) if progress_at else None,
                "active": True,
                "updated_at": story.until(now),
            },
        )


def _achievement(rng: random.Random, story: Story) -> str | None:
    if story.status == "finished":
        return rng.choice(MET if story.closure_reason == "goals_met" else UNMET)
    if story.monitoring_from is None:
        return None
    return rng.choice(OPEN_GOAL)


def _referrals(
    rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids
) -> list[dict[str, Any]]:
    opened = story.plan_approved_at
    assert opened is not None
    chosen = rng.sample(AGENCIES, rng.choices((0, 1, 2, 3), (0.25, 0.4, 0.25, 0.1))[0])
    items = []
    for n, (agency, kind) in enumerate(chosen, start=1):
        status, at = _referral_status(rng, story, opened, now)
        items.append({"id": f"r{n}", "agency": agency, "agency_type": kind})
        batch.add(
            "case_referral",
            {
                "id": ids.take("case_referral"),
                "case_id": story.case_id,
                "referral_key": f"r{n}",
                "agency": agency,
                "agency_type": kind,
                "status": status,
                "opened_at": opened,
                "status_at": at,
            },
        )
    return items


def _referral_status(
    rng: random.Random, story: Story, opened: datetime, now: datetime
) -> tuple[str, datetime]:
    end = story.until(now)
    answered = opened + rng.uniform(1, 30) * DAY
    if answered < end and rng.random() < 0.85:
        return rng.choices(("responded", "refused"), (0.88, 0.12))[0], answered
    if story.closed_at is not None:
        return "closed", story.closed_at
    return "open", opened
