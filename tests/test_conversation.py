"""The conversation over a real core and database (SQLite and PostgreSQL): commands as
declared, buttons, rights."""

from __future__ import annotations

import pytest

from bot.chat import buttons
from bot.chat.commands import COMMANDS, find, help_text, menu
from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.clock import ManualClock
from bot.core import Core
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

GROUP, ADMIN, MEMBER = -500, 1, 2

pytestmark = pytest.mark.both_backends


async def _yes() -> bool:
    return True


async def _no() -> bool:
    return False


async def say(conv: Conversation, text: str, user: int = ADMIN) -> list[Reply]:
    msg = Incoming(GROUP, user, "Ada", text, private=False, is_admin=_yes if user == ADMIN else _no)
    return await conv.handle_text(msg)


async def one(conv: Conversation, text: str, user: int = ADMIN) -> str:
    [reply] = await say(conv, text, user)
    return reply.text


def test_help_and_menu_come_from_the_declarations() -> None:
    text = help_text()
    for command in COMMANDS:
        assert f"{command.usage} – {command.summary}" in text
    assert [name for name, _ in menu()] == [c.name for c in COMMANDS]
    assert find("start") is find("help")
    # Anyone's commands come before the admins' heading, and no admin command before it.
    anyone, admins = text.split("Admins and officers:")
    assert "/remind" in admins and "/remind" not in anyone
    assert "/list" in anyone


async def test_every_command_answers_without_arguments(conversation: Conversation) -> None:
    for command in COMMANDS:
        replies = await say(conversation, f"/{command.name}")
        assert replies and all(r.text for r in replies), command.name


async def test_members_may_view_but_not_change(conversation: Conversation) -> None:
    assert "follows no Compact" in await one(conversation, "/compact", MEMBER)
    refused = await one(conversation, "/compact rbkc", MEMBER)
    assert refused.startswith("Only this group's admins and officers can use /compact")
    assert "follows no Compact" in await one(conversation, "/compact", MEMBER)
    for text in ("/timezone Europe/Paris", "/remind tomorrow x", "/done 1", "/forget"):
        assert "Only this group's admins" in await one(conversation, text, MEMBER), text
    assert "Europe/London" in await one(conversation, "/timezone", MEMBER)


@pytest.mark.parametrize(
    "text",
    [
        "/done 99999999999999999999",
        "/done ²",
        "/item 99999999999999999999",
        "/cancel -3",
        "/notice 9223372036854775808 1 March 2027",
        "/step 1 ² today",
        "/feedback ٣",
        "/report 99999999999999999999",
    ],
)
async def test_ids_out_of_range_or_not_ascii_are_refused(
    conversation: Conversation, text: str, db: Database
) -> None:
    reply = await one(conversation, text)
    assert "Nothing was changed" in reply or "Say which" in reply or "not a year" in reply
    assert await db.log(GROUP) == []


def test_button_codec_round_trips_and_refuses_what_we_never_sent() -> None:
    for action in (
        buttons.RegistrationAnswer("confirm", "ab12"),
        buttons.ReminderAction("snooze", 42),
        buttons.ForgetAnswer(True, "ff00"),
    ):
        assert buttons.decode(buttons.encode(action)) == action
        assert len(buttons.encode(action).encode()) <= 64  # Telegram's callback_data limit
    for data in ("", "rem:done:", "rem:done:99999999999999999999", "rem:done:²", "rem:fly:3", "x"):
        assert buttons.decode(data) is None, data
    rows = buttons.reminder_buttons([5, 6])
    assert [b.label for b in rows[1]] == ["2: Done", "2: Snooze 1 day", "2: Stop reminders"]
    assert buttons.decode(rows[1][1].data) == buttons.ReminderAction("snooze", 6)


async def test_a_stale_or_foreign_button_changes_nothing(conversation: Conversation) -> None:
    reply = await conversation.handle_button(GROUP, ADMIN, "rem:done:12345", _yes)
    assert "no longer exists" in reply.text
    reply = await conversation.handle_button(GROUP, ADMIN, "nonsense", _yes)
    assert "old message" in reply.text


@pytest.mark.parametrize(
    ("given", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("AMERICA/ARGENTINA/BUENOS_AIRES", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("etc/gmt+5", "Etc/GMT+5"),
        # A city the zone database names, when it names one zone only.
        ("London", "Europe/London"),
        ("paris", "Europe/Paris"),
        ("New York", "America/New_York"),
        # Places in the UK the database names no zone after: the UK's one time.
        ("Edinburgh", "Europe/London"),
        ("Tunbridge Wells", "Europe/London"),
    ],
)
async def test_timezone_takes_real_zones_by_their_canonical_name(
    conversation: Conversation, db: Database, given: str, zone: str
) -> None:
    if given != "Europe/London":  # start elsewhere, so the change shows
        await one(conversation, "/timezone Asia/Tokyo")
    assert await one(conversation, f"/timezone {given}") == f"Time zone set to {zone}."
    assert (await db.chat_settings(GROUP)).timezone == zone
    assert zone in await one(conversation, "/timezone", MEMBER)


@pytest.mark.parametrize(
    "given",
    [
        "Europe",  # a directory of the zone database, not a zone
        "America/Argentina",
        "localtime",  # the machine's own setting, not a name that means the same everywhere
        "posixrules",
        "Factory",  # tzdata's "no zone" placeholder
        "Europe/Edinburgh",  # no such zone, though Edinburgh alone is a UK place
        "Europe/Lndon",
        "Louisville",  # two zones end so: ambiguous
        "GMT+5",  # Etc/GMT+5 is UTC-5: never guessed from a bare offset
        "Europe/Zürich",
        "Europe/London\u200b",
        "../../etc/passwd",
        "Europe/../Europe/London",
        "/usr/share/zoneinfo/Europe/London",
        "right/UTC",
        "posix/Europe/London",
        "A" * 65,
        "Europe/" + "x" * 60,
        "Europe/London Europe/Paris",
    ],
)
async def test_timezone_refuses_what_is_not_a_zone_and_changes_nothing(
    conversation: Conversation, db: Database, given: str
) -> None:
    await one(conversation, "/timezone Asia/Tokyo")
    reply = await one(conversation, f"/timezone {given}")
    assert "\n" not in reply and reply.endswith("Nothing was changed.")
    assert len(reply) < 200
    assert (await db.chat_settings(GROUP)).timezone == "Asia/Tokyo"
    assert await db.log(GROUP) == []


async def test_an_ambiguous_city_names_its_zones(conversation: Conversation) -> None:
    reply = await one(conversation, "/timezone louisville")
    assert "America/Kentucky/Louisville" in reply and "America/Louisville" in reply


async def test_lone_surrogates_are_replaced_and_stored(
    conversation: Conversation, db: Database
) -> None:
    """Text that is not valid Unicode (a lone surrogate, as a broken client can send in JSON)
    is stored with the bad characters replaced, instead of failing SQLite's UTF-8 write."""
    [reply] = await say(conversation, "/remind tomorrow chase the grant letter \udcff")
    assert reply.text.startswith("I'll remind this chat")
    [item] = await db.open_items(GROUP)
    assert item.title == "chase the grant letter ?"

    other = GROUP - 1
    msg = Incoming(
        other,
        ADMIN,
        "Ada \ud800",
        "/consultation Parks \udcff review, opens 1 Dec 2026, closes 23 Feb 2027, by KCC \udc80",
        private=False,
        is_admin=_yes,
        chat_title="Friends \udc80 of the Park",
    )
    [readback] = await conversation.handle_text(msg)
    assert "Is this right?" in readback.text
    confirm = readback.buttons[0][0].data
    done = await conversation.handle_button(other, ADMIN, confirm, _yes)
    assert done.text.startswith("Registered as item #2: Parks ? review")
    assert (await db.chat_settings(other)).title == "Friends ? of the Park"

    officer = Incoming(
        other, ADMIN, "Ada", "/officer add", False, _yes, reply_to_user=(77, "Bob \udcff")
    )
    [added] = await conversation.handle_text(officer)
    assert added.text.startswith("Bob ? is now an officer")
    assert [o.name for o in await db.officers(other)] == ["Bob ?"]

    stale = await conversation.handle_button(other, ADMIN, "reg:confirm:\udcff\ud800", _yes)
    assert "nothing was changed" in stale.text
    for text in ("\udcff", "/\udcff", "/remind \udcff", "/compact \udcff"):
        [answer, *_] = await say(conversation, text)
        assert answer.text.encode("utf-8")


async def test_one_member_flooding_a_group_is_slowed_not_everyone(
    db: Database, knowledge: Knowledge, clock: ManualClock
) -> None:
    conversation = Conversation(Core(knowledge, db, clock=clock))
    answered = [bool(await say(conversation, "/help", MEMBER)) for _ in range(10)]
    assert all(answered)
    [note] = await say(conversation, "/help", MEMBER)
    assert "pause for a minute" in note.text
    for _ in range(50):  # ignored, quietly, for a minute
        assert await say(conversation, "/help", MEMBER) == []
    assert await say(conversation, "/help", ADMIN)  # others in the group are still answered
    clock.advance(61)
    assert await say(conversation, "/help", MEMBER)  # and the member again after a minute


async def test_reminder_buttons_are_truthful_about_closed_items(
    conversation: Conversation, db: Database, clock: ManualClock
) -> None:
    await say(conversation, "/remind tomorrow chase the grant letter")
    [reminder] = await db.pending_reminders(GROUP)
    snooze = buttons.encode(buttons.ReminderAction("snooze", reminder.id))
    done = buttons.encode(buttons.ReminderAction("done", reminder.id))
    refused = await conversation.handle_button(GROUP, MEMBER, done, _no)
    assert "Only this group's admins" in refused.text
    assert (await db.item(GROUP, reminder.item_id or 0)).status == "open"  # type: ignore[union-attr]
    assert "Marked done" in (await conversation.handle_button(GROUP, ADMIN, done, _yes)).text
    again = await conversation.handle_button(GROUP, ADMIN, done, _yes)
    assert "already done" in again.text
    late = await conversation.handle_button(GROUP, ADMIN, snooze, _yes)
    assert "Not snoozed" in late.text and "Nothing was changed" in late.text
    stored = await db.reminder(GROUP, reminder.id)
    assert stored is not None and stored.status == "cancelled"  # not put back to pending


@pytest.mark.parametrize(
    "text", ["hi", "Hello!", "thanks", "Thank you very much", "what can you do?", "hey bot"]
)
async def test_first_contact_gets_a_short_introduction(
    conversation: Conversation, text: str
) -> None:
    msg = Incoming(7, 7, "Ann", text, private=True, is_admin=_yes)
    [reply] = await conversation.handle_text(msg)
    lines = reply.text.splitlines()
    assert len(lines) <= 5 and "/help" in reply.text and "/compact" in reply.text
    assert "I don't know" not in reply.text


async def test_a_chat_without_a_compact_is_offered_the_one_for_its_place(
    conversation: Conversation,
) -> None:
    msg = Incoming(7, 7, "Ann", "we're in Sevenoaks, which compact is that?", True, _yes)
    [reply] = await conversation.handle_text(msg)
    assert "West Kent Compact (/compact west-kent)" in reply.text
    assert reply.text.count("I don't know") == 0 and len(reply.text) < 400


@pytest.mark.parametrize(
    ("said", "follows"),
    [
        ("Kent 2011", ["kent-2011"]),
        ("west kent", ["west-kent"]),
        ("Kensington", ["rbkc"]),
        ("RBKC", ["rbkc"]),
        ("Perth & Kinross", ["perth-kinross"]),
        ("sevenoaks", ["west-kent"]),
        ("kent-2011 west-kent", ["kent-2011", "west-kent"]),
        ("Kent 2011 and West Kent", ["kent-2011", "west-kent"]),
    ],
)
async def test_compact_takes_codes_names_and_places(
    conversation: Conversation, db: Database, said: str, follows: list[str]
) -> None:
    assert "now follows" in await one(conversation, f"/compact {said}")
    assert (await db.chat_settings(GROUP)).compacts == follows


async def test_compact_asks_when_a_name_fits_several(
    conversation: Conversation, db: Database
) -> None:
    reply = await one(conversation, "/compact kent")
    assert "could be" in reply and "kent-2011" in reply and "west-kent" in reply
    assert "Nothing was changed" in reply
    assert (await db.chat_settings(GROUP)).compacts == []
