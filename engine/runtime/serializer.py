"""Workflow <-> stored JSON. Specs are stored once per process version, never per instance."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

STATE_FORMAT = "carecycle-1"


@dataclass(frozen=True)
class SpecBundle:
    """A process spec with the specs of every process it calls (one deployed version)."""

    spec: Any
    subprocess_specs: dict[str, Any]


class _SpecByReference(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes a workflow without its specs; restores it around spec objects it is given."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], bundle: SpecBundle | None = None) -> Any:
        if bundle is None:
            raise ValueError("a stored workflow needs its spec bundle to be restored")
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReference
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(
        date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"])
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry)


class WorkflowCodec:
    """Serializes workflows (without specs) and spec bundles (once per version)."""

    def __init__(self) -> None:
        self._serializer = _build_serializer()

    def dump_workflow(self, workflow: Any) -> str:
        """The workflow's state as JSON, without its specs."""
        dumped: str = self._serializer.serialize_json(workflow)
        return dumped

    def load_workflow(self, state: str, bundle: SpecBundle) -> Any:
        """Restore a workflow from dump_workflow's JSON around its spec bundle."""
        dct = json.loads(state)
        self._serializer.migrate(dct)
        return self._serializer.registry.restore(dct, bundle=bundle)

    def dump_bundle(self, bundle: SpecBundle) -> str:
        """A spec bundle as canonical JSON (stable, so it can be hashed)."""
        registry = self._serializer.registry
        payload = {
            "spec": registry.convert(bundle.spec),
            "subprocess_specs": {
                k: registry.convert(v) for k, v in bundle.subprocess_specs.items()
            },
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))

    def load_bundle(self, text: str) -> SpecBundle:
        """Restore a spec bundle from dump_bundle's JSON."""
        registry = self._serializer.registry
        payload = json.loads(text)
        subs = {k: registry.restore(v) for k, v in payload["subprocess_specs"].items()}
        return SpecBundle(spec=registry.restore(payload["spec"]), subprocess_specs=subs)


def content_hash(*parts: str) -> str:
    """A SHA-256 over text parts: a process version's identity."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()
