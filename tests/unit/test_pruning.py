"""Long-lived cases: a loop run 1,000 times stays correct and its stored state stays small."""

from __future__ import annotations

from engine.runtime.pruning import prune
from tests.unit.runtime_driver import Driver


def _depth(task: object) -> int:
    depth = 0
    node = task
    while getattr(node, "parent", None) is not None:
        node = node.parent  # type: ignore[attr-defined]
        depth += 1
    return depth


def test_backedge_loop_completes_after_1000_iterations_with_flat_state() -> None:
    d = Driver("backedge_loop")
    for week in range(1000):
        assert d.ready() == ["contact"], f"no ready task at iteration {week}"
        d.complete("contact", {"done": week == 999, "week": week})
    assert d.done
    assert d.data() == {"done": True, "week": 999}
    assert max(d.sizes[900:]) <= 1.2 * max(d.sizes[5:15])


def test_tree_stays_shallow_in_a_long_loop() -> None:
    d = Driver("backedge_loop")
    for week in range(400):  # raw SpiffWorkflow stalls at about 334
        d.complete("contact", {"done": False, "week": week})
    workflow = d.running.workflow
    [ready] = [
        t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "contact" and t.state == 16
    ]
    assert _depth(ready) <= 3
    assert len(workflow.tasks) < 15


def test_standard_loop_drops_merged_children() -> None:
    d = Driver("standard_loop")
    for i in range(300):
        d.complete("check_in", {"done": i == 299})
    assert d.done and d.data()["done"] is True
    assert max(d.sizes[250:]) < 2 * max(d.sizes[5:15])


def test_prune_is_idempotent_and_keeps_waiting_work() -> None:
    d = Driver("timers", persist=False)
    d.advance(hours=1, seconds=1)
    workflow = d.running.workflow
    prune(workflow)
    assert prune(workflow) == 0
    assert d.ready() == ["assessment"]
    assert len(d.running.waiting_timers()) == 2


def test_call_activity_history_stays_bounded() -> None:
    d = Driver("call_parent", {"client_id": 1}, persist=False)
    d.complete("prepare")
    d.complete("child_assess", {"needs": 1})
    assert d.ready() == ["review_child_result"]
    prune(d.running.workflow)
    assert len(d.running.workflow.subprocesses) <= 1
    d.complete("review_child_result")
    assert d.done and d.data()["child_result"] == "normal"
