"""The instance list's query string: filters and page, read leniently (a bad value is ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from engine import PHASES
from engine.services.monitor_views import INSTANCE_STATUSES, InstanceFilter

RISK_TIERS = ("low", "moderate", "high")
PER_PAGE = 50
TEXT = ("process_id", "manager")


@dataclass(frozen=True)
class ListQuery:
    """What the filters form sent, as the form shows it again, and the page."""

    values: dict[str, str]
    page: int

    def filter(self) -> InstanceFilter:
        """The engine filter for these values."""
        v = self.values
        opened_to = _day(v.get("opened_to"))
        return InstanceFilter(
            status=v.get("status") or None,
            phase=v.get("phase") or None,
            process_id=v.get("process_id") or None,
            version=int(v["version"]) if v.get("version") else None,
            manager=v.get("manager") or None,
            risk_tier=v.get("risk_tier") or None,
            overdue=v.get("overdue") == "1",
            opened_from=_day(v.get("opened_from")),
            opened_to=opened_to + timedelta(days=1) if opened_to else None,
        )

    def url_args(self, **changes: Any) -> str:
        """The query string of these values with some changed (None drops a value)."""
        args: dict[str, Any] = {k: v for k, v in self.values.items() if v}
        args["page"] = self.page
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        if args.get("page") == 1:
            args.pop("page")
        return urlencode(args)


def read_query(args: MultiDict[str, str]) -> ListQuery:
    """The list query of request args; values that do not fit are dropped."""
    values: dict[str, str] = {}
    choices = {"status": INSTANCE_STATUSES, "phase": PHASES, "risk_tier": RISK_TIERS}
    for key, allowed in choices.items():
        if args.get(key) in allowed:
            values[key] = args[key]
    for key in TEXT:
        text = (args.get(key) or "").strip()
        if text:
            values[key] = text[:200]
    if (args.get("version") or "").isdigit() and int(args["version"]) > 0:
        values["version"] = args["version"]
    if args.get("overdue") == "1":
        values["overdue"] = "1"
    for key in ("opened_from", "opened_to"):
        if _day(args.get(key)) is not None:
            values[key] = str(args[key])
    page = int(args["page"]) if (args.get("page") or "").isdigit() else 1
    return ListQuery(values, max(1, page))


def _day(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
