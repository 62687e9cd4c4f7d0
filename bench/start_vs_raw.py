"""Start bench_fifteen through the engine (SQLite) vs raw SpiffWorkflow in memory."""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from bench.common import (
    BENCH_PROCESS,
    BENCH_START,
    CASE_MANAGER,
    Figure,
    Stats,
    interleaved_ms,
    make_engine,
    parse_args,
    profile,
    ratio,
    raw_specs,
    report,
    report_load,
    spiff_serializer,
    sqlite_url,
    top_entries,
)
from engine import Engine
from engine.clock import FrozenClock
from engine.runtime.instance import RunningInstance
from engine.runtime.serializer import SpecBundle, WorkflowCodec

NAME = "start_vs_raw"
PROFILE_PATTERNS = ("/engine/", "SpiffWorkflow/")
DB_PATTERNS = ("sqlalchemy/", "psycopg/", "sqlite3/")


@dataclass(frozen=True)
class Plan:
    """How many samples to take."""

    reps: int
    batch: int
    warmup: int


FULL = Plan(reps=21, batch=25, warmup=40)
QUICK = Plan(reps=3, batch=10, warmup=5)


def raw_start(spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Raw SpiffWorkflow: a workflow seeded with the start data and run to its first wait."""
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(copy.deepcopy(BENCH_START))
    workflow.do_engine_steps()
    return workflow


def runtime_start(bundle: SpecBundle, codec: WorkflowCodec, clock: FrozenClock) -> str:
    """The engine's runtime alone (no database): start, run, read rows, prune and dump."""
    running = RunningInstance.start(bundle, BENCH_START, clock)
    running.run()
    running.ready_tasks()
    running.waiting_timers()
    running.data()
    return running.dump(codec)


def engine_start(engine: Engine) -> Any:
    """One Engine.instances.start of bench_fifteen."""
    view = engine.instances.start(BENCH_PROCESS, BENCH_START, CASE_MANAGER)
    assert view.ready_tasks and view.ready_tasks[0].element_id == "first_contact"
    return view


def check_raw(spec: Any, subs: dict[str, Any]) -> None:
    """Make sure the raw run stops where the engine's does."""
    workflow = raw_start(spec, subs)
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert [t.task_spec.bpmn_id for t in ready] == ["first_contact"], ready


def measure(plan: Plan, engine: Engine) -> dict[str, Stats]:
    """Time every variant with the same plan."""
    spec, subs = raw_specs(BENCH_PROCESS)
    check_raw(spec, subs)
    serializer = spiff_serializer()
    bundle = SpecBundle(spec, subs)
    codec, clock = WorkflowCodec(), FrozenClock()
    size = len(serializer.serialize_json(raw_start(spec, subs)))
    report(NAME, "raw serialize_json size (spec embedded)", f"{size:,} chars")
    runs = {
        "raw": lambda: raw_start(spec, subs),
        "raw+serialize": lambda: serializer.serialize_json(raw_start(spec, subs)),
        "runtime": lambda: runtime_start(bundle, codec, clock),
        "engine": lambda: engine_start(engine),
    }
    return interleaved_ms(runs, plan.reps, plan.batch, plan.warmup)


def print_results(plan: Plan, found: dict[str, Stats]) -> list[Figure]:
    """Print figures and ratios; return the headline figures."""
    report(
        NAME,
        "samples (variants interleaved)",
        f"{plan.reps} reps x {plan.batch} ops each, {plan.warmup} warm-up ops",
    )
    labels = {
        "raw": "raw spiff: create + start data + run",
        "raw+serialize": "raw spiff + serialize_json (spec embedded)",
        "runtime": "engine runtime only (no DB; prune + dump)",
        "engine": "engine Engine.instances.start (SQLite)",
    }
    for key, label in labels.items():
        report(NAME, label, f"{found[key]}   ({1000 / found[key].median:,.0f}/s)")
    engine, raw = found["engine"].median, found["raw"].median
    serialized, runtime = found["raw+serialize"].median, found["runtime"].median
    report(NAME, "ratio engine / raw (medians)", ratio(engine, raw))
    report(NAME, "ratio engine / (raw + serialize)", ratio(engine, serialized))
    report(NAME, "ratio engine runtime (no DB) / raw", ratio(runtime, raw))
    report(NAME, "share of engine start outside runtime", f"{1 - runtime / engine:.0%}")
    return [
        Figure(NAME, "engine start, SQLite (median)", engine, "ms"),
        Figure(NAME, "raw spiff start in memory (median)", raw, "ms"),
        Figure(NAME, "raw spiff start + serialize_json (median)", serialized, "ms"),
        Figure(NAME, "ratio engine / raw", engine / raw, "x"),
        Figure(NAME, "ratio engine / (raw + serialize)", engine / serialized, "x"),
    ]


def print_profile(engine: Engine, calls: int) -> None:
    """cProfile engine starts; print the top cumulative entries in engine/, spiff, SQLAlchemy."""
    table = profile(lambda: engine_start(engine), calls)
    for title, patterns, top in (
        ("engine/ + SpiffWorkflow", PROFILE_PATTERNS, 10),
        ("SQLAlchemy + driver", DB_PATTERNS, 6),
    ):
        report(NAME, f"profile ({calls} starts): top {top} cum, {title}", "(per start)")
        for line in top_entries(table, calls, patterns, top):
            print(f"    {line}")


def run(quick: bool = False, with_profile: bool = False) -> list[Figure]:
    """Run the benchmark; return its headline figures."""
    plan = QUICK if quick else FULL
    report_load(NAME)
    with tempfile.TemporaryDirectory(prefix="carecycle-bench-") as tmp:
        engine = make_engine(sqlite_url(Path(tmp)), Path(tmp) / "var")
        try:
            figures = print_results(plan, measure(plan, engine))
            if with_profile:
                print_profile(engine, 20 if quick else 200)
        finally:
            engine.dispose()
    return figures


def main() -> None:
    """Command line entry point."""
    args = parse_args(__doc__ or NAME, profile=True)
    run(quick=args.quick, with_profile=args.profile)


if __name__ == "__main__":
    main()
