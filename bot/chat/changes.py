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
from bot.chat.forms import FACT_VALUES, FORMS, FormField, Kind
from bot.chat.messages import Incoming, Reply
from bot.chat.registration_parsing import (
    classify_against,
    length_from,
    read_date,
    read_days,
    read_yes_no,
)
from bot.chat.replies import format_reminders, format_results
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
    found = form.find_field(words[1], extra=True) if len(words) > 1 else None
    if found is None:
        names = [f.name for f in (*form.fields, *form.extra) if f.name not in ("notice",)]
        return [
            Reply(
                f"Say what to change on #{item_id} ({', '.join(names)}), e.g. /change {item_id} "
                f"{form.fields[-1].name} … Nothing was changed."
            )
        ]
    field, raw = found
    if not raw:
        return [Reply(f"Say the new {field.phrase}, e.g. {USAGE}. Nothing was changed.")]
    today = await conv.core.today(msg.chat_id)
    try:
        value, length = _read(record.kind, field, raw, record.event, today)
        changes, moved = _consistent(item_id, record.event, field, value, length)
        done = await conv.core.change_item(msg.chat_id, item_id, changes, msg.user_id)
    except (DateParseError, FollowUpError) as exc:
        return [Reply(f"{str(exc).rstrip('.')}. Nothing was changed.")]
    parts = [f"Changed #{item_id}: {field.label} is now {_shown(field, value)}.{moved} Re-checked:"]
    parts.append(format_results(done.results))
    if done.results:
        tz = await conv.core.timezone(msg.chat_id)
        parts.append(format_reminders(done.results, conv.core.reminder_hour, tz))
    return [Reply("\n\n".join(parts))]


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%B %Y}"


def _shown(field: FormField, value: Any) -> str:
    if isinstance(value, date):
        return _day(value)
    if field.kind == "fact":
        return {True: "yes", False: "no"}.get(value, "don't know")
    return str(value)


def _consistent(
    item_id: int, event: Any, field: FormField, value: Any, length: str | None
) -> tuple[dict[str, Any], str]:
    """The changes that keep the item consistent, and what the reply says of them: a close
    given as a length ("8 weeks") moves with its opening; one given as a date stays, and
    the reply says so.  A close before the opening is refused when the item is changed."""
    changes: dict[str, Any] = {field.target: value}
    if not isinstance(event, ConsultationLaunched):
        return changes, ""
    if field.name == "closes":
        changes["closes_as_length"] = length  # a date given now: no length to keep
        return changes, ""
    if field.name != "opens" or not isinstance(value, date):
        return changes, ""
    given = event.closes_as_length
    moved = length_from(value, given) if given else None
    if given and moved is not None:
        changes["closes"] = moved
        return changes, f" Closes moves with it ({given} from opening): now {_day(moved)}."
    if event.closes >= value:
        return changes, (
            f" Closes stays {_day(event.closes)} (it was given as a date); to move it too, "
            f"say /change {item_id} closes and the new date."
        )
    return changes, ""


def _read(
    kind: Kind, field: FormField, raw: str, event: Any, today: date
) -> tuple[Any, str | None]:
    """The new value of ``field`` from what the user typed, and the length it was said as
    (a close "in 6 weeks")."""
    if field.kind == "date":
        said = read_date(kind, field.name, raw, today)
        opens = event.opens if isinstance(event, ConsultationLaunched) else None
        if said.length is not None and opens is not None:
            # "in 6 weeks" counts from the opening day
            return length_from(opens, said.length), said.length
        if said.yearless and said.day and opens is not None and field.name == "closes":
            return on_or_after(said.day, opens), None
        return said.day, None
    try:
        if field.kind == "fact":
            return FACT_VALUES.get(read_yes_no(raw)), None
        if field.kind == "yes_no":
            return read_yes_no(raw) == "yes", None
        if field.kind == "days":
            return read_days(raw), None
    except ValueError as exc:
        # the same one-line refusal as a bad date
        refusal = {"days": str(exc), "fact": "Say yes, no or don't know"}.get(
            field.kind, "Say yes or no"
        )
        raise DateParseError(refusal) from None
    if field.kind == "choice":
        against = classify_against(raw)
        if against is None:
            raise DateParseError("Say 'public' or 'vcs'")
        return against, None
    return raw.strip()[:500], None


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
