"""The simulated clock: system time plus an offset every process reads from the database."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine as DbEngine

from engine.clock import Clock, SystemClock
from engine.errors import BadRequest, Forbidden
from engine.identity import Actor
from engine.persistence.database import read_without_transaction
from engine.persistence.tables import ClockState
from engine.runtime.timers import parse_duration
from engine.services.context import Context, record

STATE_ID = 1


class SimulatedClock:
    """System time shifted by the offset in clock_state (re-read at most every ttl seconds)."""

    def __init__(self, db: DbEngine, ttl: float = 0.2, base: Clock | None = None) -> None:
        self._db = db
        self._ttl = ttl
        self._base = base or SystemClock()
        self._offset = timedelta(0)
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The deployment's simulated time."""
        with self._lock:
            if time.monotonic() - self._read_at > self._ttl:
                self._offset = self._read_offset()
                self._read_at = time.monotonic()
            return self._base.now() + self._offset

    def forget(self) -> None:
        """Re-read the offset on the next now()."""
        with self._lock:
            self._read_at = float("-inf")

    def _read_offset(self) -> timedelta:
        # Read outside any transaction: now() is called inside other units of work.
        value = read_without_transaction(
            self._db, f"SELECT offset_seconds FROM clock_state WHERE id = {STATE_ID}"
        )
        return timedelta(seconds=float(value or 0.0))


class ClockService:
    """Show, advance and reset the simulated clock (only with CARECYCLE_SIMULATED_CLOCK=1)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def show(self) -> tuple[datetime, timedelta]:
        """The engine's current time and the offset from real time."""
        with self.ctx.uow() as uow:
            state = uow.session.get(ClockState, STATE_ID)
            offset = timedelta(seconds=state.offset_seconds) if state else timedelta(0)
        return self.ctx.clock.now(), offset

    def advance(self, duration: str, actor: Actor) -> datetime:
        """Move time forward for every process of the deployment; due timers then fire."""
        self._require(actor)
        try:
            delta = parse_duration(duration, self.ctx.clock.now())
        except Exception as exc:
            raise BadRequest(f"not an ISO 8601 duration: {duration!r} (try P30D or PT4H)") from exc
        if delta <= timedelta(0):
            raise BadRequest("time only moves forward")
        return self._shift(delta, actor, "clock.advanced", duration)

    def reset(self, actor: Actor) -> datetime:
        """Back to real time."""
        self._require(actor)
        return self._shift(None, actor, "clock.reset", "")

    def _shift(self, delta: timedelta | None, actor: Actor, action: str, text: str) -> datetime:
        with self.ctx.uow() as uow:
            state = uow.session.get(ClockState, STATE_ID)
            if state is None:
                state = ClockState(id=STATE_ID, offset_seconds=0.0, updated_at=datetime.now(UTC))
                uow.session.add(state)
            state.offset_seconds = (
                0.0 if delta is None else state.offset_seconds + delta.total_seconds()
            )
            state.updated_at = datetime.now(UTC)
            record(
                uow.session,
                datetime.now(UTC),
                actor.username,
                action,
                detail={"duration": text, "offset_seconds": state.offset_seconds},
            )
            uow.commit()
        forget = getattr(self.ctx.clock, "forget", None)
        if callable(forget):
            forget()
        return self.ctx.clock.now()

    def _require(self, actor: Actor) -> None:
        if not self.ctx.settings.simulated_clock:
            raise Forbidden("the simulated clock is off; set CARECYCLE_SIMULATED_CLOCK=1 to use it")
        if not actor.has("supervisor", "designer"):
            raise Forbidden("only supervisors, designers and admins move the clock")
