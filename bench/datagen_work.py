"""The work of one generated case: completed and ready human tasks, timers, audit events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bench.datagen_store import Batch, Ids
from bench.datagen_story import DAY, Story

# element id -> (name, lane, form id); the lane is also the candidate role
TASKS: dict[str, tuple[str, str, str]] = {
    "intake_screening": ("Intake screening", "intake", "cc_intake_screening"),
    "consent": ("Record consent", "intake", "cc_consent"),
    "assign_case_manager": ("Assign case manager", "supervisor", "cc_assign_case_manager"),
    "first_contact": ("First contact", "case_manager", "cc_first_contact"),
    "first_contact_overdue": (
        "Review overdue first contact",
        "supervisor",
        "cc_overdue_review",
    ),
    "psychosocial_assessment": ("Psychosocial assessment", "case_manager", "cc_psychosocial"),
    "instruments": ("Screening instruments", "case_manager", "cc_instruments"),
    "safety_followup": ("Safety follow-up", "case_manager", "cc_safety_followup"),
    "safety_alert_review": ("Review safety alert", "supervisor", "cc_safety_alert"),
    "risk_review": ("Review risk tier", "case_manager", "cc_risk_review"),
    "service_plan": ("Write service plan", "case_manager", "cc_service_plan"),
    "client_decision": ("Record client decision", "case_manager", "cc_client_decision"),
    "plan_approval": ("Approve plan", "supervisor", "cc_plan_approval"),
    "referral_followup": ("Follow up referral", "case_manager", "cc_referral_followup"),
    "physician_review": ("Physician review of the plan", "care_team", "cc_physician_review"),
    "monitoring_contact": ("Monitoring contact", "case_manager", "cc_monitoring_contact"),
    "evaluation": ("Evaluate outcomes", "case_manager", "cc_evaluation"),
    "closure_summary": ("Closure summary", "case_manager", "cc_closure_summary"),
    "closure_approval": ("Approve closure", "supervisor", "cc_closure_approval"),
    "post_closure_checkin": ("Post-closure check-in", "case_manager", "cc_post_closure_checkin"),
}
AUDITED = ("first_contact", "plan_approval", "closure_approval")
OPEN_INSTANCE = ("waiting", "suspended")
CONTACT_DUE = 2 * DAY
SAFETY_DUE = timedelta(hours=4)


class Work:
    """Queues one story's tasks, timers and audit events."""

    def __init__(
        self, rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids
    ) -> None:
        """Bind the story, the clock's `now` and where rows go."""
        self.rng, self.story, self.now, self.batch, self.ids = rng, story, now, batch, ids

    def add_all(self) -> None:
        """History, then the current ready task and waiting timer, then audit events."""
        self._audit("case.opened", self.story.opened_at, self.story.team.intake, to="planned")
        self._audit("instance.started", self.story.opened_at, self.story.team.intake)
        self._intake()
        self._assessment_and_plan()
        self._monitoring()
        self._closure()
        if self.story.instance_status in OPEN_INSTANCE:
            self._current()
        self._instance_event()

    # -- rows ----------------------------------------------------------------------

    def _uuid(self) -> str:
        """A random-looking id, unique across runs: the case id is part of it."""
        bits = (self.story.case_id % (1 << 48)) << 80 | self.rng.getrandbits(80)
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"

    def _who(self, lane: str) -> str | None:
        story = self.story
        return {
            "intake": story.team.intake,
            "supervisor": story.supervisor,
            "case_manager": story.manager,
            "care_team": "dr_" + story.team.name,
        }[lane]

    def _task(
        self,
        element: str,
        created: datetime,
        done: datetime | None,
        due: datetime | None = None,
    ) -> str:
        name, lane, form = TASKS[element]
        task_id = self._uuid()
        worker = self._who(lane)
        assignee = worker if lane == "case_manager" else None
        if done is not None and lane != "case_manager":
            assignee = worker  # claimed by whoever did it
        self.batch.add(
            "human_task",
            {
                "id": task_id,
                "instance_id": self.story.instance_id,
                "case_id": self.story.case_id,
                "process_id": "care_cycle",
                "element_id": element,
                "name": name,
                "lane": lane,
                "candidate_roles": [lane],
                "form_id": form,
                "assignee": assignee,
                "due_at": due,
                "status": "ready" if done is None else "completed",
                "created_at": created,
                "claimed_at": created if assignee else None,
                "completed_at": done,
                "completed_by": worker if done is not None else None,
            },
        )
        if done is None:
            self.batch.add("human_task_role", {"task_id": task_id, "role": lane})
        elif element in AUDITED:
            self._audit("task.completed", done, worker or "system", task_id, element)
        return task_id

    def _timer(self, element: str, created: datetime, due: datetime, fired: bool) -> None:
        self.batch.add(
            "timer",
            {
                "id": self.ids.take("timer"),
                "instance_id": self.story.instance_id,
                "task_id": self._uuid(),
                "element_id": element,
                "kind": "duration",
                "due_at": due,
                "status": "fired" if fired else "pending",
                "created_at": created,
                "closed_at": due if fired else None,
            },
        )

    def _audit(
        self,
        action: str,
        at: datetime,
        actor: str,
        task_id: str | None = None,
        element: str | None = None,
        to: str | None = None,
    ) -> None:
        self.batch.add(
            "audit_event",
            {
                "id": self.ids.take("audit_event"),
                "at": at,
                "actor": actor,
                "action": action,
                "instance_id": self.story.instance_id,
                "case_id": self.story.case_id,
                "task_id": task_id,
                "element_id": element,
                "from_status": None,
                "to_status": to,
                "detail": {"urgency": self.story.urgency} if action == "case.opened" else {},
            },
        )

    def _between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    # -- history -------------------------------------------------------------------

    def _intake(self) -> None:
        story = self.story
        end = story.until(self.now)
        screened = min(end, story.opened_at + self.rng.uniform(0.005, 0.05) * DAY)
        if story.step == "intake_screening":
            return
        self._task("intake_screening", story.opened_at, screened)
        if story.manager is None:
            return
        if story.urgency != "immediate":
            self._task("assign_case_manager", screened, story.assigned_at)
        contact = story.first_contact_at
        if contact is None:
            return
        due = story.first_contact_due
        self._task("first_contact", story.assigned_at, contact, due)
        if contact > due:
            self._timer("first_contact_deadline", story.assigned_at, due, fired=True)
            self._task("first_contact_overdue", due, self._between(due, contact))

    def _assessment_and_plan(self) -> None:
        story, rng = self.story, self.rng
        contact, assessed = story.first_contact_at, story.assessed_at
        if contact is None or assessed is None:
            return
        scored = self._between(contact, assessed)
        self._task("instruments", self._between(contact, scored), scored)
        if story.safety_alert:
            for element in ("safety_followup", "safety_alert_review"):
                handled = min(assessed, scored + rng.uniform(0.5, 6) * timedelta(hours=1))
                self._task(element, scored, handled, scored + SAFETY_DUE)
        self._task("risk_review", scored, assessed)
        approved = story.plan_approved_at
        if approved is None:
            return
        drafted = self._between(assessed, approved)
        self._task("service_plan", assessed, drafted)
        self._task("plan_approval", drafted, approved)

    def _monitoring(self) -> None:
        start = self.story.monitoring_from
        if start is None:
            return
        end = self.story.until(self.now)
        count = self.rng.choices((0, 1, 2, 3), (0.1, 0.3, 0.3, 0.3))[0]
        for created in sorted(self._between(start, end) for _ in range(count)):
            done = created + self.rng.triangular(0.05, 3.5, 0.5) * DAY
            if done >= end:
                continue
            self._timer("wait_next_contact", start, created, fired=True)
            self._task("monitoring_contact", created, done, created + CONTACT_DUE)

    def _closure(self) -> None:
        story, rng = self.story, self.rng
        closed = story.closed_at
        if story.status != "finished" or closed is None:
            return
        self._task("evaluation", closed - rng.uniform(9, 12) * DAY, closed - 8 * DAY)
        summary = closed - rng.uniform(1, 4) * DAY
        self._task("closure_summary", closed - 8 * DAY, summary)
        self._task("closure_approval", summary, closed)
        checkin = closed + 30 * DAY
        if story.instance_status == "completed":
            self._timer("post_closure_wait", closed, checkin, fired=True)
            finished = min(self.now, checkin + rng.uniform(0.1, 3) * DAY)
            self._task("post_closure_checkin", checkin, finished)

    # -- now -----------------------------------------------------------------------

    def _current(self) -> None:
        story, now, rng = self.story, self.now, self.rng
        step = story.step
        if story.phase == "closed":
            return self._after_closure()
        if step == "first_contact":
            due = story.first_contact_due
            self._task("first_contact", story.assigned_at, None, due)
            self._timer("first_contact_deadline", story.assigned_at, due, fired=due <= now)
            if due <= now:
                self._task("first_contact_overdue", due, None)
        elif step == "monitoring_contact":
            created = now - rng.uniform(0, 3) * DAY
            self._task(step, created, None, created + CONTACT_DUE)
        elif step:
            self._task(step, self._since(), None)
        if story.phase == "monitoring" and not step:
            self._timer("wait_next_contact", self._since(), now + rng.uniform(0.1, 30) * DAY, False)
        if story.phase == "implementation":
            self._timer(
                "referral_followup_due", self._since(), now + rng.uniform(1, 14) * DAY, False
            )
        return None

    def _since(self) -> datetime:
        """When the current phase began (the latest milestone before now)."""
        story = self.story
        marks = [story.monitoring_from, story.plan_approved_at, story.assessed_at]
        marks += [story.first_contact_at, story.assigned_at, story.opened_at]
        return max(m for m in marks if m is not None and m <= self.now)

    def _after_closure(self) -> None:
        closed = self.story.closed_at
        assert closed is not None
        checkin = closed + 30 * DAY
        if checkin <= self.now:
            self._timer("post_closure_wait", closed, checkin, fired=True)
            self._task("post_closure_checkin", checkin, None, checkin + 7 * DAY)
        else:
            self._timer("post_closure_wait", closed, checkin, fired=False)

    def _instance_event(self) -> None:
        story = self.story
        status = story.instance_status
        if status == "suspended":
            at = self._between(self._since(), self.now)
            self._audit("instance.suspended", at, story.supervisor, to="suspended")
        elif status == "error":
            at = self._between(self._since(), self.now)
            self._audit("instance.failed", at, "system", element="decide_monitoring_policy")
        elif status == "terminated" and story.closed_at is not None:
            self._audit("instance.terminated", story.closed_at, story.supervisor, to="terminated")


def add_work(rng: random.Random, story: Story, now: datetime, batch: Batch, ids: Ids) -> None:
    """Queue every task, timer and audit row of a story."""
    Work(rng, story, now, batch, ids).add_all()
