"""Process definitions: validate BPMN/DMN files and deploy new versions of what changed."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, NotFound, ProcessInvalid
from engine.forms import Form, FormDefinitionError, check_form, load_forms
from engine.identity import Actor
from engine.persistence.tables import ProcessVersion
from engine.runtime.serializer import SpecBundle, content_hash
from engine.runtime.specs import ParsedProcess, Problem, SpecError, load_directory, parse_sources
from engine.services.context import Context, record


@dataclass(frozen=True)
class ProcessInfo:
    """A deployed process version as lists show it."""

    process_id: str
    version: int
    name: str
    deployed_at: datetime
    version_id: int


@dataclass(frozen=True)
class Deployed:
    """The outcome of a deployment: one entry per process, new or unchanged."""

    process_id: str
    version: int
    created: bool


class ProcessService:
    """Validate and deploy process definitions; list what is deployed."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def validate(self, sources: Mapping[str, bytes]) -> list[Problem]:
        """Every problem in the given BPMN/DMN sources (empty when they are deployable)."""
        forms, problems = self._forms()
        try:
            parse_sources(sources, form_exists=_form_checker(forms))
        except SpecError as exc:
            problems = problems + list(exc.problems)
        return problems

    def validate_directory(self, path: Path | None = None) -> list[Problem]:
        """Validate every BPMN/DMN file of a directory (default: the processes dir)."""
        return self.validate(load_directory(path or self.ctx.settings.processes_dir))

    def deploy(self, sources: Mapping[str, bytes], actor: Actor) -> list[Deployed]:
        """Validate, then store a new version of each process whose content changed."""
        if not actor.has("designer"):
            raise Forbidden("only designers and admins deploy processes")
        forms, problems = self._forms()
        try:
            parsed = parse_sources(sources, form_exists=_form_checker(forms))
        except SpecError as exc:
            problems = problems + list(exc.problems)
            parsed = {}
        if problems:
            raise ProcessInvalid(
                f"{len(problems)} problem(s); nothing was deployed",
                {f"{p.file}:{p.element_id}": p.message for p in problems},
            )
        with self.ctx.uow() as uow:
            results = [
                self._deploy_one(uow.session, p, parsed, sources, forms, actor)
                for p in sorted(parsed.values(), key=lambda p: p.process_id)
            ]
            uow.commit()
        return results

    def deploy_directory(self, actor: Actor, path: Path | None = None) -> list[Deployed]:
        """Deploy every BPMN/DMN file of a directory (default: the processes dir)."""
        return self.deploy(load_directory(path or self.ctx.settings.processes_dir), actor)

    def latest(self) -> list[ProcessInfo]:
        """The newest version of every deployed process."""
        newest = (
            select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
            .group_by(ProcessVersion.process_id)
            .subquery()
        )
        query = (
            select(ProcessVersion)
            .join(
                newest,
                (ProcessVersion.process_id == newest.c.process_id)
                & (ProcessVersion.version == newest.c.v),
            )
            .order_by(ProcessVersion.process_id)
        )
        with self.ctx.uow() as uow:
            return [_info(row) for row in uow.session.scalars(query)]

    def latest_version(self, session: Session, process_id: str) -> ProcessVersion:
        """The newest version row of a process (NotFound if never deployed)."""
        row = session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFound(f"process {process_id!r} is not deployed")
        return row

    def _forms(self) -> tuple[dict[str, Form], list[Problem]]:
        directory = self.ctx.settings.forms_dir
        if not directory.is_dir():
            return {}, []
        try:
            forms = load_forms(directory)
        except FormDefinitionError as exc:
            return {}, [Problem(str(exc).split(":", 1)[0], "form", str(exc))]
        problems = [
            Problem(f"{fid}.schema.json", fid, message)
            for fid, form in forms.items()
            for message in check_form(form)
        ]
        return forms, problems

    def _deploy_one(
        self,
        session: Session,
        parsed: ParsedProcess,
        everything: Mapping[str, ParsedProcess],
        sources: Mapping[str, bytes],
        forms: Mapping[str, Form],
        actor: Actor,
    ) -> Deployed:
        bundle_json = self.ctx.codec.dump_bundle(SpecBundle(parsed.spec, parsed.subprocess_specs))
        used = {
            fid: {"schema": forms[fid].schema, "ui_schema": forms[fid].ui_schema}
            for fid in sorted(set(parsed.forms))
            if fid in forms
        }
        digest = content_hash(bundle_json, json.dumps(used, sort_keys=True))
        latest = session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_id == parsed.process_id)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.content_hash == digest:
            return Deployed(parsed.process_id, latest.version, created=False)
        files = {parsed.source_file} | {
            everything[s].source_file for s in parsed.subprocess_specs if s in everything
        }
        row = ProcessVersion(
            process_id=parsed.process_id,
            version=(latest.version + 1) if latest else 1,
            name=parsed.name,
            content_hash=digest,
            bundle=bundle_json,
            forms=used,
            source_file=parsed.source_file,
            sources={f: sources[f].decode("utf-8") for f in sorted(files) if f in sources},
            deployed_at=self.ctx.clock.now(),
            deployed_by=actor.username,
        )
        session.add(row)
        session.flush()
        record(
            session,
            row.deployed_at,
            actor.username,
            "process.deployed",
            detail={"process_id": row.process_id, "version": row.version},
        )
        return Deployed(row.process_id, row.version, created=True)

    def forms_of(self, session: Session, version_id: int) -> dict[str, Form]:
        """The forms snapshotted with a process version."""
        return self.ctx.specs.get(session, version_id)[1]


def _info(row: ProcessVersion) -> ProcessInfo:
    return ProcessInfo(row.process_id, row.version, row.name, row.deployed_at, row.id)


def _form_checker(forms: Mapping[str, Form]) -> Callable[[str], str | None]:
    def exists(form_id: str) -> str | None:
        return None if form_id in forms else f"form {form_id!r} not found in the forms directory"

    return exists
