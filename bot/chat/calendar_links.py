"""``/calendar link`` and ``/calendar reset``: a secret address calendar apps subscribe to.

The address shows the chat's open deadlines and reminders to whoever has it, outside Telegram
and for as long as it lives, even after they leave the group: making one and revoking it are
for the group's admins and officers (everyone in a private chat), as is every change to what
the group keeps; anyone may still get the file with a bare ``/calendar``.  Only a hash of the
token is kept, so an address is shown once, when it is made; asked for in a group, it is sent
to the asker's private chat, never where every member sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat.messages import Incoming, Privately, Reply, anonymous_admin_id

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

FEED_PREFIX = "/calendar/"
FEED_SUFFIX = ".ics"
"""A feed's path is FEED_PREFIX + token + FEED_SUFFIX on the bot's HTTP server."""

USAGE = "/calendar link"

HOW_TO_SUBSCRIBE = (
    "Google Calendar: Other calendars → + → From URL. Outlook: Add calendar → Subscribe "
    "from web. Apple Calendar: File → New Calendar Subscription. Calendar apps fetch it again "
    "on their own schedule (Google every few hours)."
)

NO_SERVER = (
    "This bot serves no calendar feed: whoever runs it has not given it an address calendar "
    "apps can reach (COMPACTBOT_HTTP, and COMPACTBOT_PUBLIC_URL when it listens on every "
    "address). "
    "/calendar sends the deadlines as a file instead. Nothing was changed."
)


def feed_url(base: str, token: str) -> str:
    """The address of the feed ``token`` opens, on the server at ``base``."""
    return f"{base.rstrip('/')}{FEED_PREFIX}{token}{FEED_SUFFIX}"


async def command(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    """``/calendar link`` or ``/calendar reset`` (the caller has checked the sender's rights)."""
    action = args.split()[0].lower()
    if action not in ("link", "reset"):
        return [
            Reply(
                f"/calendar takes 'link' or 'reset', not '{action[:20]}'. For example: "
                f"{USAGE}. Nothing was changed."
            )
        ]
    base = conv.feed_base
    if base is None:
        return [Reply(NO_SERVER)]
    if not msg.private and msg.user_id == anonymous_admin_id(msg.chat_id):
        return [Reply(ANONYMOUS)]
    if action == "reset":
        made = await conv.core.reset_calendar_link(msg.chat_id, msg.user_id)
        assert made.token is not None
        first = (
            "Done: the old address no longer works (calendars subscribed to it stop "
            "updating: remove them). The new one:"
            if made.revoked
            else "There was no address to revoke. A new one:"
        )
        return [_shown(msg, first, feed_url(base, made.token))]
    made = await conv.core.calendar_link(msg.chat_id, msg.user_id)
    if made.token is None:
        when = made.created_at.astimezone(await conv.core.timezone(msg.chat_id))
        return [
            Reply(
                f"This chat has a calendar feed already, made on {when.day} {when:%B %Y}. "
                "I keep only a fingerprint of its address, so I can't show it again: copy it "
                "from a calendar that subscribed to it, or /calendar reset to revoke it and get "
                "a new one (calendars subscribed to the old one then stop updating)."
            )
        ]
    return [
        _shown(
            msg,
            "This chat's deadlines and reminders as a calendar feed: subscribe to this "
            "address in your calendar app and it keeps itself up to date.",
            feed_url(base, made.token),
        )
    ]


ANONYMOUS = (
    "The address is sent privately to whoever asks for it, and you are writing as the group "
    "(an anonymous admin), so I can't tell whom to send it to. Turn off 'Remain anonymous' "
    "in your admin rights and ask again. Nothing was changed."
)

SENT = "I've sent you the feed address in a private message (it is not shown in the group)."

UNREACHABLE = (
    "I can't message you privately until you start a chat with me: open my profile, press "
    "Start, then send /calendar reset here for an address (I show each one only once, so "
    "the one just made has not been shown to anyone)."
)


def _shown(msg: Incoming, first: str, url: str) -> Reply:
    where = "the group" if not msg.private else "this chat"
    return Reply(
        f"{first}\n\n{url}\n\n{HOW_TO_SUBSCRIBE}\n"
        f"Keep it to yourself and {where}: anyone with the address sees the deadlines, "
        "without being in the chat. I show it only this once. /calendar reset revokes it and "
        "gives a new one.",
        # Telegram would fetch the address to show a preview: it is nobody else's business.
        link_preview=False,
        # In a group every member (and anyone who joins later) could read it: only the
        # person who asked gets it.
        privately=None if msg.private else Privately(SENT, UNREACHABLE),
    )
