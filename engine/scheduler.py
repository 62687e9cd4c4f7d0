"""The timer scheduler: the only home of APScheduler.

It wakes at the next due time (a date job moved whenever an earlier timer appears), claims
each due instance in the database, fires its due timers in order and commits. A watch job
re-reads the earliest due time every poll interval, so timers created by other processes
(or a moved simulated clock) are noticed; in-process commits notify it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from engine.bootstrap import Engine
from engine.services.timers import Firing, TimerService

log = logging.getLogger("carecycle.scheduler")
WAKE = "wake"
SLACK = timedelta(milliseconds=1)


class _Planned(BaseTrigger):  # type: ignore[misc]
    """The wake job's trigger: the moment the scheduler planned, once; else a day later."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        """The planned moment if it is still ahead of the last run, else a quiet day."""
        if self.at is not None and (previous_fire_time is None or self.at > previous_fire_time):
            return self.at
        return now + timedelta(days=1)


def scheduler_name() -> str:
    """A name unique to this process: host, pid and a short random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class TimerScheduler:
    """Fires due timers exactly once, on time, for as long as it runs."""

    def __init__(
        self,
        engine: Engine,
        holder: str | None = None,
        poll_seconds: float = 1.0,
        lease_seconds: float = 30.0,
    ) -> None:
        self.engine = engine
        self.timers: TimerService = engine.timers
        self.holder = holder or scheduler_name()
        self.poll = poll_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.fired = 0
        self._lock = threading.Lock()
        self._trigger = _Planned()
        self._waking = threading.Event()
        self._aps = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self) -> None:
        """Take the lease (Conflict if SQLite already has a scheduler) and start firing."""
        self.timers.acquire_lease(self.holder, self.lease)
        self.engine.context.timer_listeners.append(self.notify)
        self._aps.add_job(self._watch, "interval", seconds=self.poll, id="watch")
        self._aps.add_job(
            self._renew, "interval", seconds=self.lease.total_seconds() / 3, id="lease"
        )
        self._trigger.at = datetime.now(UTC)  # catch up at once
        self._aps.add_job(self._wake, self._trigger, id=WAKE, next_run_time=self._trigger.at)
        self._aps.start()
        log.info("scheduler %s started (poll %.1fs)", self.holder, self.poll)

    def stop(self) -> None:
        """Stop firing and give the lease back."""
        if self.notify in self.engine.context.timer_listeners:
            self.engine.context.timer_listeners.remove(self.notify)
        if self._aps.running:
            self._aps.shutdown(wait=True)
        self.timers.release_lease(self.holder)
        log.info("scheduler %s stopped after %d firings", self.holder, self.fired)

    def notify(self, due_at: datetime) -> None:
        """An earlier timer may exist: wake at due_at if that is sooner than planned."""
        self._plan(due_at)

    # -- jobs ------------------------------------------------------------------------------

    def _wake(self) -> None:
        self._waking.set()
        try:
            self._fire_all()
        finally:
            self._waking.clear()
        self._plan(None)

    def _fire_all(self) -> None:
        while True:
            try:
                firings = self.timers.fire_next(self.holder)
            except Exception:
                log.exception("firing failed; retrying at the next wake-up")
                break
            if firings is None:
                break
            for firing in firings:
                self._log(firing)

    def _watch(self) -> None:
        self._plan(None)

    def _renew(self) -> None:
        try:
            self.timers.renew_lease(self.holder, self.lease)
        except Exception:
            log.exception("could not renew the scheduler lease")

    # -- planning --------------------------------------------------------------------------

    def _plan(self, hint: datetime | None) -> None:
        due = hint if hint is not None else self.timers.next_due()
        if due is None or not self._aps.running or self._waking.is_set():
            return  # a running wake-up plans the next one when it finishes
        run_at = max(self._real_time_of(due) + SLACK, datetime.now(UTC))
        with self._lock:
            job = self._aps.get_job(WAKE)
            planned = job.next_run_time if job is not None else None
            if planned is not None and planned <= run_at:
                return
            self._trigger.at = run_at
            self._aps.modify_job(WAKE, next_run_time=run_at)

    def _real_time_of(self, due: datetime) -> datetime:
        """The wall-clock moment at which the engine clock reaches due (simulated clocks)."""
        return datetime.now(UTC) + (due - self.engine.clock.now())

    def _log(self, firing: Firing) -> None:
        self.fired += 1
        log.info(
            "fired instance=%s element=%s due=%s fired=%s lateness=%.3fs",
            firing.instance_id,
            firing.element_id,
            firing.due_at.isoformat(),
            firing.fired_at.isoformat(),
            firing.lateness.total_seconds(),
        )
