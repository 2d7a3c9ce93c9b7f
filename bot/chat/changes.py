"""Changes after the fact: /change ID FIELD VALUE and /reopen ID.

A council extends its consultation, a grant's end moves: the item is changed, not
cancelled and registered again, so its history stays in one place.  The core re-checks it
and plans its reminders anew; /item, /report and the calendar show the latest values.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from bot.chat import arguments
from bot.chat.dateparsing import DateParseError, on_or_after
from bot.chat.forms import FORMS, FormField, Kind
from bot.chat.messages import Incoming, Reply
from bot.chat.registration_parsing import classify_against, length_from, read_date
from bot.chat.replies import SAID_AT_REGISTRATION, format_reminders, format_results
from bot.core import FollowUpError
from bot.domain.events import ConsultationLaunched

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

USAGE = "/change 3 closes 15 March"


async def change(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    words = args.split(maxsplit=1)
    item_id = arguments.item_id(words[0]) if words else None
    if item_id is None:
        return [Reply(f"Say which item, what and to what, e.g. {USAGE}. Nothing was changed.")]
    try:
        record, _ = await conv.core.item_history(msg.chat_id, item_id)
    except FollowUpError as exc:
        return [Reply(f"{exc}. Nothing was changed.")]
    form = FORMS[record.kind]
    found = form.find_field(words[1]) if len(words) > 1 else None
    if found is None:
        fields = ", ".join(f.name for f in form.fields if f.name not in ("notice",))
        return [
            Reply(
                f"Say what to change on #{item_id} ({fields}), e.g. /change {item_id} "
                f"{form.fields[-1].name} … Nothing was changed."
            )
        ]
    field, raw = found
    if not raw:
        return [Reply(f"Say the new {field.phrase}, e.g. {USAGE}. Nothing was changed.")]
    today = await conv.core.today(msg.chat_id)
    try:
        value = _read(record.kind, field, raw, record.event, today)
        done = await conv.core.change_item(msg.chat_id, item_id, {field.target: value}, msg.user_id)
    except (DateParseError, FollowUpError) as exc:
        return [Reply(f"{str(exc).rstrip('.')}. Nothing was changed.")]
    shown = f"{value:%a} {value.day} {value:%B %Y}" if isinstance(value, date) else value
    parts = [f"Changed #{item_id}: {field.label} is now {shown}. Re-checked:"]
    parts.append(format_results(done.results, SAID_AT_REGISTRATION))
    if done.results:
        tz = await conv.core.timezone(msg.chat_id)
        parts.append(format_reminders(done.results, conv.core.reminder_hour, tz))
    return [Reply("\n\n".join(parts))]


def _read(kind: Kind, field: FormField, raw: str, event: Any, today: date) -> Any:
    """The new value of ``field`` from what the user typed."""
    if field.kind == "date":
        said = read_date(kind, field.name, raw, today)
        opens = event.opens if isinstance(event, ConsultationLaunched) else None
        if said.length is not None and opens is not None:
            return length_from(opens, said.length)  # "in 6 weeks" counts from the opening day
        if said.yearless and said.day and opens is not None and field.name == "closes":
            return on_or_after(said.day, opens)
        return said.day
    if field.kind == "choice":
        against = classify_against(raw)
        if against is None:
            raise DateParseError("Say 'public' or 'vcs'")
        return against
    return raw.strip()[:500]


async def reopen(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    item_id = arguments.item_id(args.split()[0]) if args.split() else None
    if item_id is None:
        return [Reply("Say which item, e.g. /reopen 3 (see /item 3). Nothing was changed.")]
    try:
        done = await conv.core.reopen_item(msg.chat_id, item_id, msg.user_id)
    except FollowUpError as exc:
        return [Reply(f"{exc}. Nothing was changed.")]
    text = f"Item #{item_id} is open again."
    if done.reminders_planned:
        text += f" {done.reminders_planned} reminder(s) planned again."
    return [Reply(text)]
