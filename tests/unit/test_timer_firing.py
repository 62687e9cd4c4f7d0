"""Timers that fell due while nobody ran the instance fire in due order, at their own time."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.runtime_driver import Driver


def test_catch_up_fires_in_due_order() -> None:
    d = Driver("timers", persist=False)
    d.advance(hours=1, microseconds=1)
    assert d.ready() == ["assessment"]
    d.running.fired.clear()
    d.advance(days=6)  # past the reminder (2 days) and the escalation (5 days) at once
    assert [t.element_id for t in d.running.fired] == ["reminder_timer", "escalation_timer"]
    assert d.ready() == ["escalation", "reminder"]  # the reminder ran before the interrupt


def test_each_timer_fires_at_its_own_due_time() -> None:
    d = Driver("timers", persist=False)
    start = d.clock.now()
    d.advance(days=1)  # the one-hour wait fires at start + 1 h, not at catch-up time
    [reminder, escalation] = d.running.waiting_timers()
    assert reminder.due_at - start == timedelta(days=2, hours=1, microseconds=1)
    assert escalation.due_at - start == timedelta(days=5, hours=1, microseconds=1)
    assert d.ready() == ["assessment"]


def test_cycle_that_missed_periods_fires_once_then_resumes_from_now() -> None:
    d = Driver("timer_cycle", persist=False)
    d.advance(hours=5)  # three periods of R3/PT1H were missed
    assert d.ready().count("nudge") == 1
    [cycle] = d.running.waiting_timers()
    assert cycle.due_at == d.clock.now() + timedelta(hours=1)
    d.advance(hours=1, seconds=1)
    assert d.ready().count("nudge") == 2
