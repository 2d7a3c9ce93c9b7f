"""What the group has on record: /list, /item, /report and /calendar (its feed address:
``bot.chat.calendar_links``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.chat import arguments, calendar_links
from bot.chat.messages import Attachment, Incoming, Reply
from bot.core import FollowUpError
from bot.records.report import body_name, item_rows
from bot.records.report_formats import RENDERERS, render_item, render_text

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation


async def list_items(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    replies = await _list_items(conv, msg)
    warning = conv.core.delivery_warning()
    if warning:
        replies[0].text += f"\n\n{warning}"
    return replies


async def _list_items(conv: Conversation, msg: Incoming) -> list[Reply]:
    items = await conv.core.open_items(msg.chat_id)
    if not items:
        return [Reply("No open items. Register one with /consultation, /funding or /complaint.")]
    pending = await conv.core.pending_reminders(msg.chat_id)
    tz = await conv.core.timezone(msg.chat_id)
    next_due: dict[int, datetime] = {}
    for r in pending:
        if r.item_id is not None and r.item_id not in next_due:
            next_due[r.item_id] = r.due_at.astimezone(tz)
    lines = ["Open items:"]
    for item in items:
        due = next_due.get(item.id)
        when = f" – next reminder {due:%a %d %b %Y %H:%M}" if due else ""
        lines.append(f"#{item.id} {item.kind}: {item.title}{when}")
    return [Reply("\n".join(lines))]


async def item(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    wanted = arguments.item_id(args.split()[0]) if args else None
    if wanted is None:
        return [Reply("Say which item, e.g. /item 3 (numbers are in /list and /report).")]
    try:
        record, history = await conv.core.item_history(msg.chat_id, wanted)
    except FollowUpError as exc:
        return [Reply(f"{exc}.")]
    tz = await conv.core.timezone(msg.chat_id)
    rows = item_rows(record, body_name(record), conv.core.now().astimezone(tz).date())
    names = conv.core.knowledge.registry.display_name
    return [Reply(render_item(record, rows, history, tz, names))]


async def report(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    year: int | None = None
    body = args
    first, _, rest = args.partition(" ")
    if first.isdigit():
        year = arguments.year(first)
        if year is None:
            return [Reply(f"{first[:10]} is not a year I can report on. Try e.g. /report 2026.")]
        body = rest
    body_filter = body.strip()[:100] or None
    found = await conv.core.report(msg.chat_id, year, body_filter)
    names = conv.core.knowledge.registry.display_name
    text = render_text(found, names)
    if not found.rows:
        return [Reply(text)]
    stem = f"compact-report-{found.year if found.since is None else found.as_of.isoformat()}"
    files = [
        Attachment(f"{stem}.{fmt}", RENDERERS[fmt](found, names).encode("utf-8"), caption)
        for fmt, caption in (
            ("csv", "Every item, one row per Compact (for a spreadsheet)"),
            ("html", "The report with charts (open in a browser)"),
        )
    ]
    return [Reply(text, files=files)]


async def calendar(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    if args:
        return await calendar_links.command(conv, msg, args)
    cal = await conv.core.calendar(msg.chat_id)
    if not cal.deadlines and not cal.reminders:
        return [
            Reply(
                "No open deadlines or reminders to put in a calendar. Register a "
                "consultation, funding change or complaint first."
            )
        ]
    tz = await conv.core.timezone(msg.chat_id)
    late = f" ({cal.late} passed with nothing recorded: marked Late)" if cal.late else ""
    text = (
        f"{cal.deadlines} date(s){late} and {cal.reminders} reminder(s), times in {tz.key}. "
        "Open the file to add them to Outlook, Google, Apple or any calendar; importing "
        "a newer file updates the same events. To have them kept up to date, subscribe "
        "to a feed instead: /calendar link"
    )
    return [Reply(text, files=[Attachment("compact-deadlines.ics", cal.ics)])]
