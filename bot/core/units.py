"""Units of work and the update that causes them: applied once, and what each stored.

A front end calls ``handling_update`` as it starts on an update; each unit of work the
core then runs (``CoreBase._unit``) is applied at most once under the update's key, and
notes what it stored, so that a failure afterwards can tell the user what was kept.
"""

from __future__ import annotations

from contextvars import ContextVar


class AlreadyApplied(Exception):
    """This update's unit of work was applied before (Telegram delivered the update again,
    or it was replayed from the inbox after a crash): nothing more was changed."""


_UPDATE_KEY: ContextVar[str | None] = ContextVar("update_key", default=None)
_STORED: ContextVar[list[str] | None] = ContextVar("stored", default=None)


def handling_update(key: str) -> list[str]:
    """A front end calls this as it starts on an update (in the task that handles it).

    Each unit of work the update then causes is applied at most once under ``key`` (a
    redelivered update raises AlreadyApplied instead of registering twice), and the
    returned list fills with a line per unit that committed: what to tell the user if
    something fails after that."""
    _UPDATE_KEY.set(key)
    stored: list[str] = []
    _STORED.set(stored)
    return stored


def stored_in_this_update() -> list[str]:
    """What the update being handled has stored so far (see ``handling_update``)."""
    return list(_STORED.get() or [])


def note_stored(what: str) -> None:
    stored = _STORED.get()
    if stored is not None:
        stored.append(what)


def update_key() -> str | None:
    """The key of the update being handled, if a front end set one (``handling_update``)."""
    return _UPDATE_KEY.get()
