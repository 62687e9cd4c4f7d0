"""Parse and lint BPMN/DMN sources into SpiffWorkflow specs, reporting every problem found."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.runtime.lint import (
    FORM_PROPERTY,
    NS,
    Catalog,
    Element,
    Problem,
    decision_shape_problems,
    form_id_from_filename,
    id_at_line,
    lint_process,
    read_xml,
    reference_problems,
    schema_problems,
)

__all__ = [
    "ParsedProcess",
    "Problem",
    "SpecError",
    "form_id_of",
    "load_directory",
    "parse_sources",
]

SOURCE_SUFFIXES = (".bpmn", ".dmn")


@dataclass
class ParsedProcess:
    """An executable process, its spec and the specs of everything it calls."""

    process_id: str
    name: str
    source_file: str
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: list[str]


class SpecError(Exception):
    """BPMN/DMN sources have problems; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class _Batch:
    """The state of one parse_sources call."""

    parser: Any
    catalog: Catalog
    roots: dict[str, Element] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    processes: dict[str, tuple[str, Element]] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, id) -> process
    blocked: set[str] = field(default_factory=set)
    decision_files: dict[str, str] = field(default_factory=dict)


def form_id_of(task_spec: Any) -> str | None:
    """The form id a user task spec names (property formJsonSchemaFilename), without suffix."""
    extensions = getattr(task_spec, "extensions", None) or {}
    properties = extensions.get("properties") or {}
    filename: str | None = properties.get(FORM_PROPERTY)
    return form_id_from_filename(filename)


def load_directory(path: Path) -> dict[str, bytes]:
    """Read the *.bpmn and *.dmn files of a directory (sorted), keyed by file name."""
    files = sorted(p for p in path.iterdir() if p.is_file() and _is_source(p.name))
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in files}


def _is_source(name: str) -> bool:
    return name.lower().endswith(SOURCE_SUFFIXES)


def _is_dmn(name: str) -> bool:
    return name.lower().endswith(".dmn")


def parse_sources(
    sources: Mapping[str, bytes], form_exists: Callable[[str], str | None] | None = None
) -> dict[str, ParsedProcess]:
    """Parse and lint BPMN/DMN sources (file name -> content); raise SpecError listing all."""
    batch = _Batch(parser=SpiffBpmnParser(), catalog=Catalog(form_exists=form_exists))
    for file, content in sources.items():
        _read(batch, file, content)
    for file, root in batch.roots.items():
        (_add_dmn if _is_dmn(file) else _index_bpmn)(batch, file, root)
    for file, root in batch.roots.items():
        if not _is_dmn(file):
            _add_bpmn(batch, file, root)
    found = [*batch.problems, *_lint(batch)]
    parse_problems, built = _build(batch)
    known = {(p.file, p.element_id) for p in found}
    found += [p for p in parse_problems if not _explained(batch, known, p)]
    if found:
        raise SpecError(_ordered(found, list(sources)))
    return built


def _read(batch: _Batch, file: str, content: bytes) -> None:
    root, problems = read_xml(file, content)
    batch.problems += problems
    if root is None:
        return
    batch.roots[file] = root
    if _is_dmn(file):
        schema = _dmn_schema(etree.QName(root).namespace or "")
    else:
        VALIDATOR.preprocess(root)  # what SpiffWorkflow does before validating
        schema = VALIDATOR.validator
    if schema is not None:
        batch.problems += schema_problems(file, root, schema)


@cache
def _dmn_schema(namespace: str) -> Any:
    path = DMN_SCHEMAS.get(namespace)
    return None if path is None else etree.XMLSchema(etree.parse(path))


def _add_dmn(batch: _Batch, file: str, root: Element) -> None:
    problems = decision_shape_problems(file, root)
    ids = [str(decision.get("id")) for decision in root.iter("{*}decision")]
    problems += [
        Problem(file, i, f"decision '{i}' is also defined in {batch.decision_files[i]}")
        for i in ids
        if i in batch.decision_files
    ]
    if not problems:
        try:
            batch.parser.add_dmn_xml(root, filename=file)
            batch.parser.dmn_parsers[ids[0]].parse()
        except Exception as exc:
            problems.append(_decision_problem(batch, exc, file, ids[0]))
    batch.problems += problems
    ok = not any(problem.file == file for problem in batch.problems)
    for decision_id in ids:
        batch.decision_files.setdefault(decision_id, file)
        batch.catalog.decisions[decision_id] = ok and batch.catalog.decisions.get(decision_id, True)


def _decision_problem(batch: _Batch, exc: Exception, file: str, decision_id: str) -> Problem:
    """A DMN parse failure, reported at the decision (naming the element when known)."""
    problem = _problem_from(batch, exc, file, decision_id)
    where = f" (at {problem.element_id})" if problem.element_id != decision_id else ""
    return Problem(file, decision_id, problem.message + where)


def _index_bpmn(batch: _Batch, file: str, root: Element) -> None:
    for process in root.iterfind("bpmn:process", NS):
        pid = str(process.get("id"))
        executable = process.get("isExecutable", "true") == "true"
        batch.catalog.processes.setdefault(pid, executable)
        if executable:
            batch.processes.setdefault(pid, (file, process))
        for element in process.iter(tag=etree.Element):
            if element.get("id"):
                batch.owners[(file, str(element.get("id")))] = pid


def _add_bpmn(batch: _Batch, file: str, root: Element) -> None:
    try:
        batch.parser.add_bpmn_xml(root, filename=file)
    except Exception as exc:
        batch.problems.append(_problem_from(batch, exc, file, _first_process(root)))
        batch.blocked |= {str(p.get("id")) for p in root.iterfind("bpmn:process", NS)}


def _first_process(root: Element) -> str:
    process = root.find("bpmn:process", NS)
    return f"line-{root.sourceline or 1}" if process is None else str(process.get("id"))


def _lint(batch: _Batch) -> list[Problem]:
    problems: list[Problem] = []
    for pid, (file, process) in batch.processes.items():
        references = reference_problems(file, process)
        if references:
            batch.blocked.add(pid)  # the parser would misreport these
        problems += references + lint_process(file, process, batch.catalog)
    return problems


def _build(batch: _Batch) -> tuple[list[Problem], dict[str, ParsedProcess]]:
    problems: list[Problem] = []
    specs: dict[str, Any] = {}
    for pid, (file, _) in batch.processes.items():
        if pid not in batch.blocked:
            specs[pid] = _attempt(batch, problems, file, pid, partial(batch.parser.get_spec, pid))
    specs = {pid: spec for pid, spec in specs.items() if spec is not None}
    built: dict[str, ParsedProcess] = {}
    for pid, spec in specs.items():
        file, process = batch.processes[pid]
        if not _callees_parsed(batch, pid, specs):
            continue
        subs = _attempt(batch, problems, file, pid, partial(batch.parser.get_subprocess_specs, pid))
        if subs is not None:
            name = str(process.get("name") or pid)
            built[pid] = ParsedProcess(pid, name, file, spec, subs, _forms(spec, subs))
    return problems, built


def _attempt(
    batch: _Batch, problems: list[Problem], file: str, pid: str, step: Callable[[], Any]
) -> Any:
    try:
        return step()
    except Exception as exc:
        problems.append(_problem_from(batch, exc, file, pid))
        return None


def _callees_parsed(batch: _Batch, pid: str, specs: dict[str, Any]) -> bool:
    seen, pending = {pid}, [pid]
    while pending:
        _, process = batch.processes[pending.pop()]
        for call in process.iterfind(".//bpmn:callActivity", NS):
            callee = call.get("calledElement")
            if callee not in specs:
                return False
            if callee not in seen:
                seen.add(callee)
                pending.append(callee)
    return True


def _forms(spec: Any, subprocess_specs: dict[str, Any]) -> list[str]:
    task_specs = [t for s in (spec, *subprocess_specs.values()) for t in s.task_specs.values()]
    forms = {form_id_of(t) for t in task_specs if isinstance(t, UserTaskMixin)}
    return sorted(form for form in forms if form)


def _problem_from(batch: _Batch, exc: Exception, file: str, default_id: str) -> Problem:
    if not isinstance(exc, ValidationException):
        return Problem(file, default_id, f"{type(exc).__name__}: {exc}")
    element_id = str(exc.id or "")
    file = str(exc.file_name or "") or _file_of(batch, element_id, file)
    if not element_id and exc.line_number and file in batch.roots:
        element_id = id_at_line(batch.roots[file], int(exc.line_number))
    notes = [str(note) for note in getattr(exc, "notes", [])]
    message = " ".join([str(exc.args[0]) if exc.args else type(exc).__name__, *notes])
    return Problem(file, element_id or default_id, message.strip())


def _file_of(batch: _Batch, element_id: str, default: str) -> str:
    if not element_id or (default, element_id) in batch.owners:
        return default
    files = [file for file, eid in batch.owners if eid == element_id]
    return files[0] if files else default


def _explained(batch: _Batch, known: set[tuple[str, str]], problem: Problem) -> bool:
    """A parser problem at an element already reported, or inside a process left unparsed."""
    key = (problem.file, problem.element_id)
    # A DMN file is parsed (and its problems reported) before any BPMN file asks for it again.
    repeated = _is_dmn(problem.file) and any(file == problem.file for file, _ in known)
    return repeated or key in known or batch.owners.get(key) in batch.blocked


def _ordered(problems: list[Problem], files: list[str]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    rank = {file: index for index, file in enumerate(files)}
    return sorted(unique, key=lambda problem: rank.get(problem.file, len(files)))
