"""/letter ID: a letter citing the Compact, for an item below it or a complaint's next step.

The core builds, renders and logs it; this module reads the id and says what came back:
the letter as a message and as a .docx, or one line saying why there is none.  It is an
admins' command (see ``bot.chat.commands``): each letter is logged in the item's history,
and like every entry of that log it is made by someone who may act for the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat import arguments
from bot.chat.messages import Attachment, Incoming, Reply
from bot.core import FollowUpError
from bot.records.letter_text import LetterTemplateError, chat_text
from bot.records.letters import LetterRefused

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation

EXAMPLE = "/letter 3"


def _line(problem: object) -> str:
    return str(problem).rstrip(".") + "."


async def letter(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    first = args.split()[0] if args.split() else ""
    wanted = arguments.item_id(first)
    if wanted is None:
        said = f"{first[:20]} is not an item number" if first else "Say which item"
        return [Reply(f"{said}, e.g. {EXAMPLE} (numbers are in /list). Nothing was changed.")]
    try:
        written = await conv.core.write_letters(msg.chat_id, wanted, msg.user_id)
    except (FollowUpError, LetterRefused, LetterTemplateError) as exc:
        return [Reply(f"{_line(exc)} No letter was written.")]
    replies = []
    for w in written:
        step = f" (step {w.letter.step} of the complaint)" if w.letter.step else ""
        head = (
            f"A letter for item #{wanted} to {w.letter.recipient}{step}, logged in its history "
            "(/item). Fill in the [BRACKETED] parts and check it before you send it; the Word "
            "file is the same letter."
        )
        replies.append(
            Reply(
                f"{head}\n\n{chat_text(w.text)}",
                files=[Attachment(w.filename, w.docx, "The letter as a Word document")],
            )
        )
    return replies
