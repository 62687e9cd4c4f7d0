"""Checks on BPMN/DMN XML that SpiffWorkflow's parser leaves to the application."""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
FORM_PROPERTY = "formJsonSchemaFilename"
FORM_SUFFIX = ".schema.json"
CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
EXPRESSIONS = ("conditionExpression", "loopCondition", "completionCondition", "loopCardinality")
TIMER_KINDS = {
    "timeDate": "date-time",
    "timeDuration": "duration",
    "timeCycle": "repeating interval",
}
# AST nodes a timer expression may consist of to be evaluated at validation time.
# fmt: off
CONSTANT_NODES = (
    ast.Expression, ast.Constant, ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.UnaryOp,
    ast.Add, ast.Sub, ast.Mult, ast.Mod, ast.USub, ast.UAdd, ast.IfExp, ast.BoolOp, ast.And,
    ast.Or, ast.Compare, ast.cmpop, ast.Tuple, ast.List, ast.Load,
)
# fmt: on

Element = Any  # an lxml element: lxml ships no type information here
Finding = tuple[str, str]  # (element id, message)
FormCheck = Callable[[str], str | None]
_SCHEMA_LOCK = threading.Lock()


@dataclass(frozen=True)
class Problem:
    """One problem in one file, located at a BPMN/DMN element."""

    file: str
    element_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.element_id}: {self.message}"


@dataclass
class Catalog:
    """What the whole batch defines: process id -> executable, decision id -> parses."""

    processes: dict[str, bool] = field(default_factory=dict)
    decisions: dict[str, bool] = field(default_factory=dict)
    form_exists: FormCheck | None = None


def local_name(element: Element) -> str:
    """The tag of an element without its namespace."""
    return str(etree.QName(element).localname)


def read_xml(file: str, content: bytes) -> tuple[Element | None, list[Problem]]:
    """Parse XML safely (no entities, no network); a syntax error becomes a line-N problem."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.fromstring(content, parser), []
    except etree.XMLSyntaxError as exc:
        return None, [Problem(file, f"line-{exc.lineno or 1}", f"malformed XML: {exc.msg}")]


def schema_problems(file: str, root: Element, schema: Any) -> list[Problem]:
    """Every XSD violation, each located at the element with an id enclosing its line."""
    with _SCHEMA_LOCK:
        if schema.validate(root):
            return []
        errors = [(int(e.line), str(e.path or ""), str(e.message)) for e in schema.error_log]
    return [Problem(file, _locate(root, *error[:2]), _explain(root, error[2])) for error in errors]


def _locate(root: Element, line: int, path: str) -> str:
    """The owner id of the element at an XSD error's path (by its line if the path fails)."""
    namespaces = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    try:
        result = root.getroottree().xpath(path, namespaces=namespaces) if path else []
    except etree.XPathError:
        result = []
    found = [node for node in result if etree.iselement(node)] if isinstance(result, list) else []
    owner = owner_id(found[0]) if len(found) == 1 and found[0] is not root else None
    return owner or id_at_line(root, line)


def _explain(root: Element, message: str) -> str:
    message = re.sub(r"\{[^}]*\}", "", message)  # element names without namespaces
    bad_id = re.search(
        r"attribute 'id': '(.*)' is not a valid value of the atomic type 'xs:ID'", message
    )
    if bad_id is None:
        return message
    uses = len(root.xpath("//*[@id=$id]", id=bad_id.group(1)))
    reason = "is used by more than one element" if uses > 1 else "is not a valid XML name"
    return f"id '{bad_id.group(1)}' {reason}"


def id_at_line(root: Element, line: int) -> str:
    """The id of the element (or its nearest owner with an id) starting at or before a line."""
    found = None
    for element in root.iter(tag=etree.Element):
        if element.sourceline is not None and element.sourceline > line:
            break
        found = element
    owner = owner_id(found) if found is not None and found is not root else None
    return owner or f"line-{line}"


def owner_id(element: Element) -> str | None:
    """Id of the flow element holding this element (else of the nearest element with an id)."""
    nearest: str | None = None
    current = element
    while current is not None:
        element_id: str | None = current.get("id")
        parent = current.getparent()
        if element_id and parent is not None and local_name(parent) in CONTAINERS:
            return element_id
        if element_id and nearest is None and parent is not None:
            nearest = element_id
        current = parent
    return nearest


def _findall(element: Element, path: str) -> list[Element]:
    return list(element.iterfind(path, NS))


def reference_problems(file: str, process: Element) -> list[Problem]:
    """Dangling or misplaced sourceRef/targetRef, attachedToRef and default references."""
    ids = {el.get("id"): el for el in process.iter(tag=etree.Element) if el.get("id")}
    found = [*_flow_refs(ids, process), *_attachments(ids, process), *_defaults(ids, process)]
    return [Problem(file, element_id, message) for element_id, message in found]


def _flow_refs(ids: dict[str, Element], process: Element) -> Iterator[Finding]:
    for flow in _findall(process, ".//bpmn:sequenceFlow"):
        for attr in ("sourceRef", "targetRef"):
            ref = flow.get(attr)
            if not ref:
                yield flow.get("id"), f"sequence flow has no {attr}"
            elif ref not in ids:
                yield (
                    flow.get("id"),
                    f"{attr} '{ref}' names no element of process '{_pid(process)}'",
                )
            elif ids[ref].getparent() is not flow.getparent():
                yield flow.get("id"), f"{attr} '{ref}' is outside the sub-process of this flow"


def _attachments(ids: dict[str, Element], process: Element) -> Iterator[Finding]:
    for event in _findall(process, ".//bpmn:boundaryEvent"):
        ref = event.get("attachedToRef")
        if not ref or ref not in ids:
            yield event.get("id"), f"attachedToRef '{ref or ''}' names no activity of this process"


def _defaults(ids: dict[str, Element], process: Element) -> Iterator[Finding]:
    for element in process.iter(tag=etree.Element):
        default = element.get("default")
        flow = ids.get(default) if default else None
        if default and (flow is None or flow.get("sourceRef") != element.get("id")):
            yield element.get("id"), f"default flow '{default}' is not an outgoing flow of it"


def _pid(process: Element) -> str:
    return str(process.get("id"))


def lint_process(file: str, process: Element, catalog: Catalog) -> list[Problem]:
    """Scripts, conditions, timers, lanes, forms, called processes and decisions of a process."""
    checks = (_scripts, _expressions, _timers, _lanes, _forms, _calls, _decisions)
    return [Problem(file, eid, msg) for check in checks for eid, msg in check(process, catalog)]


def python_syntax_problem(text: str, mode: str) -> str | None:
    """Why text is not valid Python (exec for scripts, eval for expressions), if it is not."""
    source = text.lstrip(" \t") if mode == "eval" else text  # eval() strips these itself
    try:
        ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return f"invalid Python: {exc.msg} (line {exc.lineno})"
    return None


def _scripts(process: Element, catalog: Catalog) -> Iterator[Finding]:
    for task in _findall(process, ".//bpmn:scriptTask"):
        script = task.find("bpmn:script", NS)
        text = (script.text if script is not None else None) or ""
        problem = python_syntax_problem(text, "exec") if text.strip() else "has no script"
        if problem:
            yield task.get("id"), f"script: {problem}"
    for tag in ("preScript", "postScript"):
        for element in _findall(process, f".//spiffworkflow:{tag}"):
            problem = python_syntax_problem(element.text or "", "exec")
            if problem:
                yield owner_id(element) or _pid(process), f"{tag}: {problem}"


def _expressions(process: Element, catalog: Catalog) -> Iterator[Finding]:
    paths = [f".//bpmn:{tag}" for tag in EXPRESSIONS] + [
        ".//bpmn:conditionalEventDefinition/bpmn:condition"
    ]
    for element in (el for path in paths for el in _findall(process, path)):
        problem = python_syntax_problem(element.text or "", "eval") if element.text else None
        if problem:
            yield owner_id(element) or _pid(process), f"{local_name(element)}: {problem}"


def _timers(process: Element, catalog: Catalog) -> Iterator[Finding]:
    for definition in _findall(process, ".//bpmn:timerEventDefinition"):
        for element in definition.iterchildren(tag=etree.Element):
            kind = local_name(element)
            problem = timer_problem(kind, element.text or "") if kind in TIMER_KINDS else None
            if problem:
                yield owner_id(definition.getparent()) or _pid(process), problem


def timer_problem(kind: str, text: str) -> str | None:
    """Why a timer expression (a Python expression) cannot give a valid ISO 8601 value."""
    raw = text.strip()
    if not raw:
        return f"{kind} is empty"
    if _is_iso_shaped(kind, raw):
        return f'{kind} {raw} must be a quoted string: write "{raw}" (it is a Python expression)'
    try:
        tree = ast.parse(text.lstrip(" \t"), mode="eval")
    except SyntaxError as exc:
        return f"{kind} is not a valid Python expression: {exc.msg}"
    if not all(isinstance(node, CONSTANT_NODES) for node in ast.walk(tree)):
        return None  # reads task data or calls helpers: can only be checked at run time
    try:
        value = eval(compile(tree, "<timer>", "eval"), {"__builtins__": {}}, {})
    except NameError:
        return None
    except Exception as exc:
        return f"{kind} expression fails: {type(exc).__name__}: {exc}"
    if not isinstance(value, str):
        return f"{kind} must evaluate to a string, not {type(value).__name__} {value!r}"
    problem = iso_problem(kind, value)
    return None if problem is None else f"{kind} {value!r} {problem}"


def _is_iso_shaped(kind: str, raw: str) -> bool:
    problem = iso_problem(kind, raw)
    return problem is None or not problem.startswith("is not a valid")


def iso_problem(kind: str, value: str) -> str | None:
    """Why value is not a valid ISO 8601 string for this timer kind, as SpiffWorkflow reads it."""
    check = {"timeDate": _date_problem, "timeDuration": _duration_problem}.get(kind, _cycle_problem)
    try:
        return check(value)
    except Exception:
        return f"is not a valid ISO 8601 {TIMER_KINDS[kind]}"


def _date_problem(value: str) -> str | None:
    if not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
        return "is a duration, not a date-time"
    return _offset_problem(value)


def _offset_problem(value: str) -> str | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None  # a form only SpiffWorkflow's own week-date reader accepts
    return "has no UTC offset (add +00:00)" if parsed.tzinfo is None else None


def _duration_problem(value: str) -> str | None:
    if not value.upper().startswith("P"):
        raise ValueError(value)
    parsed = TimerEventDefinition.parse_iso_duration(value)
    if not parsed:
        return "is an empty duration"
    TimerEventDefinition.get_timedelta_from_start(dict(parsed))
    return None


def _cycle_problem(value: str) -> str | None:
    if not value.upper().startswith("R"):
        raise ValueError(value)
    TimerEventDefinition.parse_iso_recurring_interval(value)
    parts = value.replace("--", "/").split("/")[1:]
    dates = [part for part in parts if not part.upper().startswith("P")]
    return next(filter(None, map(_offset_problem, dates)), None)


def _lanes(process: Element, catalog: Catalog) -> Iterator[Finding]:
    if not _findall(process, ".//bpmn:lane"):
        return
    lanes = {ref.text: ref.getparent() for ref in _findall(process, ".//bpmn:flowNodeRef")}
    for task in _findall(process, ".//bpmn:userTask"):
        lane = _lane_of(task, lanes, process)
        if lane is None:
            yield task.get("id"), f"user task is in no lane (process '{_pid(process)}' has lanes)"
        elif not lane.get("name"):
            yield task.get("id"), f"user task is in lane '{lane.get('id')}', which has no name"


def _lane_of(task: Element, lanes: dict[str, Element], process: Element) -> Element | None:
    current = task
    while current is not None and current is not process:
        if current.get("id") in lanes:
            return lanes[current.get("id")]
        current = current.getparent()
    return None


def form_id_from_filename(filename: str | None) -> str | None:
    """The form id in a formJsonSchemaFilename value (None when empty)."""
    return filename.removesuffix(FORM_SUFFIX) if filename else None


def _property(element: Element, name: str) -> str | None:
    path = "bpmn:extensionElements/spiffworkflow:properties//spiffworkflow:property"
    values = [prop.get("value") for prop in _findall(element, path) if prop.get("name") == name]
    return str(values[-1]) if values and values[-1] is not None else None


def _forms(process: Element, catalog: Catalog) -> Iterator[Finding]:
    for task in _findall(process, ".//bpmn:userTask"):
        form_id = form_id_from_filename(_property(task, FORM_PROPERTY))
        message = catalog.form_exists(form_id) if form_id and catalog.form_exists else None
        if message:
            yield task.get("id"), message


def _calls(process: Element, catalog: Catalog) -> Iterator[Finding]:
    for call in _findall(process, ".//bpmn:callActivity"):
        called = call.get("calledElement")
        if not called:
            yield call.get("id"), "call activity names no process (calledElement)"
        elif called not in catalog.processes:
            yield call.get("id"), f"calls process '{called}', which no BPMN file defines"
        elif not catalog.processes[called]:
            yield call.get("id"), f"calls process '{called}', which is not executable"


def _decisions(process: Element, catalog: Catalog) -> Iterator[Finding]:
    for task in _findall(process, ".//bpmn:businessRuleTask"):
        ref = task.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
        decision = ref.text if ref is not None else None
        if not decision:
            yield task.get("id"), "names no decision (spiffworkflow:calledDecisionId)"
        elif decision not in catalog.decisions:
            yield task.get("id"), f"calls decision '{decision}', which no DMN file defines"
        elif not catalog.decisions[decision]:
            yield task.get("id"), f"calls decision '{decision}', whose DMN file has problems"


def decision_shape_problems(file: str, root: Element) -> list[Problem]:
    """A DMN file must hold exactly one decision, made of a decision table."""
    decisions = list(root.iter("{*}decision"))
    if not decisions:
        return [Problem(file, f"line-{root.sourceline or 1}", "DMN file defines no decision")]
    first = str(decisions[0].get("id"))
    problems = [
        Problem(file, str(extra.get("id")), f"only one decision per DMN file (first: '{first}')")
        for extra in decisions[1:]
    ]
    if next(decisions[0].iter("{*}decisionTable"), None) is None:
        problems.append(Problem(file, first, "decision has no decision table"))
    return problems
