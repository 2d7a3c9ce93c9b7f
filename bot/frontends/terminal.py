"""The terminal chat: the same core and commands as Telegram, one admin user in one chat.

Reads lines from stdin until EOF, so it can be scripted:
    printf 'how long must a consultation be?\n' | compactbot chat
Buttons are shown as [labels]; type a label (e.g. "confirm") to press it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from bot.chat.conversation import Conversation, Incoming, Reply
from bot.lifecycle import running_core
from bot.settings import Settings

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


async def chat_loop(
    conversation: Conversation, stdin: TextIO, out: TextIO, files_dir: Path = Path(".")
) -> None:
    loop = asyncio.get_running_loop()
    buttons: dict[str, str] = {}
    while True:
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        if text.lower() in buttons:
            reply = await conversation.handle_button(CHAT_ID, USER_ID, buttons[text.lower()], _yes)
            buttons = _show(reply, out, files_dir)
            continue
        msg = Incoming(
            chat_id=CHAT_ID,
            user_id=USER_ID,
            user_name="you",
            text=text,
            private=True,
            is_admin=_yes,
            chat_title="terminal",
        )
        buttons = {}
        for reply in await conversation.handle_text(msg):
            buttons.update(_show(reply, out, files_dir))


async def run_terminal(settings: Settings, stdin: TextIO, out: TextIO) -> int:
    async with running_core(settings, TerminalNotifier(out)) as (_core, conversation):
        if stdin.isatty():
            out.write("compactbot terminal chat – type /help, or a question. Ctrl-D to quit.\n")
        await chat_loop(conversation, stdin, out, settings.files_dir)
    return 0
