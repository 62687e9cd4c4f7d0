"""People and credentials: argon2 password hashes, hashed bearer tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.errors import BadRequest, Conflict, NotFound, Unauthorized
from engine.identity import ROLES, Actor
from engine.persistence.tables import ApiToken, User
from engine.services.context import Context, record

_HASHER = PasswordHasher()
MIN_PASSWORD = 8


def token_digest(token: str) -> str:
    """The stored form of a bearer token (tokens are random, so SHA-256 suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


class UserService:
    """Create users, check passwords, issue and resolve API tokens."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def create(
        self,
        username: str,
        password: str,
        roles: list[str],
        display_name: str = "",
        team: str | None = None,
    ) -> Actor:
        """A new user with roles (BadRequest on unknown roles or a short password)."""
        unknown = sorted(set(roles) - set(ROLES))
        if unknown or not roles:
            raise BadRequest(
                f"roles must be among {', '.join(ROLES)}; got {', '.join(unknown)}"
                if unknown
                else "at least one role is required"
            )
        if len(password) < MIN_PASSWORD:
            raise BadRequest(f"password must have at least {MIN_PASSWORD} characters")
        if not username or not username.replace("_", "").replace(".", "").isalnum():
            raise BadRequest("username: letters, digits, '.' and '_' only")
        with self.ctx.uow() as uow:
            uow.session.add(
                User(
                    username=username,
                    display_name=display_name or username,
                    password_hash=_HASHER.hash(password),
                    roles=sorted(set(roles)),
                    team=team or None,
                    created_at=self.ctx.clock.now(),
                )
            )
            try:
                uow.commit()
            except IntegrityError as exc:
                raise Conflict(f"user {username!r} already exists") from exc
        return Actor(username, frozenset(roles))

    def authenticate(self, username: str, password: str, audit: bool = True) -> Actor:
        """The actor for a username and password (Unauthorized otherwise); logins and failed
        logins are audited unless audit is False (a check, not a sign-in)."""
        with self.ctx.uow() as uow:
            user = uow.session.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                _HASHER.hash(password)  # same work either way: no user enumeration by timing
                ok = False
            else:
                ok = _verify(user.password_hash, password)
            if audit:
                action = "user.login" if ok else "user.login_failed"
                record(uow.session, self.ctx.clock.now(), username[:80] or "-", action)
            if user is not None and ok and _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = _HASHER.hash(password)
            uow.commit()
            if user is None or not ok:
                raise Unauthorized("wrong username or password")
            return Actor(user.username, frozenset(user.roles))

    def issue_token(self, username: str) -> str:
        """A new bearer token for a user; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        with self.ctx.uow() as uow:
            user = uow.session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"no user {username!r}")
            uow.session.add(
                ApiToken(
                    user_id=user.id, token_hash=token_digest(token), created_at=self.ctx.clock.now()
                )
            )
            uow.commit()
        return token

    def actor_for_token(self, token: str) -> Actor:
        """The actor a bearer token belongs to (Unauthorized for an unknown token)."""
        with self.ctx.uow() as uow:
            user = uow.session.scalar(
                select(User)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_hash == token_digest(token))
            )
            if user is None or not user.active:
                raise Unauthorized("unknown or revoked token")
            return Actor(user.username, frozenset(user.roles))

    def actor(self, username: str) -> Actor:
        """The actor for an active username (Unauthorized if gone)."""
        with self.ctx.uow() as uow:
            user = uow.session.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise Unauthorized(f"no active user {username!r}")
            return Actor(user.username, frozenset(user.roles))

    def exists(self) -> bool:
        """Whether any user exists (a new database has none)."""
        with self.ctx.uow() as uow:
            return uow.session.scalar(select(User.id).limit(1)) is not None
