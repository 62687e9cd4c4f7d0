"""SpiffWorkflow must read time through CareCycle's clock: fail loudly if the library changes."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module

from engine.clock import FrozenClock
from engine.runtime import timeclock


def test_library_reads_time_only_through_its_module_datetime() -> None:
    source = inspect.getsource(timer_module)
    assert "datetime.now(timezone.utc)" in source
    assert "time.time(" not in source and "utcnow" not in source


def test_bound_clock_is_what_the_timer_module_sees() -> None:
    clock = FrozenClock(datetime(2031, 3, 4, 5, 6, tzinfo=UTC))
    with timeclock.bound(clock):
        assert timeclock.is_installed()
        seen = timer_module.datetime.now(timer_module.timezone.utc)
        assert seen == datetime(2031, 3, 4, 5, 6, tzinfo=UTC)
        clock.advance(timedelta(days=30))
        later = timer_module.datetime.now(timer_module.timezone.utc)
        assert later - seen == timedelta(days=30)


def test_duration_timer_due_time_follows_the_clock() -> None:
    clock = FrozenClock(datetime(2030, 1, 1, tzinfo=UTC))
    with timeclock.bound(clock):
        parsed = timer_module.TimerEventDefinition.parse_iso_duration("P2D")
        delta = timer_module.TimerEventDefinition.get_timedelta_from_start(parsed)
    assert delta == timedelta(days=2)


def test_unbound_context_uses_the_system_clock() -> None:
    timeclock.install()
    seen = timer_module.datetime.now(timer_module.timezone.utc)
    assert abs(seen - datetime.now(UTC)) < timedelta(seconds=5)
