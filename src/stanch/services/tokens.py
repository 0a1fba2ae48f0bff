"""API tokens: shown once, stored only as a SHA-256 digest, each with one role."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from stanch.errors import Conflict, InvalidInput, NotFound
from stanch.model.clock import iso
from stanch.services.context import App
from stanch.store.engine import WRITE, translated
from stanch.store.schema import server_tokens as tokens

PREFIX = "stn_"


class Role(enum.IntEnum):
    """Each role can do everything the ones below it can."""

    VIEWER = 1  # read incidents, timelines, the UI
    RESPONDER = 2  # declare, log, change status/severity, post alerts and changes
    ADMIN = 3  # manage tokens

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise InvalidInput(f"unknown role {text!r}: use viewer, responder or admin") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Principal:
    """Who a request is: the token's name and role (never the token itself)."""

    name: str
    role: Role
    digest: str


def digest(token: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(app: App, name: str, role: str) -> str:
    """A new token; the plain value is returned once and never stored."""
    clean = name.strip()
    if not clean or len(clean) > 100 or not clean.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("token name must be 1–100 letters, digits, '-' or '_'")
    level = Role.parse(role)
    token = PREFIX + secrets.token_urlsafe(32)
    store = app.store
    row = {
        "name": clean,
        "role": level.label,
        "digest": digest(token),
        "created_at": iso(app.clock()),
    }
    with translated(store.url):
        try:
            with store.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
                conn.execute(insert(tokens).values(**row))
        except IntegrityError:
            raise Conflict(f"a token named {clean!r} already exists; revoke it first") from None
    return token


def listing(app: App) -> list[dict[str, str]]:
    """Names, roles and creation times; never digests."""
    store = app.store
    with translated(store.url), store.engine.connect() as conn:
        rows = conn.execute(select(tokens).order_by(tokens.c.name)).all()
    return [{"name": r.name, "role": r.role, "created_at": r.created_at} for r in rows]


def revoke(app: App, name: str) -> None:
    store = app.store
    with (
        translated(store.url),
        store.engine.connect().execution_options(**{WRITE: True}) as conn,
        conn.begin(),
    ):
        done = conn.execute(delete(tokens).where(tokens.c.name == name))
    if not done.rowcount:
        raise NotFound(f"no token named {name!r}")


def authenticate(app: App, token: str) -> Principal | None:
    """The principal for a presented token, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    wanted = digest(token)
    store = app.store
    with translated(store.url), store.engine.connect() as conn:
        row = conn.execute(
            select(tokens.c.name, tokens.c.role).where(tokens.c.digest == wanted)
        ).first()
    if row is None:
        return None
    return Principal(str(row.name), Role.parse(str(row.role)), wanted)
