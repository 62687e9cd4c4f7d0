"""What each BPMN element of a loaded workflow is doing: completed, active, waiting or failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.task import TaskState

COMPLETED = "completed"
ACTIVE = "active"
WAITING = "waiting"
FAILED = "failed"
RANK = {COMPLETED: 0, WAITING: 1, ACTIVE: 2, FAILED: 3}

_STATES = {
    TaskState.COMPLETED: COMPLETED,
    TaskState.READY: ACTIVE,
    TaskState.WAITING: WAITING,
    TaskState.STARTED: WAITING,
    TaskState.ERROR: FAILED,
}


@dataclass(frozen=True)
class ElementState:
    """One element's state in one (sub-)process of the workflow."""

    process: str
    element_id: str
    state: str


def element_states(workflow: Any) -> list[ElementState]:
    """The strongest state of each element the workflow still knows (failed > active > ...).

    `process` is the spec the task runs in: a process id, or an embedded sub-process's id.
    Predicted and cancelled tasks are left out; pruned history is the caller's to add.
    """
    best: dict[tuple[str, str], str] = {}
    for task in workflow.get_tasks():
        state = _STATES.get(task.state)
        element = getattr(task.task_spec, "bpmn_id", None)
        if state is None or not element:
            continue
        key = (str(task.workflow.spec.name), str(element))
        if key not in best or RANK[state] > RANK[best[key]]:
            best[key] = state
    return [ElementState(p, e, s) for (p, e), s in sorted(best.items())]
