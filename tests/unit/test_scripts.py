"""The script environment: helpers work, imports and dangerous builtins do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.clock import FrozenClock
from engine.runtime import timeclock
from engine.runtime.scripts import script_engine


def _exec(script: str, data: dict[str, object]) -> dict[str, object]:
    engine = script_engine()
    engine.environment.execute(script, data)
    return data


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "x = __import__('os')",
        "x = open('/etc/passwd').read()",
        "x = eval('1')",
        "x = getattr(1, 'real')",
    ],
)
def test_scripts_cannot_reach_outside(script: str) -> None:
    with pytest.raises((ImportError, NameError)):
        _exec(script, {})


def test_helpers_read_the_engine_clock() -> None:
    clock = FrozenClock(datetime(2030, 1, 31, 12, 0, tzinfo=UTC))
    with timeclock.bound(clock):
        data = _exec(
            "today = today_iso()\nnext_review = add_duration(today, 'P90D')\n"
            "gap = days_between(today, next_review)",
            {},
        )
    assert data == {"today": "2030-01-31", "next_review": "2030-05-01", "gap": 90}


def test_ordinary_python_works() -> None:
    data = _exec("total = sum(sorted([3, 1, 2]))\nbands = {k: len(k) for k in ['a', 'bb']}", {})
    assert data == {"total": 6, "bands": {"a": 1, "bb": 2}}
