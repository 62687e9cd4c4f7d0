"""Make SpiffWorkflow read time from CareCycle's clock instead of the wall clock.

SpiffWorkflow 3.2 reads the time only through ``datetime.now(timezone.utc)`` in its
timer event definitions module. That module's ``datetime`` name is replaced once by
a subclass whose ``now()`` asks the clock bound to the current context.
``tests/unit/test_timeclock.py`` fails loudly if the library stops reading time that way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from engine.clock import Clock, SystemClock

_SYSTEM = SystemClock()
_current: ContextVar[Clock | None] = ContextVar("carecycle_clock", default=None)


class ClockDatetime(datetime):
    """A datetime whose now() is the bound clock's time."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> ClockDatetime:
        """The bound clock's time, in tz (UTC when tz is None)."""
        moment = (_current.get() or _SYSTEM).now().astimezone(tz or UTC)
        return cls.combine(moment.date(), moment.timetz())


def install() -> None:
    """Point SpiffWorkflow's timer module at ClockDatetime (idempotent)."""
    _timer_module.datetime = ClockDatetime


def is_installed() -> bool:
    """Whether SpiffWorkflow reads time through ClockDatetime."""
    return getattr(_timer_module, "datetime", None) is ClockDatetime


@contextmanager
def bound(clock: Clock) -> Iterator[None]:
    """Run the enclosed workflow code with clock as SpiffWorkflow's source of time."""
    install()
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


def current_time() -> datetime:
    """The time of the clock bound to this context (aware, UTC)."""
    return (_current.get() or _SYSTEM).now().astimezone(UTC)
