"""A known year of registered items for the report and calendar tests.

Registered through the real core into a real database (an SQLite file or PostgreSQL), with
the clock fixed at 25 November 2026 (noon UTC), by a group that follows the Kent Compact 2011
and the Kent 2007 draft.  The figures the tests expect are worked out by hand in the comments.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.core import Core
from bot.domain.events import AnyEvent, ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CHAT = -2001
OFFICER = 7
COMPACTS = ["kent-2011", "kent-2007-draft"]


@asynccontextmanager
async def stored_core(
    path: str | Path, knowledge: Knowledge, clock: ManualClock | None = None
) -> AsyncIterator[Core]:
    """A core over the real database at ``path``, its clock at ``NOW`` unless one is given."""
    clock = clock or ManualClock(NOW)
    db = await Database.open(path, clock=clock)
    try:
        yield Core(knowledge, db, clock=clock)
    finally:
        await db.close()


async def register(core: Core, event: AnyEvent, title: str) -> int:
    done = await core.register(event, title, {})
    return done.item_id


def consultation(title: str, body: str | None, opens: date, closes: date) -> ConsultationLaunched:
    return ConsultationLaunched(
        chat_id=CHAT, registered_by=OFFICER, title=title, body=body, opens=opens, closes=closes
    )


def funding(
    title: str, funder: str, ends: date, notice: date | None = None, **known: Any
) -> FundingEnding:
    """``known``: what the group said of it (``consulted``, ``consultation_started_on``,
    ``rationale_given``)."""
    return FundingEnding(
        chat_id=CHAT,
        registered_by=OFFICER,
        title=title,
        funder=funder,
        last_funded_day=ends,
        notice_given_on=notice,
        **known,
    )


def complaint(summary: str, body: str, raised: date) -> ComplaintRaised:
    return ComplaintRaised(
        chat_id=CHAT,
        registered_by=OFFICER,
        against="public",
        body=body,
        summary=summary,
        raised_on=raised,
    )


async def register_year(core: Core) -> dict[str, Any]:
    """Register the year; returns item ids by name."""
    await core.ensure_chat(CHAT, "Sevenoaks Youth Trust")
    await core.choose_compacts(CHAT, COMPACTS, None)
    ids: dict[str, Any] = {}
    # 12 weeks exactly (5 Jan + 84 days = 30 Mar): meets both; feedback arrives 20 Apr.
    ids["library"] = await register(
        core,
        consultation("Library review", "Sevenoaks DC", date(2026, 1, 5), date(2026, 3, 30)),
        "Library review",
    )
    # 6 weeks: 42 days short of 12 weeks. Kent 2011: explanation owed; 2007 draft: below
    # its hard 8-week minimum.
    ids["bus"] = await register(
        core, consultation("Bus routes", "KCC", date(2026, 2, 2), date(2026, 3, 16)), "Bus routes"
    )
    # 3 weeks, 63 days short; "kcc " is the same body as "KCC".
    ids["parking"] = await register(
        core,
        consultation("Parking charges", "kcc ", date(2026, 6, 1), date(2026, 6, 22)),
        "Parking charges",
    )
    # Ends 30 Sep 2026: 3 months' notice due by 30 Jun; given 1 Jun -> on time, but the
    # group says no consultation came before it (Kent 2011's had to start by 29 Mar).
    ids["youth"] = await register(
        core,
        funding(
            "Youth grant",
            "KCC",
            date(2026, 9, 30),
            date(2026, 6, 1),
            consulted=False,
            rationale_given=True,
        ),
        "Youth grant",
    )
    # Ends 31 Dec 2026: notice due by 30 Sep; recorded later as given 12 Oct -> 12 days late.
    ids["advice"] = await register(
        core, funding("Advice contract", "Sevenoaks DC", date(2026, 12, 31)), "Advice contract"
    )
    # Ends 30 Nov 2026: notice due by 31 Aug; none recorded by 25 Nov -> 86 days overdue.
    ids["befriending"] = await register(
        core,
        funding("Befriending grant", "Sevenoaks DC", date(2026, 11, 30)),
        "Befriending grant",
    )
    # Ends 30 Jun 2027: a 2027 item (notice due 31 Mar 2027, not yet due).
    ids["arts"] = await register(
        core,
        funding(
            "Arts grant",
            "KCC",
            date(2027, 6, 30),
            rationale_given=True,
        ),
        "Arts grant",
    )
    # Raised 1 Apr, step 1 done 10 Apr, resolved (closed 25 Nov).
    ids["cut"] = await register(
        core, complaint("Consultation cut short", "KCC", date(2026, 4, 1)), "Consultation cut short"
    )
    # Raised 1 May, still open.
    ids["late_reply"] = await register(
        core, complaint("No reply to our letter", "Sevenoaks DC", date(2026, 5, 1)), "No reply"
    )
    # Raised 1 Jul, ended unresolved.
    ids["grant_terms"] = await register(
        core, complaint("Grant terms changed", "Sevenoaks DC", date(2026, 7, 1)), "Grant terms"
    )
    # Registered by mistake, then cancelled: left out of the report.
    ids["mistake"] = await register(
        core,
        consultation("Duplicate entry", "KCC", date(2026, 3, 1), date(2026, 3, 8)),
        "Duplicate entry",
    )
    # Opened in 2025: belongs to the 2025 report, not 2026's.
    ids["old"] = await register(
        core,
        consultation("Old consultation", "KCC", date(2025, 11, 1), date(2025, 11, 15)),
        "Old consultation",
    )

    await core.record_feedback(CHAT, ids["library"], date(2026, 4, 20), OFFICER)
    await core.record_notice(CHAT, ids["advice"], date(2026, 10, 12), OFFICER)
    await core.record_step(CHAT, ids["cut"], 1, date(2026, 4, 10), OFFICER)
    await core.close_item(CHAT, ids["cut"], "done", OFFICER, "resolved")
    await core.close_item(CHAT, ids["grant_terms"], "done", OFFICER, "unresolved")
    await core.close_item(CHAT, ids["mistake"], "cancelled", OFFICER)
    return ids
