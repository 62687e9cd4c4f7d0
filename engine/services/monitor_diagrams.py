"""The BPMN files of a process version, which elements each holds, and where to draw a state."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from engine.persistence.tables import ProcessVersion
from engine.runtime.element_states import RANK, ElementState
from engine.services.monitor_views import Diagram

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
CONTAINERS = {f"{BPMN}process", f"{BPMN}subProcess", f"{BPMN}transaction"}


@dataclass(frozen=True)
class DiagramFile:
    """One BPMN file: the ids it holds, the element names, and which ids are (sub-)processes."""

    diagram: Diagram
    ids: frozenset[str]
    containers: frozenset[str]
    names: dict[str, str]


def diagram_files(version: ProcessVersion) -> list[DiagramFile]:
    """The version's BPMN files, the main process's file first."""
    files = [_read(name, xml) for name, xml in sorted(version.sources.items())]
    found = [f for f in files if f is not None]
    return sorted(found, key=lambda f: version.process_id not in f.diagram.processes)


def _read(name: str, xml: object) -> DiagramFile | None:
    if not isinstance(xml, str) or not name.endswith(".bpmn"):
        return None
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    ids: set[str] = set()
    containers: set[str] = set()
    names: dict[str, str] = {}
    for node in root.iter():
        ident = node.get("id")
        if not ident or not node.tag.startswith(BPMN):
            continue
        ids.add(ident)
        if node.get("name"):
            names[ident] = str(node.get("name"))
        if node.tag in CONTAINERS:
            containers.add(ident)
    processes = [str(p.get("id")) for p in root.iter(f"{BPMN}process")]
    drawable = root.find(f"{DI}BPMNDiagram") is not None
    diagram = Diagram(name, processes, xml, drawable)
    return DiagramFile(diagram, frozenset(ids), frozenset(containers), names)


def place_states(
    files: list[DiagramFile], live: Iterable[ElementState], history: Iterable[str]
) -> dict[str, dict[str, str]]:
    """States per file: live task states in the file of their process, then pruned history.

    A history element (known only by id) is marked completed in every file that holds it
    and whose process the instance entered; where only one file holds it, in that file.
    """
    placed: dict[str, dict[str, str]] = {f.diagram.file: {} for f in files}
    for state in live:
        for f in _files_of(files, state.element_id, state.process):
            _mark(placed[f.diagram.file], state.element_id, state.state)
    entered = {name for name, states in placed.items() if states}
    for element in set(history):
        holders = [f for f in files if element in f.ids]
        targets = (
            holders if len(holders) == 1 else [h for h in holders if h.diagram.file in entered]
        )
        for f in targets:
            _mark(placed[f.diagram.file], element, "completed")
    return placed


def _files_of(files: list[DiagramFile], element: str, process: str) -> list[DiagramFile]:
    holders = [f for f in files if element in f.ids]
    if len(holders) <= 1:
        return holders
    return [f for f in holders if process in f.containers] or holders[:1]


def _mark(states: dict[str, str], element: str, state: str) -> None:
    if element not in states or RANK[state] > RANK[states[element]]:
        states[element] = state


def current_file(files: list[DiagramFile], placed: dict[str, dict[str, str]]) -> str | None:
    """The file to show first: where something failed, is active, or waits (deepest wins)."""
    for wanted in ("failed", "active", "waiting"):
        holders = [name for name, states in placed.items() if wanted in states.values()]
        if holders:
            return _deepest(files, holders)
    return files[0].diagram.file if files else None


def _deepest(files: list[DiagramFile], holders: list[str]) -> str:
    """Prefer a called process's file over the main one (the work happens down there)."""
    order = [f.diagram.file for f in files]
    rest = [h for h in holders if h != order[0]] if order else holders
    return (rest or holders)[0]
