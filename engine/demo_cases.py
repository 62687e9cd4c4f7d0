"""The demo's cases: a timeline of user actions per client, played through the real engine.

Each target-phase function returns a client's steps (wait, action), planned before anything
runs, so each case can start exactly as long before `end` as its steps take. `play` runs the
steps of every case in time order on a FrozenClock, firing timers as the scheduler would.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Any

from engine.bootstrap import Engine
from engine.clock import FrozenClock
from engine.demo_data import CONSENTS, NEEDS, DemoClient
from engine.identity import Actor
from engine.services.views import InstanceView, TaskView

ZERO = timedelta(0)
WORKER = "demo-scheduler"
TEAM = {"intake": "ines", "supervisor": "sam", "care_team": "phil"}  # who takes team tasks
INTERVAL = {"high": 7, "moderate": 14, "low": 30}  # policy_monitoring: days between contacts
REVIEW = {"high": 30, "moderate": 90, "low": 90}  # policy_monitoring: plan review after days
RETRY = timedelta(days=3)  # policy_timing: outreach retry interval
FIRST_CONTACT_RETRY = timedelta(days=1)  # policy_timing: first contact retry interval
CONTACT_DUE = timedelta(days=2)  # policy_timing: a monitoring contact is due 2 days after
PROGRESS = ("in-progress", "improving", "improving", "achieved")
NOTES = {
    "in-progress": ("started, early days", "first steps taken", "booked the first session"),
    "improving": ("going better", "kept to it most weeks", "more confident now"),
    "achieved": ("done and holding", "met the target", "no longer needs support for this"),
}
METHODS = ("phone", "phone", "phone", "visit", "video")


@dataclass
class Case:
    """A demo client's case once opened."""

    client: DemoClient
    phone: str
    id: int = 0
    instance_id: int = 0


Data = dict[str, Any] | Callable[["Seeder", Case], dict[str, Any]]
Action = Callable[["Seeder", Case], None]
Step = tuple[timedelta, Action]


class Seeder:
    """The seeding engine and the few things people do to a demo case."""

    def __init__(self, engine: Engine, clock: FrozenClock) -> None:
        self.engine = engine
        self.clock = clock
        self.views: dict[int, InstanceView] = {}  # latest view per instance, until it changes

    def today(self, days: int = 0) -> str:
        """The clock's date, shifted by days (ISO)."""
        return (self.clock.now() + timedelta(days=days)).date().isoformat()

    def open(self, case: Case) -> None:
        """Ines registers the client's referral."""
        c = case.client
        client = {
            "name": c.name,
            "birth_date": c.birth_date,
            "sex": c.sex,
            "phone": case.phone,
            "address": c.address,
            "language": c.language,
        }
        if c.email:
            client["email"] = c.email
        referral = {"source": c.source, "reason": c.reason, "urgency": c.urgency}
        view = self.engine.cases.open(client, referral, Actor("ines", frozenset({"intake"})))
        case.id, case.instance_id = view.id, view.instance_id or 0

    def view(self, case: Case) -> InstanceView:
        """The case's instance with its ready tasks (remembered until something changes it)."""
        if case.instance_id not in self.views:
            self.views[case.instance_id] = self.engine.instances.get(case.instance_id)
        return self.views[case.instance_id]

    def task(self, case: Case, element_id: str) -> tuple[TaskView, InstanceView]:
        """The case's first ready task for element_id (RuntimeError when there is none)."""
        view = self.view(case)
        for task in view.ready_tasks:
            if task.element_id == element_id:
                return task, view
        ready = ", ".join(t.element_id for t in view.ready_tasks) or "none"
        raise RuntimeError(
            f"demo case {case.client.name}: no ready {element_id} (ready: {ready}; "
            f"phase {view.data.get('phase')}, status {view.status})"
        )

    def actor(self, task: TaskView, view: InstanceView) -> Actor:
        """Who works the task: its assignee, else the team's demo user or the case manager."""
        role = task.candidate_roles[0] if task.candidate_roles else "case_manager"
        username = task.assignee or TEAM.get(role) or str(view.data.get("case_manager"))
        return Actor(username, frozenset({role}))

    def work(self, case: Case, element_id: str, data: dict[str, Any]) -> None:
        """Claim (if nobody holds it) and complete the case's ready element_id task."""
        task, view = self.task(case, element_id)
        actor = self.actor(task, view)
        if task.assignee is None:
            self.engine.tasks.claim(task.id, actor)
        self.check(case, self.engine.tasks.complete(task.id, data, actor))

    def claim(self, case: Case, element_id: str) -> None:
        """Take a team task without finishing it yet."""
        task, view = self.task(case, element_id)
        self.engine.tasks.claim(task.id, self.actor(task, view))
        self.views.pop(case.instance_id, None)

    def unclaim(self, case: Case, element_id: str) -> None:
        """Give a held task back to the team."""
        task, view = self.task(case, element_id)
        self.engine.tasks.unclaim(task.id, self.actor(task, view))
        self.views.pop(case.instance_id, None)

    def message(self, case: Case, name: str, payload: dict[str, Any], **correlation: str) -> None:
        """The case manager records news for the case (an agency's answer, a hospital notice)."""
        manager = str(self.view(case).data.get("case_manager"))
        actor = Actor(manager, frozenset({"case_manager"}))
        view = self.engine.instances.deliver_message(
            case.instance_id, name, payload, actor, correlation=correlation or None
        )
        self.check(case, view)

    def check(self, case: Case, view: InstanceView) -> None:
        """Remember the case's new view; stop when a step failed (a process or engine bug)."""
        self.views[case.instance_id] = view
        if view.status == "error":
            raise RuntimeError(
                f"demo case {case.client.name}: {view.error_element}: {view.error_message}"
            )

    def run_timers_until(self, moment: datetime) -> None:
        """Fire every timer due before moment, each a second after it falls due."""
        while (due := self.engine.timers.next_due()) is not None and due < moment:
            self.clock.set(max(self.clock.now(), min(due + timedelta(seconds=1), moment)))
            while (fired := self.engine.timers.fire_next(WORKER)) is not None:
                for firing in fired:
                    self.views.pop(firing.instance_id, None)
        self.clock.set(max(self.clock.now(), moment))


# -- small builders --------------------------------------------------------------------------


def days(n: float) -> timedelta:
    """n days."""
    return timedelta(days=n)


def hours(n: float) -> timedelta:
    """n hours."""
    return timedelta(hours=n)


def some_hours(rng: Random, low: int, high: int) -> timedelta:
    """Between low and high hours, at a whole quarter hour."""
    return timedelta(minutes=15 * rng.randint(low * 4, high * 4))


def do(element_id: str, data: Data) -> Action:
    """The action: complete the case's element_id task with data (built when it runs)."""

    def act(s: Seeder, case: Case) -> None:
        s.work(case, element_id, data(s, case) if callable(data) else data)

    return act


def idle(s: Seeder, case: Case) -> None:
    """Nothing: the case rests until the demo ends."""


def open_case(s: Seeder, case: Case) -> None:
    """Register the referral."""
    s.open(case)


def claim(element_id: str) -> Action:
    """The action: take the case's element_id team task."""
    return lambda s, case: s.claim(case, element_id)


def unclaim(element_id: str) -> Action:
    """The action: give the case's element_id task back to the team."""
    return lambda s, case: s.unclaim(case, element_id)


def answer(referral_id: str, payload: dict[str, Any]) -> Action:
    """The action: the agency answers referral referral_id."""
    return lambda s, case: s.message(
        case, "agency_response", payload, **{"referral.id": referral_id}
    )


def in_time_order(events: list[tuple[timedelta, Action]]) -> list[Step]:
    """Steps from (offset from now, action) pairs, earliest first."""
    steps: list[Step] = []
    at = ZERO
    for offset, action in sorted(events, key=lambda e: e[0]):
        steps.append((offset - at, action))
        at = offset
    return steps


def final_tier(c: DemoClient) -> str:
    """The risk tier the case ends with (after any override)."""
    return {"safety": "high"}.get(c.tier, c.tier.split(">")[-1])


def answers(rng: Random, total: int, items: int, top: int) -> dict[str, int]:
    """Questionnaire answers q1..qN (each 0..top) adding up to total, spread at random."""
    values = [0] * items
    for _ in range(total):
        values[rng.choice([i for i in range(items) if values[i] < top])] += 1
    return {f"q{i + 1}": v for i, v in enumerate(values)}


# -- intake ----------------------------------------------------------------------------------


def first_contact(reached: bool, rng: Random) -> Data:
    """A first-contact form, dated the day it is sent."""
    method = "phone" if not reached else rng.choice(METHODS)
    note = "introduced the service, agreed next steps" if reached else "no answer, left voicemail"
    return lambda s, case: {
        "reached": reached,
        "contact_date": s.today(),
        "contact_method": method,
        "contact_notes": note,
    }


def consent(c: DemoClient) -> Data:
    """The consents the client signs today (valid for a year)."""
    return lambda s, case: {
        "consents": [{**item, "valid_until": s.today(365)} for item in CONSENTS[c.consent]],
        "client_signed": True,
        "consent_date": s.today(),
    }


def intake(c: DemoClient, rng: Random, stop: str | None = None) -> list[Step]:
    """Register the referral and run intake up to (not including) stop; None: all of it."""
    steps: list[Step] = [(ZERO, open_case)]
    if stop == "intake_screening":
        return steps
    eligible = c.phase != "ineligible"
    screening = {
        "eligibility": {"age_18_plus": True, "in_service_area": eligible, "has_care_need": True},
        "screening_notes": "meets all criteria" if eligible else "lives outside the service area",
    }
    steps.append((some_hours(rng, 1, 6), do("intake_screening", screening)))
    if stop == "consent":
        return [*steps, (hours(1), claim("consent"))]
    if not eligible:
        return steps
    steps.append((some_hours(rng, 1, 3), do("consent", consent(c))))
    if c.urgency != "immediate":
        if stop == "assign_case_manager":
            return steps
        note = {"assignment_note": f"{c.manager} has capacity and knows the area"}
        steps.append(
            (some_hours(rng, 4, 20), do("assign_case_manager", {"case_manager": c.manager, **note}))
        )
    if stop in ("overdue", "immediate"):
        return steps
    if stop == "first_contact":
        return [*steps, (days(1), do("first_contact", first_contact(False, rng)))]
    return [*steps, (some_hours(rng, 4, 30), do("first_contact", first_contact(True, rng)))]


def ineligible(c: DemoClient, rng: Random) -> list[Step]:
    """Screened out at intake (closed, cancelled)."""
    return [*intake(c, rng), (days(40), idle)]


def in_intake(c: DemoClient, rng: Random) -> list[Step]:
    """Stopped in intake; "overdue" misses the first-contact deadline (supervisor escalation)."""
    rest = {
        "intake_screening": hours(5),
        "consent": hours(20),
        "assign_case_manager": hours(22),
        "first_contact": FIRST_CONTACT_RETRY + hours(30),
        "overdue": days(7),  # expedited: due after 5 days, so 2 days overdue
        "immediate": hours(4),
    }[c.stop]
    return [*intake(c, rng, c.stop), (rest, idle)]


# -- assessment ------------------------------------------------------------------------------


def psychosocial(c: DemoClient, rng: Random, admitted: bool = False) -> dict[str, Any]:
    """A psychosocial assessment in keeping with the client's need."""
    problems = NEEDS[c.need]["problems"]
    return {
        "living_situation": rng.choice(
            ("rents a flat alone", "lives with partner and two children", "lodges with a friend")
        ),
        "support_network": rng.choice(
            ("a sister nearby", "few contacts since moving", "church group, neighbours")
        ),
        "strengths": rng.choice(("motivated, good humour", "organised", "close to family")),
        "concerns": "; ".join(problems),
        "readiness": {
            "importance": rng.randint(6, 10),
            "confidence": rng.randint(3, 8),
            "readiness": rng.randint(4, 9),
        },
        "stage_of_change": rng.choice(("contemplation", "preparation", "action")),
        "recent_admission": admitted,
    }


CALM_AHC = {
    "living_situation": "steady",
    "housing_problems": ["none"],
    "food_worry": "never",
    "food_ran_out": "never",
    "transportation": False,
    "utilities": "no",
    "safety": {"physically_hurt": 1, "insult": 1, "threaten": 1, "scream_curse": 1},
}


def instruments(c: DemoClient, rng: Random) -> dict[str, Any]:
    """PHQ-9, GAD-7, AUDIT-C and the social-needs screen, scored to the client's tier."""
    computed = c.tier.split(">")[0]
    phq9_total, gad7_total = {
        "low": (rng.randint(2, 8), rng.randint(1, 8)),
        "moderate": (rng.randint(10, 14), rng.randint(5, 13)),
        "high": (rng.randint(15, 21), rng.randint(10, 17)),
        "safety": (rng.randint(12, 18), rng.randint(8, 14)),
    }[computed]
    phq9 = answers(rng, phq9_total - (computed == "safety"), 8, 3)
    phq9["q9"] = 1 if computed == "safety" else 0
    ahc = dict(CALM_AHC)
    if c.need in ("housing", "food"):  # one social need; two or more make the tier moderate
        ahc.update(food_worry="sometimes")
        if computed != "low":
            ahc.update(utilities="yes")
        if computed != "low" and c.need == "housing":
            ahc.update(living_situation="steady_but_worried", housing_problems=["mold"])
    drinks = c.need == "alcohol"
    auditc = answers(rng, rng.randint(6, 9) if drinks else rng.randint(0, 2), 3, 4)
    return {"phq9": phq9, "gad7": answers(rng, gad7_total, 7, 3), "auditc": auditc, "ahc": ahc}


SAFETY_FOLLOWUP = {
    "safety_plan_made": True,
    "safety_risk_level": "moderate",
    "safety_actions": "safety plan written with the client; crisis line number given",
    "crisis_services_contacted": False,
}


def risk_review(c: DemoClient) -> dict[str, Any]:
    """Accept the computed tier, or override it when the catalogue says so."""
    if ">" not in c.tier:
        return {"override": False}
    reason = "court date for the eviction next week; client very distressed"
    return {"override": True, "override_tier": final_tier(c), "override_reason": reason}


def assessment(
    c: DemoClient, rng: Random, stop: str | None = None, admitted: bool = False
) -> list[Step]:
    """The assessment up to (not including) stop; None: all of it."""
    if stop == "psychosocial_assessment":
        return []
    steps: list[Step] = [
        (some_hours(rng, 24, 72), do("psychosocial_assessment", psychosocial(c, rng, admitted))),
        (some_hours(rng, 1, 3), do("instruments", instruments(c, rng))),
    ]
    if stop == "safety":
        return steps
    if c.tier == "safety":
        steps.append((hours(1), do("safety_followup", SAFETY_FOLLOWUP)))
        steps.append((hours(1), do("safety_alert_review", {"acknowledged": True})))
    if stop == "risk_review":
        return steps
    return [*steps, (some_hours(rng, 1, 4), do("risk_review", risk_review(c)))]


def in_assessment(c: DemoClient, rng: Random) -> list[Step]:
    """Stopped in assessment: before an instrument, at a safety alert, or re-assessing."""
    if c.stop == "readmitted":
        return readmitted(c, rng)
    rest = {"psychosocial_assessment": hours(26), "safety": hours(1), "risk_review": hours(8)}
    return [*intake(c, rng), *assessment(c, rng, c.stop), (rest[c.stop], idle)]


def readmitted(c: DemoClient, rng: Random) -> list[Step]:
    """Monitored, then admitted to hospital: the case goes back to assessment."""
    notice = {"hospital": "St Luke's Hospital", "reason": "fall at home, two nights on a ward"}

    def admitted(s: Seeder, case: Case) -> None:
        s.message(case, "hospital_admission", {**notice, "admitted_on": s.today(-3)})

    return [
        *to_monitoring(c, rng, ["progress"]),
        (days(5), admitted),
        (hours(20), idle),
    ]


# -- planning --------------------------------------------------------------------------------


def service_plan(c: DemoClient) -> Data:
    """The plan for the client's need (goal dates counted from today)."""
    need = NEEDS[c.need]

    def build(s: Seeder, case: Case) -> dict[str, Any]:
        return {
            "problems": list(need["problems"]),
            "goals": [
                {"id": g, "description": d, "target_date": s.today(n), "measure": m}
                for g, d, n, m in need["goals"]
            ],
            "interventions": [
                {"who": w, "what": what, "frequency": f, "estimated_cost": cost}
                for w, what, f, cost in need["interventions"]
            ],
            "referrals": referrals(c),
            "physician_review": need["physician_review"],
        }

    return build


def referrals(c: DemoClient) -> list[dict[str, Any]]:
    """The plan's referrals, with ids R1, R2, ..."""
    return [
        {"id": f"R{i + 1}", "agency": a, "agency_type": t, "purpose": p}
        for i, (a, t, p) in enumerate(NEEDS[c.need]["referrals"])
    ]


CLIENT_DECISION = {
    "options_discussed": "the plan's goals, the referrals, doing it alone with our support",
    "client_choice": "I'd like to try the plan as we wrote it.",
    "client_agrees": True,
}
RETURNED = {"plan_decision": "return", "plan_comments": "Please add a crisis plan as a goal."}


def planning(c: DemoClient, rng: Random, stop: str | None = None) -> list[Step]:
    """The plan written, agreed and approved, up to (not including) stop; None: all of it."""
    if stop == "service_plan":
        return []
    steps: list[Step] = [
        (some_hours(rng, 24, 60), do("service_plan", service_plan(c))),
        (some_hours(rng, 20, 30), do("client_decision", CLIENT_DECISION)),
    ]
    if stop == "plan_approval":
        return steps
    if stop == "returned":
        return [*steps, (some_hours(rng, 4, 20), do("plan_approval", RETURNED))]
    return [*steps, (some_hours(rng, 4, 20), do("plan_approval", {"plan_decision": "approve"}))]


def in_planning(c: DemoClient, rng: Random) -> list[Step]:
    """Stopped in planning: drafting, returned, awaiting approval, or back for review."""
    if c.stop == "plan_review":
        steps = to_monitoring(c, rng, ["progress"] * 8, until_review=True)
        return [*steps, (hours(30), idle)]
    rest = {"service_plan": hours(30), "returned": hours(26), "plan_approval": hours(6)}
    steps = [*intake(c, rng), *assessment(c, rng), *planning(c, rng, c.stop)]
    return [*steps, (rest[c.stop], idle)]


# -- implementation --------------------------------------------------------------------------


def covered(c: DemoClient, agency_type: str) -> bool:
    """Whether the client's consents cover referrals to agencies of this type."""
    return any(
        item["recipient_type"] in ("any", agency_type) and "referral" in item["purposes"]
        for item in CONSENTS[c.consent]
    )


def implementation(c: DemoClient, rng: Random, stop: str | None = None) -> list[Step]:
    """Referrals sent and answered, the physician's review; stop leaves work open."""
    events: list[tuple[timedelta, Action]] = []
    for item in referrals(c):
        sent = ZERO
        if not covered(c, item["agency_type"]):
            if stop == "consent_override":
                continue
            override = {
                "override": True,
                "override_reason": "client agreed by phone; form to follow",
            }
            sent = some_hours(rng, 2, 8)
            events.append((sent, do("referral_consent_override", override)))
        waiting = stop in ("followup_due", "physician_review") or (
            stop == "awaiting_agencies" and item["id"] != "R1"
        )
        if not waiting:
            reply = {"accepted": True, "contact": "intake desk", "first_appointment": "booked"}
            events.append((sent + some_hours(rng, 60, 200), answer(item["id"], reply)))
    if NEEDS[c.need]["physician_review"] and stop != "physician_review":
        review = {"plan_reviewed": True, "recommendations": "review medication at next GP visit"}
        events.append((some_hours(rng, 6, 40), do("physician_review", review)))
    return in_time_order(events)


def in_implementation(c: DemoClient, rng: Random) -> list[Step]:
    """Stopped in implementation: agencies to answer, a follow-up due, reviews to do."""
    rest = {
        "awaiting_agencies": days(5),
        "followup_due": days(16),  # no answer for 14 days: a follow-up task
        "physician_review": days(2),
        "consent_override": hours(9),
    }[c.stop]
    steps = [*intake(c, rng), *assessment(c, rng), *planning(c, rng)]
    return [*steps, *implementation(c, rng, c.stop), (rest, idle)]


# -- monitoring ------------------------------------------------------------------------------


def contact(c: DemoClient, rng: Random, kind: str, n: int) -> Data:
    """A monitoring contact: kind progress, ready (for evaluation) or missed; n-th contact."""
    method = rng.choice(METHODS)
    if kind == "missed":
        return lambda s, case: {
            "reached": False,
            "contact_date": s.today(),
            "contact_method": "phone",
            "contact_notes": "no answer; left a message",
        }
    achievement = "achieved" if kind == "ready" else PROGRESS[min(n, len(PROGRESS) - 2)]
    updates = [
        {"goal_id": g[0], "achievement": achievement, "note": rng.choice(NOTES[achievement])}
        for g in NEEDS[c.need]["goals"]
    ]
    satisfaction = rng.randint(3, 5)
    return lambda s, case: {
        "reached": True,
        "contact_date": s.today(),
        "contact_method": method,
        "goal_updates": updates,
        "contact_notes": "talked through the plan",
        "satisfaction": satisfaction,
        "ready_for_evaluation": kind == "ready",
    }


def to_monitoring(
    c: DemoClient, rng: Random, kinds: list[str], until_review: bool = False
) -> list[Step]:
    """Intake, assessment, planning, implementation, then monitoring contacts of kinds."""
    before = [*intake(c, rng), *assessment(c, rng), *planning(c, rng)]
    started = implementation(c, rng)
    review_in = days(REVIEW[final_tier(c)]) - duration(started)
    return [*before, *started, *monitoring(c, rng, kinds, review_in, until_review)]


def monitoring(
    c: DemoClient, rng: Random, kinds: list[str], review_in: timedelta, until_review: bool
) -> list[Step]:
    """Contacts at the tier's cadence (a missed one retried after 3 days), until_review: on."""
    # The plan falls due for review review_in after monitoring starts. A day either side of
    # that, a contact's outcome would depend on the time of day, so no contact falls there.
    # until_review: contacts go on until one finds the review due (back to planning).
    interval = days(INTERVAL[final_tier(c)])
    steps: list[Step] = []
    elapsed, previous = ZERO, "progress"
    for n, kind in enumerate(kinds):
        wait = (RETRY if previous == "missed" else interval) + some_hours(rng, 2, 30)
        if until_review and review_in - days(1) <= elapsed + wait < review_in + days(1):
            wait = review_in + days(1) - elapsed + some_hours(rng, 2, 10)
        elapsed += wait
        if kind == "progress" and not until_review and elapsed >= review_in - days(1):
            raise ValueError(f"demo case {c.name}: a contact after the plan's review date")
        steps.append((wait, do("monitoring_contact", contact(c, rng, kind, n))))
        previous = kind
        if until_review and elapsed >= review_in:
            break
    return steps


MONITORING = {  # contacts so far, by the tier's cadence
    "high": ["progress", "progress"],
    "moderate": ["progress", "missed", "progress"],
    "low": ["progress", "progress"],
}


def in_monitoring(c: DemoClient, rng: Random) -> list[Step]:
    """Stopped in monitoring: waiting for the next contact, overdue, retrying or due."""
    interval = days(INTERVAL[final_tier(c)])
    kinds = MONITORING[final_tier(c)] + (["missed"] if c.stop == "outreach" else [])
    steps = to_monitoring(c, rng, kinds)
    if c.stop == "waiting":
        hours_left = INTERVAL[final_tier(c)] * 24
        return [*steps, (some_hours(rng, hours_left * 3 // 10, hours_left * 7 // 10), idle)]
    if c.stop == "overdue":
        return [*steps, (interval + CONTACT_DUE + some_hours(rng, 30, 100), idle)]
    if c.stop == "outreach":
        return [*steps, (RETRY + hours(10), idle)]
    # contact_due: the contact is in the inbox; the case manager hands it back to the team
    return [*steps, (interval + hours(11), unclaim("monitoring_contact"))]


# -- evaluation and closure ------------------------------------------------------------------


def evaluation(c: DemoClient, rng: Random) -> dict[str, Any]:
    """The evaluation: every goal achieved, lower scores, close the case."""
    goals = [{"goal_id": g[0], "achievement": "achieved"} for g in NEEDS[c.need]["goals"]]
    return {
        "goal_attainment": goals,
        "phq9": answers(rng, rng.randint(1, 6), 8, 3) | {"q9": 0},
        "gad7": answers(rng, rng.randint(1, 6), 7, 3),
        "satisfaction": rng.randint(4, 5),
        "evaluation_decision": "close",
        "closure_reason_suggested": "goals_met",
    }


def closure(
    c: DemoClient, rng: Random, reason: str = "goals_met", approve: bool = True
) -> list[Step]:
    """The closure summary and, if approve, the supervisor's approval."""
    plan = {
        "goals_met": "GP follows up; the client knows to call us again if things slip",
        "unable_to_contact": "letter sent with our number; GP told we could not reach them",
    }[reason]
    summary = {"closure_reason": reason, "transition_plan": plan}
    steps: list[Step] = [(some_hours(rng, 20, 40), do("closure_summary", summary))]
    if approve:
        steps.append(
            (some_hours(rng, 4, 24), do("closure_approval", {"closure_decision": "approve"}))
        )
    return steps


def to_evaluation(c: DemoClient, rng: Random) -> list[Step]:
    """Monitored until the client is ready for evaluation."""
    kinds = ["progress"] * (2 if final_tier(c) == "low" else 3) + ["ready"]
    return to_monitoring(c, rng, kinds)


def in_evaluation(c: DemoClient, rng: Random) -> list[Step]:
    """Stopped at the evaluation."""
    return [*to_evaluation(c, rng), (hours(40), idle)]


def in_closure(c: DemoClient, rng: Random) -> list[Step]:
    """Evaluated and summarised; the supervisor's approval is open."""
    evaluated = (some_hours(rng, 20, 50), do("evaluation", evaluation(c, rng)))
    return [*to_evaluation(c, rng), evaluated, *closure(c, rng, approve=False), (hours(20), idle)]


def closed(c: DemoClient, rng: Random) -> list[Step]:
    """Closed: goals met (a month on, a check-in is due), or unable to contact the client."""
    if c.stop == "unable_to_contact":
        steps = to_monitoring(c, rng, ["progress", "missed", "missed", "missed"])
        return [*steps, *closure(c, rng, "unable_to_contact"), (days(12), idle)]
    evaluated = (some_hours(rng, 20, 50), do("evaluation", evaluation(c, rng)))
    rest = days(36) if c.stop == "goals_met_checkin" else days(9)  # check-in after 30 days
    return [*to_evaluation(c, rng), evaluated, *closure(c, rng), (rest, idle)]


PHASES: dict[str, Callable[[DemoClient, Random], list[Step]]] = {
    "intake": in_intake,
    "ineligible": ineligible,
    "assessment": in_assessment,
    "planning": in_planning,
    "implementation": in_implementation,
    "monitoring": in_monitoring,
    "evaluation": in_evaluation,
    "closure": in_closure,
    "closed": closed,
}


# -- playing the timelines -------------------------------------------------------------------


def timelines(clients: tuple[DemoClient, ...], rng: Random) -> list[tuple[Case, list[Step]]]:
    """Each client's case and steps (a 555-01xx phone each), planned in catalogue order."""
    return [
        (Case(c, f"+1 555 01{10 + i:02d}"), PHASES[c.phase](c, rng)) for i, c in enumerate(clients)
    ]


def duration(steps: list[Step]) -> timedelta:
    """How long a case's steps take from opening to the end of the demo."""
    return sum((wait for wait, _ in steps), ZERO)


def play(s: Seeder, plans: list[tuple[Case, list[Step]]], end: datetime) -> Iterator[str]:
    """Run every case's steps in time order so each ends at end; yield a line per case."""
    queue = [(end - duration(steps), i, 0) for i, (_case, steps) in enumerate(plans)]
    heapq.heapify(queue)
    while queue:
        when, i, k = heapq.heappop(queue)
        s.run_timers_until(when)
        case, steps = plans[i]
        steps[k][1](s, case)
        if k + 1 < len(steps):
            heapq.heappush(queue, (when + steps[k + 1][0], i, k + 1))
    s.run_timers_until(end)
    for case, _steps in plans:
        yield describe(s, case)


def describe(s: Seeder, case: Case) -> str:
    """A line about the case as it stands (RuntimeError if it missed its target phase)."""
    row = s.engine.instances.get(case.instance_id)  # fresh: the case as the app shows it
    phase = str(row.data.get("phase"))
    target = "closed" if case.client.phase == "ineligible" else case.client.phase
    if phase != target or row.status == "error":
        raise RuntimeError(
            f"demo case {case.client.name} ended in {phase} ({row.status}), not {target}"
        )
    tier = row.data.get("risk_tier") or "-"
    manager = row.data.get("case_manager") or "unassigned"
    waiting = ", ".join(t.element_id for t in row.ready_tasks) or "nothing open"
    return f"case {case.id} {case.client.name}: {phase}, risk {tier}, {manager}; {waiting}"
