"""Users and credentials: argon2 hashes, hashed tokens, clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import BadRequest, Conflict, Engine, Unauthorized
from engine.persistence.tables import ApiToken, User


def test_create_authenticate_and_token(engine: Engine) -> None:
    engine.users.create("nora", "correct horse", ["case_manager", "care_team"], "Nora N")
    actor = engine.users.authenticate("nora", "correct horse")
    assert actor.roles == frozenset({"case_manager", "care_team"})
    with pytest.raises(Unauthorized):
        engine.users.authenticate("nora", "wrong horse!")
    with pytest.raises(Unauthorized):
        engine.users.authenticate("nobody", "correct horse")
    token = engine.users.issue_token("nora")
    assert engine.users.actor_for_token(token).username == "nora"
    with pytest.raises(Unauthorized):
        engine.users.actor_for_token(token + "x")
    with engine.context.uow() as uow:
        stored = uow.session.scalars(select(ApiToken.token_hash)).all()
        hashed = uow.session.scalar(select(User.password_hash).where(User.username == "nora"))
    assert token not in stored and len(stored) == 1
    assert hashed is not None and hashed.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("username", "password", "roles"),
    [
        ("x", "long enough", ["wizard"]),
        ("x", "short", ["admin"]),
        ("x y", "long enough", ["admin"]),
        ("x", "long enough", []),
    ],
)
def test_bad_users_are_refused(
    engine: Engine, username: str, password: str, roles: list[str]
) -> None:
    with pytest.raises(BadRequest):
        engine.users.create(username, password, roles)


def test_duplicate_user_is_a_conflict(engine: Engine) -> None:
    with pytest.raises(Conflict):
        engine.users.create("cara", "long enough", ["case_manager"])


def test_logins_and_failed_logins_are_audited(engine: Engine) -> None:
    from engine.persistence.tables import AuditEvent

    engine.users.create("omar", "long enough", ["case_manager"])
    engine.users.authenticate("omar", "long enough")
    with pytest.raises(Unauthorized):
        engine.users.authenticate("omar", "wrong guess")
    engine.users.authenticate("omar", "long enough", audit=False)
    with engine.context.uow() as uow:
        rows = uow.session.execute(
            select(AuditEvent.actor, AuditEvent.action)
            .where(AuditEvent.action.startswith("user."))
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [("omar", "user.login"), ("omar", "user.login_failed")]
