"""What SQLite and PostgreSQL say differently, side by side.

The repository writes its statements once, with ``?`` placeholders (the PostgreSQL backend
numbers them ``$1, $2, …``), and takes from here the few fragments and statements whose
words differ between the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Advisory lock namespaces (PostgreSQL's two-key form: namespace, key).
LOCK_MIGRATE = 0
"""Held (per transaction) while migrating, so workers starting at once migrate one by one."""
LOCK_CHAT_TURN = 1
"""Held (per session) by the worker handling a chat's updates: one worker per chat at a time."""
LOCK_WORKER = 2
"""Held (per session) by each live worker for as long as its connection lives."""
LOCK_CHAT_UNIT = 3
"""Held (per transaction) by a unit of work on a chat: its writes never interleave another's."""


def lock_key(value: int | str) -> int:
    """A chat id or worker name as a non-negative 32-bit advisory lock key (two chats that
    share one merely take turns)."""
    import zlib

    return zlib.crc32(str(value).encode()) & 0x7FFFFFFF


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    in_list: str
    """``column{in_list}`` tests membership in a list bound as one parameter (``ids``)."""
    contains: str
    """``{contains}`` with one ``{col}``: the column contains the bound text."""
    greatest: str
    """The two-argument maximum."""
    claim_due: str
    """Claim due pending reminders: (claimed_at, owner, lease_until, now, limit); the
    PostgreSQL statement numbers its parameters itself (``$n``), in that order."""
    table_names: str
    recover_expired: str
    """Claims whose lease ran out (and, on PostgreSQL, whose worker has been gone since before
    a grace period) back to pending (or held): (now, gone_before)."""
    mark_gone: str
    """Note when each registered worker was first seen without its lock (and forget that
    once it holds it again): (now,)."""
    prune_workers: str
    """Forget workers that are gone and hold no claim."""

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def ids(self, values: Iterable[int]) -> Any:
        """A list of integers as the parameter of ``in_list``."""
        if self.postgres:
            return [int(v) for v in values]
        # A JSON array bound as one parameter avoids SQLite's variable limit for long lists.
        return json.dumps([int(v) for v in values])

    def texts(self, values: Iterable[str]) -> Any:
        """A list of strings as the parameter of ``in_list``."""
        if self.postgres:
            return list(values)
        return json.dumps(list(values))


_REMINDER_COLS = (
    "id, chat_id, item_id, key, text, due_at, planned_at, status, attempts, last_error,"
    " sent_at, late"
)

_BACK_TO_PENDING = (
    "status = CASE WHEN (SELECT paused FROM chats WHERE chats.chat_id = reminders.chat_id) = 1"
    " THEN 'held' ELSE 'pending' END, claimed_at = NULL, claimed_by = NULL, lease_until = NULL"
)

SQLITE = Dialect(
    name="sqlite",
    in_list=" IN (SELECT value FROM json_each(?))",
    contains="instr({col}, ?) > 0",
    greatest="max",
    claim_due=(
        "UPDATE reminders SET status = 'sending', claimed_at = ?, claimed_by = ?,"
        " lease_until = ?"
        " WHERE id IN (SELECT id FROM reminders WHERE status = 'pending' AND due_at <= ?"
        " ORDER BY due_at, id LIMIT ?)"
        f" RETURNING {_REMINDER_COLS}"
    ),
    table_names=(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ),
    recover_expired=(
        f"UPDATE reminders SET {_BACK_TO_PENDING}"
        " WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ?)"
        " AND ? IS NOT NULL"  # (gone_before: no locks to see here)
    ),
    # One process per SQLite file runs the bot; its workers are known by their leases only.
    mark_gone="UPDATE workers SET gone_since = NULL WHERE ? IS NULL",
    prune_workers="DELETE FROM workers WHERE 0",
)

# A worker is alive while it holds its advisory lock: PostgreSQL drops the lock the moment
# the worker's connection goes (a kill, a crash), so its claims need not wait for the lease.
_GONE = (
    "NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    f" AND l.classid = {LOCK_WORKER}::oid AND l.objid = workers.lock_key::oid"
    " AND l.objsubid = 2 AND l.granted)"
)

POSTGRES = Dialect(
    name="postgresql",
    in_list=" = ANY(?)",
    contains="strpos({col}, ?) > 0",
    greatest="greatest",
    # SKIP LOCKED: workers claiming at once take different rows instead of queueing.
    claim_due=(
        "WITH due AS (SELECT id FROM reminders WHERE status = 'pending' AND due_at <= $4"
        " ORDER BY due_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)"
        " UPDATE reminders SET status = 'sending', claimed_at = $1, claimed_by = $2,"
        " lease_until = $3 FROM due WHERE reminders.id = due.id"
        f" RETURNING {', '.join('reminders.' + c.strip() for c in _REMINDER_COLS.split(','))}"
    ),
    table_names=(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ),
    # A worker without its lock may still be finishing a send it checked its claim for
    # (its lock went with a database restart it has not noticed yet): its claims are taken
    # only once it has been seen gone for a grace period longer than any send takes.
    recover_expired=(
        f"UPDATE reminders SET {_BACK_TO_PENDING}"
        " WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ?"
        " OR claimed_by IN (SELECT owner FROM workers WHERE gone_since <= ?"
        f" AND {_GONE}))"
    ),
    mark_gone=(
        "UPDATE workers SET gone_since = CASE WHEN"
        f" {_GONE} THEN coalesce(gone_since, ?) ELSE NULL END"
        f" WHERE (gone_since IS NULL) = {_GONE}"
    ),
    prune_workers=(
        f"DELETE FROM workers WHERE {_GONE} AND NOT EXISTS"
        " (SELECT 1 FROM reminders WHERE status = 'sending' AND claimed_by = workers.owner)"
    ),
)
