"""The one exception tree of stanch.

    StanchError
    ├── UserError                  the responder can fix it (exit 1)
    │   ├── InvalidInput           malformed flag, file, payload or timestamp
    │   ├── NotFound               unknown incident, lever, item …
    │   ├── Ambiguous              an omitted id matches several incidents
    │   ├── IllegalTransition      status machine refuses the move
    │   ├── GuardRefused           a safety rule refuses the action
    │   └── Conflict               someone else changed the incident meanwhile
    ├── EnvironmentProblem         the machine is in the way (exit 3)
    │   ├── StorageFull            disk or quota full
    │   ├── ReadOnly               directory or database not writable
    │   └── StoreUnavailable       database cannot be reached or opened
    └── InternalError              our bug (exit 70, with a bug-report hint)

Doors map this tree to exit codes and one-line messages; nothing else escapes.
"""

from __future__ import annotations

import errno


class StanchError(Exception):
    """Base of every error stanch raises on purpose."""

    exit_code = 70

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UserError(StanchError):
    exit_code = 1


class InvalidInput(UserError):
    pass


class NotFound(UserError):
    pass


class Ambiguous(UserError):
    pass


class IllegalTransition(UserError):
    pass


class GuardRefused(UserError):
    pass


class Conflict(UserError):
    pass


class EnvironmentProblem(StanchError):
    exit_code = 3


class StorageFull(EnvironmentProblem):
    pass


class ReadOnly(EnvironmentProblem):
    pass


class StoreUnavailable(EnvironmentProblem):
    pass


class InternalError(StanchError):
    exit_code = 70


def classify_os_error(exc: OSError, what: str) -> StanchError:
    """Name the machine problem behind an OSError in one line."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StorageFull(f"{what}: disk full ({exc.strerror})")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnly(f"{what}: not writable ({exc.strerror})")
    return StoreUnavailable(f"{what}: {exc.strerror or exc}")
