"""The terminal chat: the same core and commands as Telegram, one admin user in one chat.

Reads lines from stdin until EOF, so it can be scripted:
    printf 'how long must a consultation be?\n' | compactbot chat
Buttons are shown as [labels]; type a label (e.g. "confirm") to press it.

One line is one message.  A message of several lines (a registration pasted with its fields
on lines of their own, as in Telegram) goes between two lines holding only three double
quotes (``BLOCK``), or runs on while a line ends with a backslash (README, "Terminal chat").
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path
from typing import TextIO

from bot.chat.conversation import Conversation, Incoming, Reply
from bot.chat.messages import after_failure
from bot.core import handling_update
from bot.lifecycle import running_core
from bot.settings import Settings

log = logging.getLogger(__name__)

CHAT_ID = 1
USER_ID = 1


class TerminalNotifier:
    """Prints reminders to a stream (the terminal chat)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        self._stream.write(f"[chat {chat_id}] {text}\n")
        self._stream.flush()


async def _yes() -> bool:
    return True


def _show(reply: Reply, out: TextIO, files_dir: Path) -> dict[str, str]:
    out.write(reply.text + "\n")
    for attachment in reply.files:
        # The terminal has no attachments: files are saved, and their path shown.
        files_dir.mkdir(parents=True, exist_ok=True)
        path = files_dir / attachment.filename
        path.write_bytes(attachment.content)
        about = f" – {attachment.caption}" if attachment.caption else ""
        out.write(f"Saved {path}{about}\n")
    buttons = {b.label.lower(): b.data for row in reply.buttons for b in row}
    if buttons:
        out.write("  " + "  ".join(f"[{b.label}]" for row in reply.buttons for b in row) + "\n")
    out.flush()
    return buttons


BLOCK = '"""'
"""A line holding only this starts, and another ends, a message of several lines."""


async def _read_message(stdin: TextIO) -> str | None:
    """The next message: one line, a block between two ``BLOCK`` lines, or lines joined
    while each ends with a backslash. None at the end of input."""
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, stdin.readline)
    if not line:
        return None
    if line.strip() == BLOCK:
        lines: list[str] = []
        while (more := await loop.run_in_executor(None, stdin.readline)) and (
            more.strip() != BLOCK
        ):
            lines.append(more.rstrip("\n"))
        return "\n".join(lines)
    lines = [line.rstrip("\n")]
    while lines[-1].rstrip().endswith("\\"):
        lines[-1] = lines[-1].rstrip()[:-1]
        more = await loop.run_in_executor(None, stdin.readline)
        if not more:
            break
        lines.append(more.rstrip("\n"))
    return "\n".join(lines)


async def chat_loop(
    conversation: Conversation, stdin: TextIO, out: TextIO, files_dir: Path = Path(".")
) -> None:
    buttons: dict[str, str] = {}
    for number in itertools.count(1):
        message = await _read_message(stdin)
        if message is None:
            return
        text = message.strip()
        if not text:
            continue
        stored = handling_update(f"terminal-{id(stdin)}-{number}")
        try:
            buttons = await _handle(conversation, text, buttons, out, files_dir)
        except Exception:  # one line for the user, the details in the log; keep going
            log.exception("error handling %r", text[:80])
            buttons = _show(Reply(after_failure(stored)), out, files_dir)


async def _handle(
    conversation: Conversation,
    text: str,
    buttons: dict[str, str],
    out: TextIO,
    files_dir: Path,
) -> dict[str, str]:
    """Handle one line; returns the buttons now on screen."""
    if text.lower() in buttons:
        reply = await conversation.handle_button(CHAT_ID, USER_ID, buttons[text.lower()], _yes)
        return _show(reply, out, files_dir)
    msg = Incoming(
        chat_id=CHAT_ID,
        user_id=USER_ID,
        user_name="you",
        text=text,
        private=True,
        is_admin=_yes,
        chat_title="terminal",
    )
    shown: dict[str, str] = {}
    for reply in await conversation.handle_text(msg):
        shown.update(_show(reply, out, files_dir))
    return shown


async def run_terminal(settings: Settings, stdin: TextIO, out: TextIO) -> int:
    async with running_core(settings, TerminalNotifier(out)) as running:
        if stdin.isatty():
            out.write("compactbot terminal chat – type /help, or a question. Ctrl-D to quit.\n")
        if settings.http_address() is None:
            await chat_loop(running.conversation, stdin, out, settings.files_dir)
            return 0
        # COMPACTBOT_HTTP: /healthz and the calendar feeds, for as long as the chat runs.
        from bot.frontends.http_server import http_serving

        core = running.core
        async with http_serving(settings, core, running.conversation, core.clock):
            await chat_loop(running.conversation, stdin, out, settings.files_dir)
    return 0
