"""Care-specific helpers designers' scripts may call: consent, social-needs screen, caseloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

Directory = Callable[[], str | None]
_directory: ContextVar[Directory | None] = ContextVar("carecycle_directory", default=None)

_UNSAFE_HOUSING = {"steady_but_worried", "no_steady_place"}
_FOOD_POSITIVE = {"sometimes", "often"}
_SAFETY_ITEMS = ("physically_hurt", "insult", "threaten", "scream_curse")
SAFETY_THRESHOLD = 10


def consent_covers(
    consents: list[dict[str, Any]] | None,
    agency: str,
    agency_type: str | None,
    purpose: str,
    on_date: str,
) -> bool:
    """Whether a recorded consent lets the client's data go to agency for purpose on on_date."""
    day = date.fromisoformat(on_date[:10])
    for consent in consents or []:
        recipient = str(consent.get("recipient", "")).strip().lower()
        kind = consent.get("recipient_type")
        names_it = recipient == agency.strip().lower() or kind in ("any", agency_type)
        until = consent.get("valid_until")
        current = not until or date.fromisoformat(str(until)[:10]) >= day
        if names_it and current and purpose in (consent.get("purposes") or []):
            return True
    return False


def ahc_screen(answers: dict[str, Any] | None) -> dict[str, Any]:
    """Score the AHC health-related social needs screen: positive domains and safety."""
    answers = answers or {}
    domains: list[str] = []
    if answers.get("living_situation") in _UNSAFE_HOUSING:
        domains.append("housing_instability")
    if [p for p in answers.get("housing_problems") or [] if p != "none"]:
        domains.append("housing_quality")
    if answers.get("food_worry") in _FOOD_POSITIVE or answers.get("food_ran_out") in _FOOD_POSITIVE:
        domains.append("food")
    if answers.get("transportation") is True:
        domains.append("transportation")
    if answers.get("utilities") in ("yes", "already_shut_off"):
        domains.append("utilities")
    safety = answers.get("safety") or {}
    safety_score = sum(int(safety.get(item) or 0) for item in _SAFETY_ITEMS)
    if safety_score > SAFETY_THRESHOLD:
        domains.append("interpersonal_safety")
    return {
        "positive_domains": domains,
        "safety_score": safety_score,
        "safety_positive": safety_score > SAFETY_THRESHOLD,
    }


def lowest_caseload_manager() -> str | None:
    """The active case manager with the fewest open cases (None outside a step or if none)."""
    directory = _directory.get()
    return directory() if directory is not None else None


@contextmanager
def directory_bound(directory: Directory | None) -> Iterator[None]:
    """Let scripts in the enclosed block ask the database who has the lowest caseload."""
    token = _directory.set(directory)
    try:
        yield
    finally:
        _directory.reset(token)


CARE_HELPERS: dict[str, Any] = {
    "consent_covers": consent_covers,
    "ahc_screen": ahc_screen,
    "lowest_caseload_manager": lowest_caseload_manager,
}
