"""Process definitions: list what is deployed, deploy BPMN/DMN files."""

from __future__ import annotations

from typing import Any

from flask import request

from engine import ProcessInfo
from web.api.base import make_blueprint
from web.api.schemas import DeploymentRead, DeployQuery, ProcessRead
from web.api.uploads import read_sources
from web.context import current_actor, current_engine

bp = make_blueprint("processes", "/processes", "BPMN/DMN process definitions")

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
                "required": ["file"],
            }
        },
        "application/xml": {"schema": {"type": "string"}},
    },
}


@bp.route("", methods=["GET"])
@bp.response(200, ProcessRead(many=True))
def list_processes() -> list[ProcessInfo]:
    """The newest version of every deployed process."""
    return current_engine().processes.latest()


@bp.route("", methods=["POST"])
@bp.arguments(DeployQuery, location="query", as_kwargs=True)
@bp.doc(requestBody=UPLOAD_BODY)
@bp.response(201, DeploymentRead)
@bp.alt_response(422, description="invalid files (errors keyed FILE:ELEMENT_ID); nothing deployed")
def deploy(filename: str | None = None) -> dict[str, Any]:
    """Validate, then deploy new versions of the processes in the uploaded files."""
    sources = read_sources(request, filename)
    results = current_engine().processes.deploy(sources, current_actor())
    return {
        "deployed": [r for r in results if r.created],
        "unchanged": [r for r in results if not r.created],
    }
