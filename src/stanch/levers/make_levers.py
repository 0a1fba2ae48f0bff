"""Makefile levers: a `rollback` target paired with its deploy target is reversible."""

from __future__ import annotations

import fnmatch
import posixpath

from stanch.model.levers import Action, Lever, Surface


def _make_dir(s: Surface, makefiles: list[Surface]) -> str | None:
    """Where `make` runs a target: the Makefile's folder, or that of one including the .mk."""
    if not s.path.endswith(".mk"):
        return posixpath.dirname(s.path) or "."
    for m in makefiles:
        if any(fnmatch.fnmatchcase(s.path, glob) for glob in m.details.get("includes", [])):
            return posixpath.dirname(m.path) or "."
    return None  # a fragment nobody includes: `make` would not find its targets


_ROLLBACK_WORDS = ("rollback", "roll-back", "roll_back")


def _make_pair(target: str, known: set[str]) -> str | None:
    """The deploy target a `rollback` target reverses: same name with deploy/release in place."""
    for word in _ROLLBACK_WORDS:
        if word in target:
            for forward in ("deploy", "release"):
                if target.replace(word, forward, 1) in known:
                    return target.replace(word, forward, 1)
    return None


def make_levers(s: Surface, makefiles: list[Surface]) -> list[Lever]:
    """Makefile rollback targets. Paired with a deploy target, re-running that is the way
    back (it deploys the checked-out revision again); unpaired, the guard refuses them."""
    folder = _make_dir(s, makefiles)
    if folder is None:
        return []
    known = {t for m in makefiles if _make_dir(m, makefiles) == folder
             for t in m.details.get("targets", [])}  # fmt: skip
    out = []
    for target in s.details.get("targets", []):
        if not any(word in target for word in (*_ROLLBACK_WORDS, "undo", "revert")):
            continue
        pair = _make_pair(target, known)
        command = Action(("make", "-C", folder, target))
        if pair is None:
            out.append(Lever(
                id=f"rollback:make:{folder}:{target}", kind="rollback", target=f"make {target}",
                command=command, rollback=None, reversible=False, eta_s=300, source=s.path,
                evidence=("a Makefile target: what it undoes and how to undo it are unknown",),
            ))  # fmt: skip
            continue
        out.append(Lever(
            id=f"rollback:make:{folder}:{target}", kind="rollback", target=f"make {target}",
            command=command, rollback=Action(("make", "-C", folder, pair)),
            viability=Action(("make", "-C", folder, "-n", target, pair)), eta_s=300,
            source=s.path, params={"target": target, "pair": pair},
            evidence=(f"paired with `make {pair}`: the way back deploys the checked-out "
                      "revision again",
                      "what the target runs is not known beyond its recipe (`make -n` shows it)"),
        ))  # fmt: skip
    return out
