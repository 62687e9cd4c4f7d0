"""Keep long-lived workflows small: drop the finished history of the task tree.

SpiffWorkflow keeps every task it ever ran. A back-edge loop (a weekly contact for years)
grows the tree by a few levels per turn, so loading and saving cost more each time and,
past depth 1,000, the library's iterators silently stop finding ready tasks.

Pruning keeps only what can still matter: the root, and the subtree of the deepest
*completed* task that is an ancestor of every unfinished task. Every unfinished task,
every join's split and every boundary-event split lies in that subtree, and the kept
completed ancestor holds the data its children inherit. The history lives in CareCycle's
audit log, not in the tree. Children a standard loop has already merged are dropped too
(the loop only counts its merged list, so their ids are blanked).
``tests/unit/test_pruning.py`` runs every BPMN construct pruned after each step.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import StandardLoopTask
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


def prune(workflow: Any) -> int:
    """Drop finished history from a workflow and its sub-workflows; return tasks removed."""
    removed = _prune_tree(workflow, workflow)
    for key in list(workflow.subprocesses):
        sub = workflow.subprocesses.get(key)
        if sub is not None:
            removed += _prune_tree(sub, workflow)
    return removed


def _prune_tree(wf: Any, top: Any) -> int:
    removed = _drop_merged_loop_children(wf, top)
    root = wf.task_tree
    live = [t for t in wf.tasks.values() if not t.has_state(_FINISHED)]
    if not live:
        return removed
    cut = _lowest_common_ancestor(live)
    while cut is not None and cut.state != TaskState.COMPLETED:
        cut = cut.parent
    if cut is None or cut is root or cut.parent is root:
        return removed
    keep = _subtree_ids(cut)
    keep.add(root.id)
    dropped = [task_id for task_id in wf.tasks if task_id not in keep]
    _forget(wf, top, dropped)
    cut._parent = root.id
    root._children = [cut.id]
    return removed + len(dropped)


def _drop_merged_loop_children(wf: Any, top: Any) -> int:
    dropped: list[UUID] = []
    for task in list(wf.tasks.values()):
        if isinstance(task.task_spec, StandardLoopTask) and task.state == TaskState.STARTED:
            done = {c.id for c in task.children if c.has_state(_FINISHED)}
            done_text = {str(c) for c in done}
            for child_id in done:
                dropped.extend(_subtree_ids(wf.tasks[child_id]))
            task._children = [c for c in task._children if c not in done]
            merged = task.internal_data.get("merged", [])
            task.internal_data["merged"] = ["" if m in done_text else m for m in merged]
    _forget(wf, top, dropped)
    return len(dropped)


def _forget(wf: Any, top: Any, task_ids: list[UUID]) -> None:
    for task_id in task_ids:
        if task_id in top.subprocesses:
            _drop_subprocess(top, task_id)
    for task_id in task_ids:
        del wf.tasks[task_id]
    if wf.last_task is not None and wf.last_task.id not in wf.tasks:
        wf.last_task = None


def _drop_subprocess(top: Any, task_id: UUID) -> None:
    sub = top.subprocesses.pop(task_id)
    for key in [k for k in sub.tasks if k in top.subprocesses]:
        _drop_subprocess(top, key)


def _lowest_common_ancestor(tasks: list[Any]) -> Any:
    chain: list[Any] = []
    node = tasks[0]
    while node is not None:
        chain.append(node)
        node = node.parent
    chain.reverse()
    index = {t.id: i for i, t in enumerate(chain)}
    deepest = len(chain) - 1
    for task in tasks[1:]:
        node = task
        while node.id not in index:
            node = node.parent
        deepest = min(deepest, index[node.id])
    return chain[deepest]


def _subtree_ids(task: Any) -> set[UUID]:
    found: set[UUID] = set()
    stack = [task]
    while stack:
        node = stack.pop()
        found.add(node.id)
        stack.extend(node.children)
    return found
