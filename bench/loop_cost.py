"""The long-lived case: one step of backedge_loop at iteration 10 vs 1,000, engine vs raw spiff.

Iteration k is the k-th completion of the user task `contact` (with {"done": false}).
A figure "@k" pools the step times of the iterations in WINDOWS[k] (k=10: 5..15,
k=1000: 995..1005) over every repetition (a fresh instance driven from the start each time).
This fixture's tree grows 2 levels per iteration, so raw SpiffWorkflow's iterators (max
depth 1,000) lose the ready task after iteration 499: raw runs stop at 495.
"""

from __future__ import annotations

import functools
import itertools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

from bench.common import (
    CASE_MANAGER,
    LOOP_PROCESS,
    Figure,
    make_engine,
    parse_args,
    profile,
    ratio,
    raw_specs,
    report,
    report_load,
    spiff_serializer,
    sql_per_op,
    sql_text,
    sqlite_url,
    stats,
    timed_ms,
    top_entries,
)
from engine import Engine, FrozenClock
from engine.persistence.tables import ProcessInstance
from engine.runtime.instance import RunningInstance
from engine.runtime.serializer import SpecBundle, WorkflowCodec

NAME = "loop_cost"
WARMUP = 20  # engine steps on a throw-away instance before timing
Step = Callable[[int], None]  # runs iteration k


@dataclass(frozen=True)
class Plan:
    """How far to drive each variant and how often."""

    engine_last: int
    engine_reps: int
    raw_last: int
    raw_reps: int
    stall_seconds: float


WINDOWS = {10: (5, 15), 100: (95, 105), 330: (320, 330), 490: (485, 495), 1000: (995, 1005)}
FULL = Plan(engine_last=1005, engine_reps=3, raw_last=495, raw_reps=2, stall_seconds=60.0)
QUICK = Plan(engine_last=105, engine_reps=1, raw_last=105, raw_reps=1, stall_seconds=60.0)


@dataclass
class Run:
    """Step times (ms) and stored sizes (chars) by iteration, pooled over repetitions."""

    times: dict[int, list[float]]
    sizes: dict[int, int]

    def window(self, center: int) -> list[float]:
        """Samples of the iterations in WINDOWS[center]."""
        low, high = WINDOWS[center]
        return [t for k in range(low, high + 1) for t in self.times.get(k, [])]

    def centers(self) -> list[int]:
        """The windows this run fully covers."""
        last = max(self.times)
        return [center for center, (_low, high) in WINDOWS.items() if high <= last]


def _values(k: int) -> dict[str, Any]:
    return {"done": False, "month": k}


def drive(step: Step, size: Callable[[], int], last: int, run: Run) -> None:
    """Time step(k) for iterations 1..last of one instance; read the size untimed."""
    for k in range(1, last + 1):
        elapsed, _ = timed_ms(functools.partial(step, k))
        run.times.setdefault(k, []).append(elapsed)
        run.sizes[k] = size()


# -- the engine (SQLite, TaskService.complete) ------------------------------------


class EngineLoop:
    """One backedge_loop instance driven through Engine.tasks.complete."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        view = engine.instances.start(LOOP_PROCESS, {}, CASE_MANAGER)
        self.instance_id = view.id
        self.task_id = view.ready_tasks[0].id

    def step(self, k: int) -> None:
        """Complete the ready `contact` task (load, validate, complete, run, save)."""
        view = self.engine.tasks.complete(self.task_id, _values(k), CASE_MANAGER)
        self.task_id = view.ready_tasks[0].id

    def state_length(self) -> int:
        """len(process_instance.state) as stored."""
        with self.engine.context.uow() as uow:
            row = uow.session.get(ProcessInstance, self.instance_id)
            return len(row.state) if row else 0

    def finish(self) -> str:
        """Complete with done=true; the instance's status afterwards."""
        view = self.engine.tasks.complete(self.task_id, {"done": True}, CASE_MANAGER)
        return view.status


def engine_runs(plan: Plan, engine: Engine) -> tuple[Run, list[str]]:
    """Drive fresh instances plan.engine_reps times; the pooled run and final statuses."""
    run, statuses = Run({}, {}), []
    warm = EngineLoop(engine)
    for k in range(1, WARMUP + 1):
        warm.step(k)
    for _ in range(plan.engine_reps):
        loop = EngineLoop(engine)
        drive(loop.step, loop.state_length, plan.engine_last, run)
        statuses.append(loop.finish())
    return run, statuses


# -- the engine's runtime alone (codec + prune, no database) -----------------------


def runtime_run(plan: Plan) -> Run:
    """Load + complete + prune + dump in memory, with the engine's codec."""
    spec, subs = raw_specs(LOOP_PROCESS)
    bundle, codec, clock = SpecBundle(spec, subs), WorkflowCodec(), FrozenClock()
    running = RunningInstance.start(bundle, {}, clock)
    running.run()
    state = {"json": running.dump(codec)}

    def step(k: int) -> None:
        current = RunningInstance.load(codec, state["json"], bundle, clock)
        current.complete(current.ready_tasks()[0].task_id, _values(k))
        state["json"] = current.dump(codec)

    run = Run({}, {})
    drive(step, lambda: len(state["json"]), plan.engine_last, run)
    return run


# -- raw SpiffWorkflow (default serializer, spec embedded, full tree) --------------


def raw_run(plan: Plan) -> Run:
    """Deserialize + complete + run + serialize with raw SpiffWorkflow, repeated."""
    spec, subs = raw_specs(LOOP_PROCESS)
    serializer = spiff_serializer()
    run = Run({}, {})
    for _ in range(plan.raw_reps):
        _raw_instance(serializer, BpmnWorkflow(spec, subs), plan.raw_last, run)
    return run


def _raw_instance(
    serializer: BpmnWorkflowSerializer, workflow: BpmnWorkflow, last: int, run: Run
) -> None:
    workflow.do_engine_steps()
    state = {"json": serializer.serialize_json(workflow)}
    step = functools.partial(_raw_step, serializer, state)
    drive(step, lambda: len(state["json"]), last, run)


def _raw_step(serializer: BpmnWorkflowSerializer, state: dict[str, str], k: int) -> None:
    workflow = serializer.deserialize_json(state["json"])
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data.update(_values(k))
    task.run()
    workflow.do_engine_steps()
    state["json"] = serializer.serialize_json(workflow)


def raw_stall(seconds: float) -> tuple[int, bool, int, int] | None:
    """Loop raw spiff in memory until get_tasks finds no ready task (None if time ran out).

    Returns (iteration, is_completed(), READY tasks actually in wf.tasks, their depth).
    """
    spec, subs = raw_specs(LOOP_PROCESS)
    workflow = BpmnWorkflow(spec, subs)
    workflow.do_engine_steps()
    deadline = time.monotonic() + seconds
    k = 0
    while time.monotonic() < deadline:
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            hidden = [t for t in workflow.tasks.values() if t.state == TaskState.READY]
            depth = _depth(hidden[0]) if hidden else -1
            return k, bool(workflow.is_completed()), len(hidden), depth
        k += 1
        ready[0].data.update(_values(k))
        ready[0].run()
        workflow.do_engine_steps()
    return None


def _depth(task: Any) -> int:
    depth = 0
    while task.parent is not None:
        task, depth = task.parent, depth + 1
    return depth


# -- reporting ---------------------------------------------------------------------


def report_run(label: str, run: Run) -> dict[int, float]:
    """Print one line per window; return the medians by center."""
    medians: dict[int, float] = {}
    for center in run.centers():
        low, high = WINDOWS[center]
        found = stats(run.window(center))
        medians[center] = found.median
        size = run.sizes[center]
        report(
            NAME,
            f"{label} @{center} (iters {low}..{high})",
            f"{found}   n={found.n:<3} state {size:>10,} chars",
        )
    return medians


def run(quick: bool = False, with_profile: bool = False) -> list[Figure]:
    """Run the benchmark; return its headline figures."""
    plan = QUICK if quick else FULL
    report_load(NAME)
    with tempfile.TemporaryDirectory(prefix="carecycle-bench-") as tmp:
        engine = make_engine(sqlite_url(Path(tmp)), Path(tmp) / "var")
        try:
            figures, engine_medians = engine_part(plan, engine)
            if with_profile:
                print_profile(engine, min(plan.engine_last, 1000), 20 if quick else 100)
        finally:
            engine.dispose()
    runtime_part(plan)
    return figures + raw_part(plan, engine_medians)


def engine_part(plan: Plan, engine: Engine) -> tuple[list[Figure], dict[int, float]]:
    """The engine on SQLite: per-step cost and stored size at iteration 10 vs the last."""
    report(NAME, "engine: TaskService.complete on SQLite", f"{plan.engine_reps} instance(s)")
    loop_run, statuses = engine_runs(plan, engine)
    medians = report_run("engine complete", loop_run)
    far = max(medians)
    sizes = loop_run.sizes
    report(NAME, f"engine state size @10 / @{far}", f"{sizes[10]:,} / {sizes[far]:,} chars")
    report(NAME, f"ratio engine @{far} / @10 (target <= 2x)", ratio(medians[far], medians[10]))
    report(NAME, f"engine status after done=true at {plan.engine_last + 1}", ", ".join(statuses))
    loop = EngineLoop(engine)
    report(NAME, "engine SQL per complete", sql_text(*sql_per_op(engine.db, _counted(loop), 20)))
    figures = [
        Figure(NAME, "engine complete @10 (median)", medians[10], "ms"),
        Figure(NAME, f"engine complete @{far} (median)", medians[far], "ms"),
        Figure(NAME, f"ratio engine @{far} / @10", medians[far] / medians[10], "x"),
        Figure(NAME, "engine state @10", sizes[10], "chars"),
        Figure(NAME, f"engine state @{far}", sizes[far], "chars"),
    ]
    return figures, medians


def _counted(loop: EngineLoop, first: int = 1) -> Callable[[], None]:
    """A zero-argument step that numbers its iterations from `first`."""
    counter = itertools.count(first)
    return lambda: loop.step(next(counter))


def print_profile(engine: Engine, at: int, calls: int) -> None:
    """cProfile `calls` engine steps after iteration `at`; print the top cumulative entries."""
    loop = EngineLoop(engine)
    for k in range(1, at + 1):
        loop.step(k)
    table = profile(_counted(loop, at + 1), calls)
    for title, patterns, top in (
        ("engine/ + SpiffWorkflow", ("/engine/", "SpiffWorkflow/"), 10),
        ("SQLAlchemy + driver", ("sqlalchemy/", "sqlite3/"), 6),
    ):
        report(NAME, f"profile ({calls} steps @{at}): top {top} cum, {title}", "(per step)")
        for line in top_entries(table, calls, patterns, top):
            print(f"    {line}")


def runtime_part(plan: Plan) -> None:
    """The engine's runtime without a database, for the split of the engine's cost."""
    report(NAME, "engine runtime only: load+complete+prune+dump", "in memory, 1 instance")
    medians = report_run("runtime step", runtime_run(plan))
    far = max(medians)
    report(NAME, f"ratio runtime @{far} / @10", ratio(medians[far], medians[10]))


def raw_part(plan: Plan, engine_medians: dict[int, float]) -> list[Figure]:
    """Raw SpiffWorkflow: full tree, spec embedded; then the silent stall."""
    report(NAME, "raw spiff: deserialize+complete+run+serialize", f"{plan.raw_reps} instance(s)")
    medians = report_run("raw step", raw_run(plan))
    far = max(medians)
    report(NAME, f"ratio raw @{far} / @10", ratio(medians[far], medians[10]))
    for center in sorted(set(medians) & set(engine_medians)):
        report(
            NAME, f"ratio engine / raw @{center}", ratio(engine_medians[center], medians[center])
        )
    figures = [
        Figure(NAME, "raw step @10 (median)", medians[10], "ms"),
        Figure(NAME, f"raw step @{far} (median)", medians[far], "ms"),
        Figure(NAME, f"ratio raw @{far} / @10", medians[far] / medians[10], "x"),
    ]
    return figures + stall_part(plan)


def stall_part(plan: Plan) -> list[Figure]:
    """Show raw spiff losing the ready task past its iterator depth limit."""
    elapsed, found = timed_ms(functools.partial(raw_stall, plan.stall_seconds))
    if found is None:
        report(NAME, "raw stall", f"not reached within {plan.stall_seconds:.0f} s (skipped)")
        return []
    k, completed, hidden, depth = found
    report(NAME, "raw stall: get_tasks(READY) empty after iter", f"{k}  ({elapsed / 1000:.1f} s)")
    report(
        NAME,
        "raw stall: is_completed() / READY in wf.tasks",
        f"{completed} / {hidden} (at depth {depth}; no exception)",
    )
    return [Figure(NAME, "raw spiff stalls after iteration", k, "iter")]


def main() -> None:
    """Command line entry point."""
    args = parse_args((__doc__ or NAME).splitlines()[0], profile=True)
    run(quick=args.quick, with_profile=args.profile)


if __name__ == "__main__":
    main()
