"""File names of uploaded BPMN/DMN sources (no database needed)."""

from __future__ import annotations

import pytest

from tests.conftest import PROCESSES
from web.api.uploads import source_name

BPMN = (PROCESSES / "user_lanes.bpmn").read_bytes()
DMN = (PROCESSES / "risk_tier.dmn").read_bytes()


@pytest.mark.parametrize(
    ("given", "content", "expected"),
    [
        ("care.bpmn", BPMN, "care.bpmn"),
        ("tier.DMN", DMN, "tier.DMN"),
        (None, BPMN, "upload.bpmn"),
        (None, DMN, "upload.dmn"),
        ("tier.xml", DMN, "tier.dmn"),
        ("../../etc/care.bpmn", BPMN, "care.bpmn"),
        ("C:\\models\\care", BPMN, "care.bpmn"),
    ],
)
def test_file_name_by_suffix_or_root_tag(given: str | None, content: bytes, expected: str) -> None:
    assert source_name(given, content) == expected
