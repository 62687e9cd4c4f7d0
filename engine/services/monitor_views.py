"""What the monitor returns: filters, instance pages, incidents, instance detail, heatmaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.services.views import InstanceView, TaskView, TimerView

INSTANCE_STATUSES = ("running", "waiting", "completed", "error", "suspended", "terminated")


@dataclass(frozen=True)
class InstanceFilter:
    """Which instances a supervisor looks at (every field optional)."""

    status: str | None = None
    phase: str | None = None
    process_id: str | None = None
    version: int | None = None
    manager: str | None = None
    risk_tier: str | None = None
    overdue: bool = False
    opened_from: datetime | None = None
    opened_to: datetime | None = None


@dataclass(frozen=True)
class InstanceRow:
    """One line of the instance list: the instance and its case's summary."""

    id: int
    process_id: str
    version: int
    status: str
    case_id: int | None
    client_name: str | None
    phase: str | None
    manager: str | None
    risk_tier: str | None
    error_element: str | None
    created_at: datetime
    updated_at: datetime
    overdue: bool


@dataclass(frozen=True)
class InstancePage:
    """One page of instances, newest first, with the counts per status of the same filter."""

    rows: list[InstanceRow]
    total: int
    offset: int
    limit: int
    counts: dict[str, int]

    @property
    def page(self) -> int:
        """The 1-based page number."""
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        """How many pages the filter has (at least 1)."""
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True)
class Incident:
    """An instance in error: where, why and since when."""

    instance_id: int
    process_id: str
    version: int
    case_id: int | None
    client_name: str | None
    element_id: str | None
    message: str | None
    failed_at: datetime


@dataclass(frozen=True)
class RetryOutcome:
    """What retrying one instance did: its new status, or why it could not be retried."""

    instance_id: int
    ok: bool
    status: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One audit event of an instance."""

    id: int
    at: datetime
    actor: str
    action: str
    element_id: str | None
    task_id: str | None
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class CaseSummary:
    """The case an instance runs, in a few facts."""

    id: int
    client_name: str
    phase: str
    status: str
    manager: str | None
    risk_tier: str | None


@dataclass(frozen=True)
class Diagram:
    """One BPMN file of a process version: its XML and whether it has a drawing (BPMN DI)."""

    file: str
    processes: list[str]
    xml: str
    drawable: bool


@dataclass(frozen=True)
class InstanceDetail:
    """Everything the instance page shows."""

    instance: InstanceView
    case: CaseSummary | None
    audit: list[AuditEntry]
    element_states: dict[str, dict[str, str]]
    diagrams: list[Diagram]
    current_diagram: str | None
    ready_tasks: list[TaskView] = field(default_factory=list)
    waiting_timers: list[TimerView] = field(default_factory=list)


@dataclass(frozen=True)
class HeatCell:
    """How many instances sit at one element now, and how long they stayed on average."""

    element_id: str
    name: str
    waiting_now: int
    avg_dwell_seconds: float | None
    samples: int


@dataclass(frozen=True)
class Heatmap:
    """Per element of one process version: instances there now and average dwell."""

    process_id: str
    version: int
    cells: list[HeatCell]
    diagrams: list[Diagram]
    current_diagram: str | None
    dwell_since: datetime
