"""The Telegram front end: a python-telegram-bot Application around the conversation.

Long polling by default, a webhook when COMPACTBOT_WEBHOOK_URL is set (listening on
COMPACTBOT_WEBHOOK_LISTEN, loopback by default, behind a reverse proxy; every request must
carry the secret Telegram was given).  Reminders
are not PTB jobs (those live in memory only): the database-backed scheduler sends
them through ``TelegramNotifier``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sys
import urllib.parse
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.chat.commands import menu
from bot.chat.conversation import Conversation, Incoming, Reply
from bot.chat.messages import Button, Card, after_failure, anonymous_admin_id
from bot.clock import Clock, SystemClock
from bot.core import Core, stored_in_this_update
from bot.frontends import logs
from bot.frontends.http_server import http_serving
from bot.frontends.telegram_inbox import ChatOrderedProcessor, Inbox, InboxQueue, sweep
from bot.frontends.telegram_notifier import TelegramNotifier, inline_keyboard, retry_seconds
from bot.lifecycle import Running, running_core
from bot.settings import Settings
from storage.repository import TurnLost

log = logging.getLogger(__name__)

T = TypeVar("T")

CONVERSATION = "conversation"
CORE = "core"
RUNNING = "running"
INBOX = "inbox"
HTTP = "http"
_CORE_CONTEXT = "core_context"
_SWEEP = "inbox_sweep"


class AdminCache:
    """Chat administrators from Telegram, kept for a short while to spare API calls."""

    def __init__(self, ttl: float, clock: Clock | None = None) -> None:
        self.ttl = ttl
        self._clock = clock or SystemClock()
        self._cache: dict[int, tuple[float, frozenset[int]]] = {}

    async def is_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        chat = update.effective_chat
        message = update.effective_message
        if chat is None:
            return False
        if chat.type == ChatType.PRIVATE:
            return True
        # An anonymous admin posts as the group itself.
        if (
            message is not None
            and message.sender_chat is not None
            and message.sender_chat.id == chat.id
        ):
            return True
        user = update.effective_user
        if user is None:
            return False
        cached = self._cache.get(chat.id)
        if cached is None or self._clock.monotonic() - cached[0] > self.ttl:
            admins = await context.bot.get_chat_administrators(chat.id)
            cached = (self._clock.monotonic(), frozenset(a.user.id for a in admins))
            self._cache[chat.id] = cached
        return user.id in cached[1]


EDIT_NOTE = (
    "I don't read edited messages again. Nothing was changed: please send a new message instead."
)
EDITS_REMEMBERED = 1000
"""Edited messages already answered with the note (oldest forgotten first)."""

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram refuses messages over 4,096 characters: split at line breaks where possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def keyboard_of(message: Message | None) -> tuple[tuple[Button, ...], ...]:
    """A message's inline keyboard as our buttons (those that send data back)."""
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return ()
    return tuple(
        tuple(Button(b.text, b.callback_data) for b in row if isinstance(b.callback_data, str))
        for row in markup.inline_keyboard
    )


def _markup(reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
    if reply.buttons:
        return inline_keyboard(reply.buttons)
    if reply.ask_reply:
        return ForceReply(selective=True)
    return None


def _addressed(message: Message, bot_username: str, bot_id: int) -> bool:
    text = message.text or ""
    if text.startswith("/"):
        return True
    if f"@{bot_username}".lower() in text.lower():
        return True
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


def _sender(message: Message) -> tuple[int, str]:
    """Who a message is from, as the conversation knows people: (user id, name).

    An anonymous admin's message comes from GroupAnonymousBot (one id for every group)
    on behalf of the group: it is the group's anonymous-admin identity.  A message on behalf
    of another chat (a linked channel) is that chat.
    """
    chat = message.chat
    sender_chat = message.sender_chat
    if sender_chat is not None:
        if sender_chat.id == chat.id:
            return anonymous_admin_id(chat.id), f"an anonymous admin of {chat.title or 'the group'}"
        return sender_chat.id, sender_chat.title or "a channel"
    user = message.from_user
    if user is None:
        return chat.id, chat.title or "someone"
    return user.id, user.full_name


async def start_core(
    app: Application,  # type: ignore[type-arg]
    settings: Settings,
    clock: Clock | None = None,
) -> None:
    """Open the database and start the scheduler; set the command menu.

    ``run_polling`` calls this through ``post_init``; code that drives the
    Application's lifecycle itself calls it after ``initialize()``.
    """
    clock = clock or settings.clock()
    ctx = running_core(settings, TelegramNotifier(app.bot), clock=clock)
    running = await ctx.__aenter__()
    app.bot_data[_CORE_CONTEXT] = ctx
    app.bot_data[RUNNING] = running
    app.bot_data[CORE] = running.core
    app.bot_data[CONVERSATION] = running.conversation
    inbox: Inbox = app.bot_data[INBOX]
    inbox.attach(running.core.db)
    await inbox.prune()
    assert isinstance(app.update_queue, InboxQueue)
    if inbox.shared:
        # Other workers share the inbox: what they kept is theirs to handle, unless they
        # died before handling it (the sweep takes those up once they have waited).
        app.bot_data[_SWEEP] = asyncio.create_task(
            sweep(inbox, app.update_queue, app.bot, clock, settings.inbox_sweep_seconds),
            name="inbox-sweep",
        )
    else:
        # Updates kept but not handled when the bot last stopped (or was killed) go first.
        unfinished = await inbox.unfinished(app.bot)
        if unfinished:
            log.warning("handling %d updates left unfinished by the last run", len(unfinished))
        app.update_queue.replay(unfinished)
    serving = http_serving(settings, running.core, running.conversation, clock)
    await serving.__aenter__()
    app.bot_data[HTTP] = serving
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in menu()])


async def stop_core(app: Application) -> None:  # type: ignore[type-arg]
    """Stop the scheduler (its claims given back) and close the database
    (``post_shutdown``)."""
    sweeper = app.bot_data.pop(_SWEEP, None)
    if sweeper is not None:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
    serving = app.bot_data.pop(HTTP, None)
    if serving is not None:
        await serving.__aexit__(None, None, None)
    ctx = app.bot_data.pop(_CORE_CONTEXT, None)
    if ctx is not None:
        app.bot_data[INBOX].detach()
        await ctx.__aexit__(None, None, None)


def build_application(
    settings: Settings,
    admin_cache: AdminCache | None = None,
    *,
    clock: Clock | None = None,
) -> Application:  # type: ignore[type-arg]
    """The Application with our handlers; the core starts in post_init, stops in post_shutdown.

    No PTB rate limiter: replies and reminders share our one limiter (``OutgoingQueue``),
    so Telegram's limits hold for the bot as a whole and a ``retry_after`` pauses both."""
    inbox = Inbox()
    processor = ChatOrderedProcessor(inbox)
    timeout = settings.api_timeout
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token or "")
        .update_queue(InboxQueue(inbox))
        .concurrent_updates(processor)
        # Telegram under load answers slowly; a short read timeout re-sends what arrived.
        .read_timeout(timeout)
        .write_timeout(timeout)
        .connect_timeout(min(timeout, 10.0))
        .pool_timeout(timeout)
        .get_updates_read_timeout(timeout + 30)
    )
    if settings.api_url:
        builder = builder.base_url(settings.api_url)
    clock = clock or settings.clock()
    admins = admin_cache or AdminCache(settings.admin_cache_seconds, clock)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await start_core(app, settings, clock)

    application = builder.post_init(post_init).post_shutdown(stop_core).build()
    application.bot_data[INBOX] = inbox
    processor.application = application

    def checker(
        update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return await admins.is_admin(update, context)

        return check

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or message.text is None:
            return
        conversation: Conversation = context.bot_data[CONVERSATION]
        user_id, user_name = _sender(message)
        replied = message.reply_to_message
        reply_to_user = None
        if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
            reply_to_user = (replied.from_user.id, replied.from_user.full_name)
        text = (
            message.text.replace(f"@{context.bot.username}", "").strip()
            if not message.text.startswith("/")
            else message.text
        )
        incoming = Incoming(
            chat_id=chat.id,
            user_id=user_id,
            user_name=user_name,
            text=text,
            private=chat.type == ChatType.PRIVATE,
            is_admin=checker(update, context),
            addressed=_addressed(message, context.bot.username, context.bot.id),
            reply_to_user=reply_to_user,
            chat_title=chat.title,
        )
        running: Running = context.bot_data[RUNNING]
        try:
            replies = await conversation.handle_text(incoming)
            for reply in replies:
                await send_reply(running, message, reply)
        except Exception:
            await report_failure(running, update)

    noted_edits: OrderedDict[tuple[int, int], None] = OrderedDict()

    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message is never read again (it would run its command twice): the
        first edit of a message meant for the bot gets a note saying so; the rest, nothing."""
        message = update.edited_message
        if message is None or message.text is None:
            return
        private = message.chat.type == ChatType.PRIVATE
        if not private and not _addressed(message, context.bot.username, context.bot.id):
            return
        key = (message.chat.id, message.message_id)
        if key in noted_edits:
            return
        noted_edits[key] = None
        while len(noted_edits) > EDITS_REMEMBERED:
            noted_edits.popitem(last=False)
        running: Running = context.bot_data[RUNNING]
        await limited(running, message.chat.id, lambda: message.reply_text(EDIT_NOTE))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None or query.data is None:
            return
        conversation: Conversation = context.bot_data[CONVERSATION]
        running: Running = context.bot_data[RUNNING]
        try:
            pressed = query.message if isinstance(query.message, Message) else None
            reply = await conversation.handle_button(
                chat.id,
                query.from_user.id,
                query.data,
                checker(update, context),
                message_text=pressed.text if pressed else None,
                keyboard=keyboard_of(pressed),
            )
            if reply.notice:
                # Nothing changed (a stale or second press, no rights): say so on the button
                # to the presser alone, and leave the message, and what it records, as it is.
                await query.answer(reply.text[:NOTICE_LIMIT])
                return
            await query.answer()
            if reply.edit:
                await edit_reply(running, query, reply)
            elif isinstance(query.message, Message):
                await send_reply(running, query.message, reply)
        except Exception:
            await report_failure(running, update)

    async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``@bot 12 weeks`` typed in any chat: clause cards, for this user alone."""
        query = update.inline_query
        if query is None:
            return
        conversation: Conversation = context.bot_data[CONVERSATION]
        try:
            cards = await conversation.handle_inline(
                query.from_user.id, query.query, context.bot.username
            )
            await query.answer(
                [inline_result(card) for card in cards],
                cache_time=INLINE_CACHE_SECONDS,
                is_personal=True,
            )
        except Exception:  # nobody to tell: the query expires unanswered
            log.exception("error answering inline query %s", update.update_id)

    async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group upgraded to a supergroup: Telegram says so in both chats."""
        message = update.effective_message
        if message is None:
            return
        conversation: Conversation = context.bot_data[CONVERSATION]
        if message.migrate_to_chat_id:
            await conversation.chat_moved(message.chat.id, message.migrate_to_chat_id)
        elif message.migrate_from_chat_id:
            await conversation.chat_moved(message.migrate_from_chat_id, message.chat.id)

    async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        core: Core = context.bot_data[CORE]
        status = change.new_chat_member.status
        if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            await core.chat_left(change.chat.id, f"bot {status}")
        elif status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
            await core.chat_joined(change.chat.id, change.chat.title)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Our handlers report their own failures; this is for anything outside them.
        log.error("error handling update", exc_info=context.error)

    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    # New messages only: PTB's MessageHandler also receives edits (and channel posts).
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_message))
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, on_edit)
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline))
    application.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(on_error)
    return application


async def limited(running: Running, chat_id: int, call: Callable[[], Awaitable[T]]) -> T:
    """Make one Bot API call through the bot's one limiter; a "retry after" from Telegram
    holds back every chat (reminders too), then the call is made again."""
    for attempt in range(3):
        await running.outgoing.acquire(chat_id)
        try:
            return await call()
        except RetryAfter as exc:
            await running.outgoing.flood_wait(retry_seconds(exc), chat_id)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


INLINE_CACHE_SECONDS = 300
"""How long Telegram may keep one user's cards for the same query (is_personal): a change
of their chats' Compacts shows within five minutes."""


def inline_result(card: Card) -> InlineQueryResultArticle:
    """A card as Telegram's article result: chosen, its text is sent as a plain message."""
    return InlineQueryResultArticle(
        id=card.id,
        title=card.title,
        description=card.description,
        input_message_content=InputTextMessageContent(card.text, link_preview_options=NO_PREVIEW),
    )


NOTICE_LIMIT = 200
"""Telegram shows at most 200 characters in a button's notice."""


async def edit_reply(running: Running, query: CallbackQuery, reply: Reply) -> None:
    """A button's reply: the pressed message edited to its first part; any further parts
    (a verdict under five Compacts runs past 4,096 characters) sent after it, buttons on
    the last."""
    chat_id = query.message.chat.id if query.message else 0
    first, *rest = split_message(reply.text)
    markup = _markup(reply)
    keyboard = markup if isinstance(markup, InlineKeyboardMarkup) else None
    try:
        edit = partial(query.edit_message_text, first, reply_markup=None if rest else keyboard)
        await limited(running, chat_id, edit)
    except BadRequest as exc:
        # A second press that earns the same answer: the message already says it.
        if "not modified" not in exc.message:
            raise
    bot = query.get_bot()
    for n, part in enumerate(rest, start=1):
        last = n == len(rest)
        send = partial(bot.send_message, chat_id, part, reply_markup=keyboard if last else None)
        await limited(running, chat_id, send)


async def send_reply(running: Running, message: Message, reply: Reply) -> None:
    """A reply in as many messages as Telegram's length limit needs, then its files."""
    if reply.privately is not None:
        await _send_privately(running, message, reply)
        return
    chat_id = message.chat.id
    preview = None if reply.link_preview else NO_PREVIEW
    *first, last = split_message(reply.text)
    for part in first:
        await limited(
            running, chat_id, partial(message.reply_text, part, link_preview_options=preview)
        )
    await limited(
        running,
        chat_id,
        partial(
            message.reply_text, last, reply_markup=_markup(reply), link_preview_options=preview
        ),
    )
    for attachment in reply.files:
        document = InputFile(attachment.content, filename=attachment.filename)
        caption = attachment.caption or None
        await limited(running, chat_id, partial(message.reply_document, document, caption=caption))


async def _send_privately(running: Running, message: Message, reply: Reply) -> None:
    """``reply`` to the sender's private chat, and a line where they asked saying whether it
    went (Telegram refuses with 403 to a user who never started a chat with the bot)."""
    assert reply.privately is not None
    user = message.from_user
    said = reply.privately.if_unreachable
    if user is not None and not user.is_bot:
        preview = None if reply.link_preview else NO_PREVIEW
        try:
            for part in split_message(reply.text):
                send = partial(
                    message.get_bot().send_message, user.id, part, link_preview_options=preview
                )
                await limited(running, user.id, send)
            said = reply.privately.said_here
        except Forbidden:
            log.info("user %s has no private chat with the bot", user.id)
    await limited(running, message.chat.id, partial(message.reply_text, said))


async def report_failure(running: Running, update: Update) -> None:
    """Tell the user, truthfully, what was stored before handling their update failed;
    nothing when the chat's turn was lost (the worker that has it now handles the update)."""
    if isinstance(sys.exc_info()[1], TurnLost):
        log.warning("update %s: %s", update.update_id, sys.exc_info()[1])
        return
    log.exception("error handling update %s", update.update_id)
    chat = update.effective_chat
    if chat is None:
        return
    text = after_failure(stored_in_this_update())
    try:
        await limited(running, chat.id, lambda: running_send(update, text))
    except Exception:  # the failure may be that we cannot send at all
        log.warning("could not tell chat %s about the failure", chat.id, exc_info=True)


async def running_send(update: Update, text: str) -> object:
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # it may have been answered already
            await update.callback_query.answer()
    assert update.effective_chat is not None
    return await update.get_bot().send_message(update.effective_chat.id, text)


@dataclass(frozen=True)
class Webhook:
    """How the webhook server listens, and what Telegram is told with setWebhook.

    Telegram sends ``secret_token`` in the X-Telegram-Bot-Api-Secret-Token header of every
    update; PTB's server refuses a request without it (403) before anything reads it.
    """

    url: str
    """The public URL Telegram posts to (HTTPS, usually a reverse proxy)."""
    listen: str
    port: int
    secret_token: str
    url_path: str
    """The path the server answers on: the public URL's, as a proxy passes it on."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Webhook:
        """The configured webhook; a fresh random secret when none is configured."""
        if not settings.webhook_url:
            raise ValueError("no webhook URL is configured (COMPACTBOT_WEBHOOK_URL)")
        return cls(
            url=settings.webhook_url,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            secret_token=settings.webhook_secret or secrets.token_urlsafe(32),
            url_path=urllib.parse.urlsplit(settings.webhook_url).path.strip("/"),
        )

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of both ``Application.run_webhook`` and ``Updater.start_webhook``."""
        return {
            "listen": self.listen,
            "port": self.port,
            "url_path": self.url_path,
            "webhook_url": self.url,
            "secret_token": self.secret_token,
            "allowed_updates": Update.ALL_TYPES,
        }


@asynccontextmanager
async def webhook_running(
    settings: Settings, webhook: Webhook | None = None, *, clock: Clock | None = None
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bot receiving updates by webhook inside an event loop someone else runs.

    The same steps, in the same order, as ``run_webhook`` (initialize, post_init,
    ``updater.start_webhook``, start; and back), with the same arguments.
    """
    webhook = webhook or Webhook.from_settings(settings)
    app = build_application(settings, clock=clock)
    assert app.updater is not None
    async with app:
        await start_core(app, settings, clock)
        try:
            await app.updater.start_webhook(**webhook.arguments())
            await app.start()
            try:
                yield app
            finally:
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
        finally:
            await stop_core(app)


def run_telegram(settings: Settings) -> None:
    """Run until interrupted: long polling, or a webhook when one is configured."""
    webhook = Webhook.from_settings(settings) if settings.webhook_url else None
    logs.configure(
        settings.log_level,
        [settings.telegram_bot_token or "", webhook.secret_token if webhook else ""],
    )
    application = build_application(settings)
    if webhook is not None:
        application.run_webhook(**webhook.arguments())
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
