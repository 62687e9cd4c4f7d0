"""What every service shares: sessions, the clock, the codec and the spec cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock
from engine.config import Settings
from engine.errors import NotFound
from engine.forms import Form
from engine.persistence.tables import AuditEvent, ProcessVersion
from engine.persistence.unit_of_work import UnitOfWork
from engine.runtime.serializer import SpecBundle, WorkflowCodec


class SpecCache:
    """Deserialized spec bundles and forms by process-version id (versions never change)."""

    def __init__(self, codec: WorkflowCodec, size: int = 256) -> None:
        self._codec = codec
        self._size = size
        self._items: OrderedDict[int, tuple[SpecBundle, dict[str, Form]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, version_id: int) -> tuple[SpecBundle, dict[str, Form]]:
        """The bundle and forms of a version, loading them once."""
        with self._lock:
            hit = self._items.get(version_id)
            if hit is not None:
                self._items.move_to_end(version_id)
                return hit
        row = session.get(ProcessVersion, version_id)
        if row is None:
            raise NotFound(f"process version {version_id} does not exist")
        forms = {
            fid: Form(fid, f.get("schema", {}), f.get("ui_schema", {}))
            for fid, f in row.forms.items()
        }
        item = (self._codec.load_bundle(row.bundle), forms)
        with self._lock:
            self._items[version_id] = item
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return item


@dataclass
class Context:
    """The shared dependencies of the services (built once by bootstrap)."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock
    codec: WorkflowCodec
    specs: SpecCache = field(init=False)
    timer_listeners: list[Callable[[datetime], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.specs = SpecCache(self.codec)

    def _after_commit(self, info: dict[str, Any]) -> None:
        earliest = info.get("earliest_new_timer")
        if isinstance(earliest, datetime):
            for listener in list(self.timer_listeners):
                listener(earliest)

    def is_postgres(self) -> bool:
        """Whether the database is PostgreSQL (several schedulers allowed)."""
        bind = self.sessions.kw.get("bind")
        return bind is not None and bind.dialect.name == "postgresql"

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        return UnitOfWork(self.sessions, after_commit=self._after_commit)


def record(session: Session, at: Any, actor: str, action: str, **fields: Any) -> None:
    """Append one audit event to the command's transaction."""
    detail = fields.pop("detail", None) or {}
    session.add(AuditEvent(at=at, actor=actor, action=action, detail=detail, **fields))
