"""The environment designers' scripts and conditions run in: no imports, a few helpers."""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.runtime.business_days import BUSINESS_HELPERS
from engine.runtime.care_helpers import CARE_HELPERS
from engine.runtime.timeclock import current_time

_SAFE_NAMES = (
    *("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "format"),
    *("frozenset", "int", "isinstance", "len", "list", "map", "max", "min", "range"),
    *("reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip"),
    *("ArithmeticError", "Exception", "KeyError", "IndexError", "TypeError", "ValueError"),
    *("ZeroDivisionError", "None", "True", "False"),
)

SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _SAFE_NAMES}


def _now_iso() -> str:
    """The engine clock's time as an ISO 8601 string with offset."""
    return current_time().isoformat()


def _today_iso() -> str:
    """The engine clock's date (UTC) as YYYY-MM-DD."""
    return current_time().date().isoformat()


def _add_duration(moment: str, duration: str) -> str:
    """moment (ISO date or date-time) plus an ISO 8601 duration, as an ISO string."""
    start = datetime.fromisoformat(moment)
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    result = start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return str(result.date().isoformat() if len(moment) == 10 else result.isoformat())


def _days_between(first: str, second: str) -> int:
    """Whole days from first to second (ISO dates or date-times)."""
    a = date.fromisoformat(first[:10])
    b = date.fromisoformat(second[:10])
    return (b - a) // timedelta(days=1)


HELPERS: dict[str, Any] = {
    "now_iso": _now_iso,
    "today_iso": _today_iso,
    "add_duration": _add_duration,
    "days_between": _days_between,
    **CARE_HELPERS,
    **BUSINESS_HELPERS,
}


def script_engine() -> PythonScriptEngine:
    """A script engine whose scripts see task data, the helpers and safe builtins only."""
    environment = TaskDataEnvironment({"__builtins__": SAFE_BUILTINS, **HELPERS})
    return PythonScriptEngine(environment=environment)
