"""BPMN/DMN sources from an upload: multipart `file` fields or the XML as the body."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from flask import Request

from engine import BadRequest

SUFFIXES = (".bpmn", ".dmn")
DEFAULT_STEM = "upload"
_ROOT_TAG = re.compile(rb"<(?![?!])[^>]*>", re.DOTALL)


def read_sources(request: Request, filename: str | None) -> dict[str, bytes]:
    """File name -> content of every uploaded BPMN/DMN file (BadRequest when there is none)."""
    if request.files:
        return _from_multipart(request)
    body = request.get_data(cache=False)
    if not body.strip():
        raise BadRequest(
            "send BPMN/DMN files as multipart field 'file' or the XML as the request body",
            {"file": "No file was sent."},
        )
    return {source_name(filename, body): body}


def _from_multipart(request: Request) -> dict[str, bytes]:
    uploads = request.files.getlist("file")
    if not uploads:
        raise BadRequest(
            "multipart uploads use the field name 'file'", {"file": "No file was sent."}
        )
    sources: dict[str, bytes] = {}
    for upload in uploads:
        content = upload.read()
        name = source_name(upload.filename, content)
        if name in sources:
            raise BadRequest(f"file {name} was sent twice", {"file": f"{name} was sent twice."})
        sources[name] = content
    return sources


def source_name(filename: str | None, content: bytes) -> str:
    """A safe base name ending in .bpmn or .dmn (by the given name, else by the root tag)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    if name.lower().endswith(SUFFIXES):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or DEFAULT_STEM}{_suffix_by_root(content)}"


def _suffix_by_root(content: bytes) -> str:
    match = _ROOT_TAG.search(content[:8192])
    if match and b"/DMN/" in match.group(0).upper():
        return ".dmn"
    return ".bpmn"
