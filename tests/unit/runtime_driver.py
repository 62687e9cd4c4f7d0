"""Drive a fixture process through RunningInstance, optionally saving/restoring every step."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from engine.clock import FrozenClock
from engine.runtime.instance import RunningInstance, StepFailure
from engine.runtime.serializer import SpecBundle, WorkflowCodec
from engine.runtime.specs import load_directory, parse_sources

PROCESSES = Path(__file__).parent.parent / "fixtures" / "processes"
INPUTS = Path(__file__).parent / "runtime_inputs"
_BUNDLES: dict[str, SpecBundle] = {}
CODEC = WorkflowCodec()


def bundle(process_id: str) -> SpecBundle:
    """The parsed spec bundle of a fixture process (parsed once)."""
    if not _BUNDLES:
        for directory in (PROCESSES, INPUTS):
            for pid, parsed in parse_sources(load_directory(directory)).items():
                _BUNDLES[pid] = SpecBundle(parsed.spec, parsed.subprocess_specs)
    return _BUNDLES[process_id]


class Driver:
    """A process run step by step; with persist=True every step is dumped and reloaded."""

    def __init__(
        self,
        process_id: str,
        data: dict[str, Any] | None = None,
        persist: bool = True,
        clock: FrozenClock | None = None,
    ) -> None:
        self.bundle = bundle(process_id)
        self.clock = clock or FrozenClock()
        self.persist = persist
        self.running = RunningInstance.start(self.bundle, data or {}, self.clock)
        self.failure = self.running.run()
        self.sizes: list[int] = []
        self._cycle()

    def _cycle(self) -> None:
        if self.persist:
            state = self.running.dump(CODEC)
            self.sizes.append(len(state))
            self.running = RunningInstance.load(CODEC, state, self.bundle, self.clock)

    def ready(self) -> list[str]:
        """Element ids of the ready human tasks, sorted."""
        return sorted(t.element_id for t in self.running.ready_tasks())

    def complete(self, element_id: str, values: dict[str, Any] | None = None) -> StepFailure | None:
        """Complete the first ready task of element_id."""
        task = next(t for t in self.running.ready_tasks() if t.element_id == element_id)
        self.failure = self.running.complete(task.task_id, values or {})
        self._cycle()
        return self.failure

    def message(self, name: str, payload: dict[str, Any]) -> None:
        """Deliver a message."""
        self.failure = self.running.deliver(name, payload)
        self._cycle()

    def advance(self, **delta: float) -> None:
        """Move the clock and fire what fell due."""
        self.clock.advance(timedelta(**delta))
        self.failure = self.running.run()
        self._cycle()

    def retry(self, corrections: dict[str, Any] | None = None) -> StepFailure | None:
        """Retry failed tasks."""
        self.failure = self.running.retry(corrections)
        self._cycle()
        return self.failure

    @property
    def done(self) -> bool:
        """Whether the process finished."""
        return self.running.is_completed()

    def data(self) -> dict[str, Any]:
        """Current (or final) process data."""
        return self.running.data()
