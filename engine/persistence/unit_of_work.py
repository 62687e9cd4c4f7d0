"""One transaction per command: commit explicitly, anything else rolls back."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict


class UnitOfWork:
    """A session for one command; leaving the block without commit() rolls back."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        after_commit: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self._factory = factory
        self._after_commit = after_commit
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session."""
        if self._session is None:
            raise RuntimeError("unit of work used outside its with-block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None
        if isinstance(exc, StaleDataError):
            raise Conflict(
                "the instance was changed by someone else; reload and try again"
            ) from exc

    def flush(self) -> None:
        """Send pending changes (a stale instance raises Conflict)."""
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise Conflict(
                "the instance was changed by someone else; reload and try again"
            ) from exc

    def commit(self) -> None:
        """Commit the command's changes (a stale instance raises Conflict)."""
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise Conflict(
                "the instance was changed by someone else; reload and try again"
            ) from exc
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "could not serialize" in str(exc).lower():
                raise Conflict("the database is busy with a conflicting change; retry") from exc
            raise
        if self._after_commit is not None and self.session.info:
            self._after_commit(dict(self.session.info))
            self.session.info.clear()
