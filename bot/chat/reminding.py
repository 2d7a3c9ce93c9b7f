"""One-off reminders (/remind) and the buttons under a delivered reminder."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.chat.buttons import ReminderAction, decode
from bot.chat.dateparsing import DateParseError, split_when_and_text
from bot.chat.messages import Button, Incoming, Press, Reply

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

SNOOZE = timedelta(days=1)


async def remind(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    if not args:
        return [Reply("Say when and what, e.g. /remind in 10 minutes call the council")]
    tz = await conv.core.timezone(msg.chat_id)
    try:
        when, text = split_when_and_text(args, conv.core.now(), tz)
    except DateParseError as exc:
        return [
            Reply(f"{exc}\nFor example: /remind tomorrow send our response. Nothing was changed.")
        ]
    item_id = await conv.core.add_adhoc_reminder(msg.chat_id, msg.user_id, when, text)
    local = when.astimezone(tz)
    return [
        Reply(
            f"I'll remind this chat on {local:%a %d %b %Y at %H:%M} ({tz.key}): "
            f"{text} (item #{item_id})"
        )
    ]


async def press(conv: Conversation, press: Press, action: ReminderAction) -> Reply:
    """Done, Snooze or Stop: the same rights as /done and /remind; nothing changes otherwise.
    Under a digest ("⏰ 2 reminders") only the pressed reminder's line and buttons change."""
    reminder = await conv.core.reminder(press.chat_id, action.reminder_id)
    if reminder is None:
        return Reply("That reminder no longer exists; nothing was changed.", notice=True)
    if not await conv.may_change(press.chat_id, press.user_id, press.is_admin):
        return Reply(
            "Only this group's admins and officers can use these buttons. Nothing was changed.",
            notice=True,
        )
    item = await conv.core.item(press.chat_id, reminder.item_id) if reminder.item_id else None
    closed = item is not None and item.status != "open"
    if action.action == "snooze":
        if closed or reminder.status in ("cancelled", "undeliverable"):
            why = f"item #{item.id} is {item.status}" if closed and item else "it was stopped"
            return Reply(f"Not snoozed: {why}. Nothing was changed.", notice=True)
        until = conv.core.now() + SNOOZE
        await conv.core.snooze_reminder(press.chat_id, reminder.id, until)
        tz = await conv.core.timezone(press.chat_id)
        outcome = f"Snoozed until {until.astimezone(tz):%a %d %b %H:%M}."
    elif action.action == "stop":
        n = await conv.core.stop_reminders(press.chat_id, reminder.id)
        outcome = f"Stopped {n} pending reminder(s) for this item."
    else:
        if item is not None and closed:
            return Reply(f"Item #{item.id} was already {item.status}.", notice=True)
        if item is not None:
            await conv.core.close_item(press.chat_id, item.id, "done", press.user_id)
        outcome = "Marked done."
    in_digest = digest_after(press, reminder.id, outcome)
    if in_digest is not None:
        return in_digest
    return Reply(f"{reminder.text}\n\n{outcome}")


_ITEM = re.compile(r"^(\d+)\. ")


def digest_after(press: Press, reminder_id: int, outcome: str) -> Reply | None:
    """The pressed digest with the line of ``reminder_id`` saying ``outcome`` and its buttons
    gone, every other reminder and button as it was; None when the press was not under a
    digest of several reminders (the whole message is then the one reminder's)."""
    rows = [list(row) for row in press.keyboard]
    mine = [k for k, row in enumerate(rows) if any(_reminder_of(b) == reminder_id for b in row)]
    numbered = re.match(r"(\d+): ", rows[mine[0]][0].label) if mine else None
    if press.message_text is None or numbered is None:
        return None
    n = numbered[1]
    lines = press.message_text.split("\n")
    start = next((k for k, line in enumerate(lines) if line.startswith(f"{n}. ")), None)
    if start is None:
        return None
    end = next((k for k in range(start + 1, len(lines)) if _ITEM.match(lines[k])), len(lines))
    said = " ".join(line for line in lines[start:end])
    lines[start:end] = [f"{said} – {outcome}"]
    del rows[mine[0]]
    return Reply("\n".join(lines), buttons=rows)


def _reminder_of(button: Button) -> int | None:
    action = decode(button.data)
    return action.reminder_id if isinstance(action, ReminderAction) else None
