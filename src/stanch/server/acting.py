"""The App as one caller sees it: their token's name reads (access) and acts (actor)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request

from stanch.services.context import App
from stanch.services.tokens import Principal


def acting(request: Request, who: Principal) -> App:
    """A per-request view of the server's App: same store and clock, this caller's name.

    Services that record `app.settings.actor` (hypotheses, evidence) then name the
    token's owner, and `resolve_id` applies the caller's read access. The store is
    shared; the server's App still owns it (never close this one).
    """
    base: App = request.app.state.stanch
    return App(
        replace(base.settings, actor=who.name),
        clock=base.clock,
        viewer=who.name,
        _store=base.store,
    )
