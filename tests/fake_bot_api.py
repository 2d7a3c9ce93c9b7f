"""A loopback fake of the Telegram Bot API for end-to-end tests.

The real python-telegram-bot ``Application`` (its httpx request layer, its long-polling
``Updater``, its handlers) talks to this server over 127.0.0.1 exactly as it would talk to
``api.telegram.org``; nothing leaves the machine.

Typical use::

    async with running_fake_api() as api:
        api.add_chat(-100123, type="supergroup", title="Friends of the Park")
        app = application_builder(api).build()
        app.add_handler(CommandHandler("start", start))
        async with polling_application(app):
            await api.send_text(-100123, 42, "/start")
            reply = await api.wait_for_message(-100123)

Once the bot calls ``setWebhook``, updates are no longer held for ``getUpdates`` (which then
fails with 409, as on Telegram): each is POSTed to the webhook as it is queued, with the
registered secret in ``X-Telegram-Bot-Api-Secret-Token``; ``post_to_webhook`` posts one by
hand (say, with a wrong secret) and ``text_update`` builds one without queueing it.

The server is a small HTTP/1.1 implementation on :func:`asyncio.start_server` (keep-alive,
``Content-Length`` and chunked bodies; JSON, ``application/x-www-form-urlencoded`` and
``multipart/form-data`` payloads). PTB sends form-encoded bodies whose non-string values are
JSON-encoded, and multipart bodies when files are uploaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import html
import itertools
import json
import logging
import re
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import HTTP
from typing import Any

import httpx
from telegram.ext import Application, ApplicationBuilder

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeBotApi",
    "InlineAnswer",
    "SentMessage",
    "UploadedFile",
    "WebhookDelivery",
    "WebhookRegistration",
    "application_builder",
    "polling_application",
    "running_fake_api",
]

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]

#: Token whose numeric prefix matches the fake's default bot id.
DEFAULT_TOKEN = "123:ABC"

# Telegram's service accounts that appear as ``from`` on messages sent on behalf of a chat.
_GROUP_ANONYMOUS_BOT: JSONDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_CHANNEL_BOT: JSONDict = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}

# Form/multipart values are strings; PTB JSON-encodes every non-string value. These parameters
# are *always* strings in the Bot API, so they must not be JSON-decoded even when they look
# like numbers or literals (a callback_query_id such as "12345", a message text of "true").
_STRING_FIELDS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "certificate",
        "currency",
        "custom_title",
        "data",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "inline_message_id",
        "inline_query_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "provider_token",
        "query",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "sticker_set_name",
        "switch_inline_query",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)

# Methods that deliver something into a chat: these fail with 403 once the bot is blocked,
# kicked or removed, as the real API does.
_CHAT_DELIVERY_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendchataction",
        "editmessagetext",
        "editmessagereplymarkup",
    }
)

# By default Telegram withholds these update types unless explicitly requested.
_NOT_DEFAULT_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request: fake failure",
    401: "Unauthorized",
    403: "Forbidden: bot was kicked from the group chat",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_HTTP_REASONS: dict[int, str] = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "tg-time",
        "u",
    }
)
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?>")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")
_API_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
_FILE_PATH_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")

_MAX_MESSAGE_LENGTH = 4096
_WEBHOOK_ATTEMPTS = 100
_MAX_BODY = 64 * 1024 * 1024


class ApiError(Exception):
    """An error the fake answers with, shaped like a Bot API error response."""

    def __init__(
        self, error_code: int, description: str, parameters: JSONDict | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSONDict:
        """The Bot API response body for this error."""
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class UploadedFile:
    """One file part of a multipart upload."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass
class ApiCall:
    """One request the bot made, successful or not."""

    method: str
    params: JSONDict
    files: dict[str, UploadedFile] = field(default_factory=dict)
    http_method: str = "POST"
    #: The error body returned instead of a result, if the call failed.
    error: JSONDict | None = None
    #: The ``result`` returned, if the call succeeded.
    result: Any = None


@dataclass
class SentMessage:
    """A message the bot sent or edited (``sendMessage``, ``sendDocument``, ``editMessage*``)."""

    method: str
    chat_id: int
    message_id: int
    #: Text exactly as the bot sent it (with HTML markup, if any); the caption for documents.
    text: str | None
    #: ``reply_markup`` as sent (decoded JSON), or ``None``.
    reply_markup: JSONDict | None
    params: JSONDict
    #: ``text`` with HTML tags stripped and entities unescaped, as a user would see it.
    plain_text: str | None = None
    document: UploadedFile | None = None
    seq: int = 0
    #: When the fake received it (``time.monotonic()``): to check the bot's rate limits.
    at: float = 0.0

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline keyboard buttons, row by row, as ``(text, callback_data or url)``."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            (button.get("text", ""), button.get("callback_data", button.get("url")))
            for row in rows
            for button in row
        ]


@dataclass
class WebhookRegistration:
    """What the bot registered with ``setWebhook``."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None


@dataclass
class InlineAnswer:
    """The bot's ``answerInlineQuery`` to one inline query (``send_inline_query``)."""

    inline_query_id: str
    #: The results as sent (decoded JSON): for an article, ``title``, ``description`` and
    #: ``input_message_content`` with the ``message_text`` a user sends by choosing it.
    results: list[JSONDict]
    cache_time: int | None
    is_personal: bool
    next_offset: str | None

    @property
    def texts(self) -> list[str]:
        """The text each result sends when chosen, in order."""
        return [
            str((r.get("input_message_content") or {}).get("message_text", ""))
            for r in self.results
        ]


@dataclass
class WebhookDelivery:
    """One update the fake POSTed to the webhook, and the HTTP status it got back."""

    update_id: int
    status: int


@dataclass
class _Failure:
    method: str
    chat_id: int | None
    error: ApiError
    remaining: int


@dataclass
class _Delay:
    method: str
    chat_id: int | None
    seconds: float
    remaining: int


@dataclass
class _Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    received: float = 0.0
    """``time.monotonic()`` when its first line had arrived."""


_RECEIVED: contextvars.ContextVar[float | None] = contextvars.ContextVar("received", default=None)


def _utf16_len(text: str) -> int:
    # Telegram measures entity offsets and lengths in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _decode_value(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _html_to_plain(text: str) -> str:
    """Validate Telegram-flavoured HTML like the real API, returning the visible text."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) != -1:
        out.append(text[pos:start])
        byte_offset = len(text[:start].encode("utf-8"))
        match = _HTML_TAG_RE.match(text, start)
        if match is None:
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Unsupported start tag "
                f'"{text[start + 1 : start + 8]}" at byte offset {byte_offset}',
            )
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{tag}" '
                f"at byte offset {byte_offset}",
            )
        if closing:
            if not stack or stack[-1] != tag:
                expected = f'expected "</{stack[-1]}>", ' if stack else ""
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{byte_offset}, {expected}found "</{tag}>"',
                )
            stack.pop()
        else:
            stack.append(tag)
        pos = match.end()
    out.append(text[pos:])
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start "
            f'tag "{stack[-1]}"',
        )
    return html.unescape("".join(out))


class FakeBotApi:
    """In-process fake Bot API server; see the module docstring.

    Chats must be known before the bot can talk to them (``add_chat``; ``send_text`` and
    ``add_bot`` register unknown chats on the fly), as with the real API's "chat not found".
    """

    def __init__(
        self,
        *,
        bot_id: int | None = None,
        bot_username: str = "CompactTestBot",
        bot_first_name: str = "Compact Test Bot",
        token: str | None = None,
    ) -> None:
        """Create a stopped server.

        Args:
            bot_id: the bot's user id; defaults to the numeric prefix of ``token`` or 123.
            bot_username: username returned by ``getMe`` (used by PTB for ``/cmd@bot``).
            bot_first_name: first name returned by ``getMe``.
            token: if given, requests with any other token get 401 Unauthorized.
        """
        if bot_id is None:
            prefix = (token or DEFAULT_TOKEN).split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 123
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.token = token

        #: Every API call, in arrival order.
        self.calls: list[ApiCall] = []
        #: Every message the bot sent or edited, in order.
        self.sent: list[SentMessage] = []
        #: Every uploaded file (``sendDocument`` etc.), in order.
        self.documents: list[UploadedFile] = []
        #: Unexpected exceptions inside the fake (answered with HTTP 500); should stay empty.
        self.internal_errors: list[BaseException] = []

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._admins: dict[int, list[int]] = {}
        self._anonymous_admins: dict[int, set[int]] = {}
        self._owners: dict[int, int] = {}
        self._members: dict[int, set[int]] = {}
        self._bot_status: dict[int, str] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._open_callbacks: set[str] = set()
        self._callback_ids = itertools.count(7_000_000_001)
        self._open_inline_queries: set[str] = set()
        self._inline_ids = itertools.count(8_000_000_001)
        #: Every accepted ``answerInlineQuery``, in order.
        self.inline_answers: list[InlineAnswer] = []
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[JSONDict, bytes]] = {}
        self._file_paths: dict[str, bytes] = {}
        self._commands: dict[str, list[JSONDict]] = {}
        self._failures: list[_Failure] = []
        self._delays: list[_Delay] = []
        self._sent_updates: list[JSONDict] = []

        self._updates: list[JSONDict] = []
        self._update_messages: dict[int, tuple[int, int]] = {}
        self._next_update_id = 1
        #: The webhook set with ``setWebhook`` (updates are then POSTed to it, not polled).
        self.webhook: WebhookRegistration | None = None
        #: Each update POSTed to the webhook as it was queued, with the status the bot answered.
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._webhook_client: httpx.AsyncClient | None = None
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._updates_cond = asyncio.Condition()
        self._sent_cond = asyncio.Condition()
        self._calls_cond = asyncio.Condition()
        self._claimed_sent: set[int] = set()
        self._claimed_calls: set[int] = set()
        self._closing = False

        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._handlers: dict[str, Callable[[JSONDict, dict[str, UploadedFile]], Awaitable[Any]]]
        self._handlers = {
            "getme": self._get_me,
            "logout": self._return_true,
            "close": self._return_true,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "getchat": self._get_chat,
            "getchatadministrators": self._get_chat_administrators,
            "getchatmember": self._get_chat_member,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "senddocument": self._send_document,
            "sendchataction": self._return_true,
            "getfile": self._get_file,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        if self._server is not None:
            raise RuntimeError("FakeBotApi already started")
        self._closing = False
        self._server = await asyncio.start_server(self._serve_connection, "127.0.0.1", 0)
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop serving, ending open long polls and dropping keep-alive connections."""
        if self._server is None:
            return
        self._closing = True
        async with self._updates_cond:
            self._updates_cond.notify_all()  # long polls return at once
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None
        if self._webhook_client is not None:
            await self._webhook_client.aclose()
            self._webhook_client = None

    @property
    def port(self) -> int:
        """The bound TCP port (after ``start``)."""
        if self._port is None:
            raise RuntimeError("FakeBotApi not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ test-side setup

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Bot API ``User`` object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user(self, id: int, first_name: str, username: str | None = None) -> JSONDict:
        """Register (or update) a human user; returns the Bot API ``User`` object."""
        user: JSONDict = {"id": id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self._users[id] = user
        return dict(user)

    def add_chat(self, chat_id: int, type: str = "private", title: str | None = None) -> JSONDict:
        """Register a chat the bot is in; returns its Bot API ``Chat`` object.

        ``type`` is ``"private"``, ``"group"``, ``"supergroup"`` or ``"channel"``. Private
        chats take their name from the user with the same id (see ``user``).
        """
        if type not in {"private", "group", "supergroup", "channel"}:
            raise ValueError(f"unknown chat type {type!r}")
        chat: JSONDict = {"id": chat_id, "type": type}
        if type != "private":
            chat["title"] = title or f"Test {type} {chat_id}"
        elif title:
            chat["first_name"] = title
        self._chats[chat_id] = chat
        self._members.setdefault(chat_id, set())
        self._bot_status.setdefault(chat_id, "member")
        return self._chat_json(chat_id)

    def set_admins(
        self,
        chat_id: int,
        user_ids: Iterable[int],
        anonymous_admin: bool = False,
        *,
        owner_id: int | None = None,
    ) -> None:
        """Make ``user_ids`` the chat's administrators (replacing any earlier list).

        ``anonymous_admin`` marks them all ``is_anonymous`` (they post as the group via
        ``send_text(..., sender_chat_id=chat_id)``). ``owner_id``, if given, is reported with
        status ``creator``. Include ``bot_id`` to make the bot an administrator.
        """
        self._ensure_chat(chat_id)
        ids = list(user_ids)
        if owner_id is not None and owner_id not in ids:
            ids.insert(0, owner_id)
        self._admins[chat_id] = ids
        self._anonymous_admins[chat_id] = set(ids) if anonymous_admin else set()
        if owner_id is None:
            self._owners.pop(chat_id, None)
        else:
            self._owners[chat_id] = owner_id
        self._members.setdefault(chat_id, set()).update(ids)

    def add_member(self, chat_id: int, user_id: int) -> None:
        """Record that ``user_id`` is a member (``getChatMember`` answers ``member``)."""
        self._ensure_chat(chat_id)
        self._members.setdefault(chat_id, set()).add(user_id)

    def block(self, chat_id: int) -> None:
        """Make every message to ``chat_id`` fail with 403 until ``unblock``."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo ``block``."""
        self._blocked.discard(chat_id)

    def fail_next(
        self,
        method: str,
        chat_id: int | None = None,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int = 1,
        *,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail.

        ``description`` defaults to the real API's wording for ``error_code`` (429: "Too Many
        Requests: retry after N", 403: "Forbidden: bot was kicked from the group chat", 500:
        "Internal Server Error"). 429 responses carry ``parameters.retry_after`` so PTB
        raises ``telegram.error.RetryAfter``.
        """
        if description is None:
            template = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            description = template.format(retry_after=retry_after)
        parameters = {"retry_after": retry_after} if error_code == 429 else None
        self._failures.append(
            _Failure(
                method=method.lower(),
                chat_id=chat_id,
                error=ApiError(error_code, description, parameters),
                remaining=times,
            )
        )

    def answer_late(
        self, method: str, seconds: float, *, chat_id: int | None = None, times: int = 1
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``, if given) take effect at
        once (a message is delivered) but are answered only after ``seconds``, as a Bot API
        under load does; a client with a shorter read timeout gives up on them."""
        self._delays.append(_Delay(method.lower(), chat_id, seconds, times))

    async def redeliver(self, update_id: int) -> None:
        """Send an update the bot was already given once more, as Telegram does when it
        is not sure the bot got it."""
        async with self._updates_cond:
            update = next(u for u in self._sent_updates if u["update_id"] == update_id)
            self._updates.insert(0, copy.deepcopy(update))
            self._updates_cond.notify_all()

    # ------------------------------------------------------------------ incoming updates

    async def send_text(
        self,
        chat_id: int,
        from_user_id: int,
        text: str,
        reply_to_message_id: int | None = None,
        sender_chat_id: int | None = None,
    ) -> int:
        """Queue a ``message`` update as if ``from_user_id`` wrote ``text``; returns update_id.

        Commands at the start of ``text`` get a ``bot_command`` entity and ``@username``
        words get ``mention`` entities, as Telegram's clients produce. With
        ``sender_chat_id`` the message is sent on behalf of that chat (anonymous group
        admin if it equals ``chat_id``, else a linked channel) and ``from_user_id`` is not
        revealed.
        """
        message = self._text_message(
            chat_id, from_user_id, text, reply_to_message_id, sender_chat_id
        )
        return await self._queue_update("message", message)

    def message_id_of(self, update_id: int) -> int:
        """The id of the user's message that update ``update_id`` carried (to reply to it)."""
        return self._update_messages[update_id][1]

    def text_update(
        self,
        chat_id: int,
        from_user_id: int,
        text: str,
        reply_to_message_id: int | None = None,
        sender_chat_id: int | None = None,
    ) -> JSONDict:
        """A ``message`` update as ``send_text`` would queue it, neither queued nor delivered.

        For posting by hand with ``post_to_webhook`` (e.g. with a wrong secret token).
        """
        message = self._text_message(
            chat_id, from_user_id, text, reply_to_message_id, sender_chat_id
        )
        update_id = self._next_update_id
        self._next_update_id += 1
        self._update_messages[update_id] = (chat_id, int(message["message_id"]))
        return {"update_id": update_id, "message": copy.deepcopy(message)}

    async def edit_text(self, update_id: int, text: str) -> int:
        """Queue an ``edited_message`` update: the user edits the message ``update_id`` carried.

        As in Telegram, the update carries the whole message with its new ``text``,
        recomputed entities and an ``edit_date``; returns the new update's id.
        """
        if update_id not in self._update_messages:
            raise KeyError(f"update {update_id} carried no message of a user")
        chat_id, message_id = self._update_messages[update_id]
        stored = self._messages[(chat_id, message_id)]
        stored["text"] = text
        stored["edit_date"] = int(time.time())
        stored.pop("entities", None)
        entities = self._entities_for(text)
        if entities:
            stored["entities"] = entities
        edited = copy.deepcopy(stored)
        edited.pop("reply_markup", None)
        return await self._queue_update("edited_message", edited)

    def _text_message(
        self,
        chat_id: int,
        from_user_id: int,
        text: str,
        reply_to_message_id: int | None,
        sender_chat_id: int | None,
    ) -> JSONDict:
        self._ensure_chat(chat_id)
        message = self._new_message(chat_id, self._user_json(from_user_id), text=text)
        if sender_chat_id is not None:
            self._ensure_chat(sender_chat_id, default_type="channel")
            message["from"] = dict(
                _GROUP_ANONYMOUS_BOT if sender_chat_id == chat_id else _CHANNEL_BOT
            )
            message["sender_chat"] = self._chat_json(sender_chat_id)
        else:
            self._members.setdefault(chat_id, set()).add(from_user_id)
        entities = self._entities_for(text)
        if entities:
            message["entities"] = entities
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._reply_copy(chat_id, reply_to_message_id)
        return message

    async def press_button(
        self,
        chat_id: int,
        from_user_id: int,
        message_id: int,
        callback_data: str,
        *,
        check: bool = True,
    ) -> int:
        """Queue a ``callback_query`` update for a button on a bot message; returns update_id.

        With ``check`` (default) the message must currently carry a button with that
        ``callback_data``; pass ``check=False`` to simulate presses on stale keyboards.
        """
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        if check:
            rows = (stored.get("reply_markup") or {}).get("inline_keyboard") or []
            datas = [button.get("callback_data") for row in rows for button in row]
            if callback_data not in datas:
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button with "
                    f"callback_data {callback_data!r}; it has {datas!r}"
                )
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query: JSONDict = {
            "id": query_id,
            "from": self._user_json(from_user_id),
            "message": copy.deepcopy(stored),
            "chat_instance": str(abs(chat_id) * 7919 % 10**12),
            "data": callback_data,
        }
        return await self._queue_update("callback_query", query)

    async def send_inline_query(
        self, from_user_id: int, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> str:
        """Queue an ``inline_query`` update, as when ``from_user_id`` types ``@bot QUERY`` in
        a chat (``chat_type``: "sender" for their chat with the bot, "private", "group",
        "supergroup" or "channel"); returns the query's id, for ``wait_for_inline_answer``."""
        query_id = str(next(self._inline_ids))
        self._open_inline_queries.add(query_id)
        payload: JSONDict = {
            "id": query_id,
            "from": self._user_json(from_user_id),
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        await self._queue_update("inline_query", payload)
        return query_id

    async def wait_for_inline_answer(
        self,
        inline_query_id: str,
        timeout: float = 30.0,  # noqa: ASYNC109 - mirrors wait_for_message
    ) -> InlineAnswer:
        """The bot's accepted answer to the inline query ``inline_query_id``."""

        def find() -> InlineAnswer | None:
            return next(
                (a for a in self.inline_answers if a.inline_query_id == inline_query_id), None
            )

        async with self._calls_cond:
            try:
                return await asyncio.wait_for(self._calls_cond.wait_for(find), timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"no answer to inline query {inline_query_id} within {timeout}s"
                ) from None

    async def migrate_group(
        self, chat_id: int, new_chat_id: int, by_user_id: int = 1, *, announce: bool = True
    ) -> int | None:
        """The group becomes a supergroup, as Telegram does it: a service message with
        ``migrate_to_chat_id`` in the old chat and one with ``migrate_from_chat_id`` in the
        new one; afterwards sends to the old id fail with 400 and ``migrate_to_chat_id``.
        Returns the update_id of the first service message (None with ``announce=False``:
        no service messages, as when the bot missed them)."""
        self._ensure_chat(chat_id)
        old = self._chats[chat_id]
        self._chats[new_chat_id] = {**old, "id": new_chat_id, "type": "supergroup"}
        self._admins[new_chat_id] = list(self._admins.get(chat_id, []))
        self._members[new_chat_id] = set(self._members.get(chat_id, set()))
        self._migrated[chat_id] = new_chat_id
        if not announce:
            return None
        sender = self._user_json(by_user_id)
        first = self._new_message(chat_id, sender, migrate_to_chat_id=new_chat_id)
        update_id = await self._queue_update("message", first)
        second = self._new_message(new_chat_id, sender, migrate_from_chat_id=chat_id)
        await self._queue_update("message", second)
        return update_id

    async def remove_bot(self, chat_id: int, by_user_id: int | None = None) -> int:
        """Queue a ``my_chat_member`` update: the bot is removed (or blocked, in private).

        Afterwards messages to the chat fail with 403, as in reality, until ``add_bot``.
        """
        self._ensure_chat(chat_id)
        chat_type = self._chats[chat_id]["type"]
        old = self._bot_member_json(chat_id)
        new_status = "kicked" if chat_type == "private" else "left"
        self._bot_status[chat_id] = new_status
        return await self._queue_my_chat_member(chat_id, by_user_id, old, new_status)

    async def add_bot(
        self, chat_id: int, by_user_id: int | None = None, *, as_admin: bool = False
    ) -> int:
        """Queue a ``my_chat_member`` update: the bot joins (or is unblocked in) the chat."""
        self._ensure_chat(chat_id)
        old = self._bot_member_json(chat_id)
        if old["status"] not in {"left", "kicked"}:
            old = {"status": "left", "user": self.bot_user}
        self._bot_status[chat_id] = "member"
        if as_admin:
            admins = self._admins.setdefault(chat_id, [])
            if self.bot_id not in admins:
                admins.append(self.bot_id)
        new_status = "administrator" if as_admin else "member"
        return await self._queue_my_chat_member(chat_id, by_user_id, old, new_status)

    # ------------------------------------------------------------------ inspection

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent or edited in ``chat_id``, in order."""
        return [m for m in self.sent if m.chat_id == chat_id]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every call of ``method`` (case-insensitive), in order."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """The current state (after edits) of a message, as a Bot API ``Message`` dict."""
        return copy.deepcopy(self._messages[(chat_id, message_id)])

    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by the bot."""
        return copy.deepcopy(self._updates)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands last set with ``setMyCommands`` for that scope and language."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109 - part of the agreed test-side API
    ) -> SentMessage:
        """Return the earliest not-yet-returned bot message to ``chat_id`` matching ``predicate``.

        Messages already sent count, so there is no race with the bot replying before this
        is awaited; each message is returned at most once. Edits are included (check
        ``method``). Raises ``TimeoutError`` listing what was sent.
        """

        def find() -> SentMessage | None:
            for message in self.sent:
                if (
                    message.seq not in self._claimed_sent
                    and message.chat_id == chat_id
                    and (predicate is None or predicate(message))
                ):
                    return message
            return None

        async with self._sent_cond:
            try:
                found = await asyncio.wait_for(self._sent_cond.wait_for(find), timeout)
            except TimeoutError:
                seen = [(m.method, m.text) for m in self.messages_to(chat_id)]
                raise TimeoutError(
                    f"no matching bot message to chat {chat_id} within {timeout}s; "
                    f"sent there so far: {seen!r}"
                ) from None
        self._claimed_sent.add(found.seq)
        return found

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109 - mirrors wait_for_message
    ) -> ApiCall:
        """Return the earliest not-yet-returned call of ``method`` matching ``predicate``."""

        def find() -> tuple[int, ApiCall] | None:
            for index, call in enumerate(self.calls):
                if (
                    index not in self._claimed_calls
                    and call.method.lower() == method.lower()
                    and (predicate is None or predicate(call))
                ):
                    return index, call
            return None

        async with self._calls_cond:
            try:
                index, call = await asyncio.wait_for(self._calls_cond.wait_for(find), timeout)
            except TimeoutError:
                raise TimeoutError(f"no matching {method} call within {timeout}s") from None
        self._claimed_calls.add(index)
        return call

    # ------------------------------------------------------------------ HTTP layer

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while not self._closing:
                request = await self._read_request(reader)
                if request is None:
                    break
                status, content_type, body = await self._handle(request)
                keep_alive = request.headers.get("connection", "").lower() != "close"
                head = (
                    f"HTTP/1.1 {status} {_HTTP_REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: {content_type}\r\n"
                    f"Content-Length: {len(body)}\r\n"
                    f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
                )
                writer.write(head.encode("latin-1") + body)
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # client went away (e.g. PTB cancelled a long poll on shutdown)
        except asyncio.CancelledError:
            pass  # stop(): end quietly, the task is being awaited there
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_request(self, reader: asyncio.StreamReader) -> _Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            received = time.monotonic()
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():
                raise
            return None  # clean close between requests
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")  # trailer terminator (no trailers)
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(chunks)
        else:
            length = int(headers.get("content-length", "0"))
            if length > _MAX_BODY:
                raise ConnectionError("request body too large")
            body = await reader.readexactly(length) if length else b""
        path, _, query = target.partition("?")
        return _Request(
            method=method, path=path, query=query, headers=headers, body=body, received=received
        )

    async def _handle(self, request: _Request) -> tuple[int, str, bytes]:
        _RECEIVED.set(request.received)
        if (file_match := _FILE_PATH_RE.match(request.path)) is not None:
            content = self._file_paths.get(urllib.parse.unquote(file_match["path"]))
            if content is None or not self._token_ok(file_match["token"]):
                return self._json_response(ApiError(404, "Not Found").to_json(), 404)
            return 200, "application/octet-stream", content

        match = _API_PATH_RE.match(request.path)
        if match is None:
            return self._json_response(ApiError(404, "Not Found").to_json(), 404)
        method = match["method"]
        try:
            params, files = self._parse_params(request)
        except Exception as exc:  # malformed request: a fake or client bug worth surfacing
            self.internal_errors.append(exc)
            error = ApiError(400, f"Bad Request: fake could not parse request: {exc!r}")
            return self._json_response(error.to_json(), 400)
        call = ApiCall(method=method, params=params, files=files, http_method=request.method)
        self.calls.append(call)

        status = 200
        try:
            if not self._token_ok(match["token"]):
                raise ApiError(401, "Unauthorized")
            result = await self._dispatch(method, params, files)
        except ApiError as error:
            call.error = error.to_json()
            status, payload = error.error_code, call.error
        except Exception as exc:  # a bug in the fake; keep serving, but make it visible
            _LOGGER.exception("FakeBotApi failed handling %s", method)
            self.internal_errors.append(exc)
            call.error = ApiError(500, f"Internal Server Error: {exc!r}").to_json()
            status, payload = 500, call.error
        else:
            call.result = result
            payload = {"ok": True, "result": result}
        async with self._calls_cond:
            self._calls_cond.notify_all()
        return self._json_response(payload, status)

    @staticmethod
    def _json_response(payload: JSONDict, status: int = 200) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(payload).encode("utf-8")

    def _token_ok(self, token: str) -> bool:
        return self.token is None or token == self.token

    def _parse_params(self, request: _Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {}
        files: dict[str, UploadedFile] = {}
        for name, value in urllib.parse.parse_qsl(request.query, keep_blank_values=True):
            params[name] = _decode_value(name, value)
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if not request.body:
            return params, files
        if media_type == "application/json":
            params.update(json.loads(request.body))
        elif media_type == "application/x-www-form-urlencoded":
            text = request.body.decode("utf-8")
            for name, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
                params[name] = _decode_value(name, value)
        elif media_type == "multipart/form-data":
            fields, files = self._parse_multipart(content_type, request.body)
            params.update(fields)
        else:
            raise ValueError(f"unsupported content type {content_type!r}")
        return params, files

    @staticmethod
    def _parse_multipart(
        content_type: str, body: bytes
    ) -> tuple[JSONDict, dict[str, UploadedFile]]:
        boundary_match = re.search(r'boundary="?([^";]+)"?', content_type)
        if boundary_match is None:
            raise ValueError("multipart body without boundary")
        delimiter = b"--" + boundary_match.group(1).encode("latin-1")
        fields: JSONDict = {}
        files: dict[str, UploadedFile] = {}
        for part in body.split(delimiter)[1:]:
            if part.startswith(b"--"):
                break  # closing delimiter
            part = part.removeprefix(b"\r\n")
            raw_headers, _, content = part.partition(b"\r\n\r\n")
            content = content.removesuffix(b"\r\n")
            headers = BytesHeaderParser(policy=HTTP).parsebytes(raw_headers + b"\r\n\r\n")
            disposition = headers.get("content-disposition", "")
            params = dict(headers["content-disposition"].params) if disposition else {}
            name = params.get("name")
            if name is None:
                continue
            filename = params.get("filename")
            if filename is not None:
                files[name] = UploadedFile(
                    field=name,
                    filename=filename,
                    content=content,
                    content_type=headers.get_content_type()
                    if headers.get("content-type")
                    else None,
                )
            else:
                fields[name] = _decode_value(name, content.decode("utf-8"))
        return fields, files

    async def _dispatch(self, method: str, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        key = method.lower()
        chat_id = self._optional_chat_id(params)
        for failure in self._failures:
            if failure.method == key and (failure.chat_id is None or failure.chat_id == chat_id):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                # A fresh exception each time so tracebacks don't accumulate.
                raise ApiError(
                    failure.error.error_code, failure.error.description, failure.error.parameters
                )
        handler = self._handlers.get(key)
        if handler is None:
            raise ApiError(404, f"Not Found: method {method} not implemented in FakeBotApi")
        if key in _CHAT_DELIVERY_METHODS and chat_id is not None:
            self._check_deliverable(chat_id)
        result = await handler(params, files)
        for delay in self._delays:
            if delay.method == key and (delay.chat_id is None or delay.chat_id == chat_id):
                delay.remaining -= 1
                if delay.remaining <= 0:
                    self._delays.remove(delay)
                await asyncio.sleep(delay.seconds)  # done already; only the answer is late
                break
        return result

    # ------------------------------------------------------------------ state helpers

    def _ensure_chat(self, chat_id: int, default_type: str | None = None) -> None:
        # Unknown chats are created on the fly, typed the way Telegram numbers them.
        if chat_id in self._chats:
            return
        if default_type is None:
            if chat_id > 0:
                default_type = "private"
            elif str(chat_id).startswith("-100"):
                default_type = "supergroup"
            else:
                default_type = "group"
        self.add_chat(chat_id, type=default_type)

    def _user_json(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return self.bot_user
        if user_id not in self._users:
            self.user(user_id, f"User{user_id}")
        return dict(self._users[user_id])

    def _chat_json(self, chat_id: int) -> JSONDict:
        chat = dict(self._chats[chat_id])
        if chat["type"] == "private" and "first_name" not in chat:
            user = self._user_json(chat_id)
            chat["first_name"] = user["first_name"]
            if "username" in user:
                chat["username"] = user["username"]
        return chat

    def _chat_id(self, params: JSONDict) -> int:
        chat_id = self._optional_chat_id(params)
        if chat_id is not None and chat_id not in self._chats and chat_id in self._users:
            # A user who never started a private chat with the bot, as Telegram answers.
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat_id is None or chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _optional_chat_id(self, params: JSONDict) -> int | None:
        value = params.get("chat_id")
        if value is None:
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == value[1:].lower():
                    return int(chat["id"])
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def _check_deliverable(self, chat_id: int) -> None:
        chat = self._chats.get(chat_id)
        if chat is None:
            return  # the handler answers "chat not found"
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self._blocked or self._bot_status.get(chat_id) in {"left", "kicked"}:
            description = {
                "private": "Forbidden: bot was blocked by the user",
                "supergroup": "Forbidden: bot was kicked from the supergroup chat",
                "channel": "Forbidden: bot is not a member of the channel chat",
            }.get(chat["type"], "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, description)

    def _new_message(self, chat_id: int, sender: JSONDict | None, **fields: Any) -> JSONDict:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        message: JSONDict = {
            "message_id": next(counter),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
        }
        if sender is not None:
            message["from"] = sender
        message.update({k: v for k, v in fields.items() if v is not None})
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _reply_copy(self, chat_id: int, message_id: int) -> JSONDict:
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise ApiError(400, "Bad Request: message to be replied not found")
        reply = copy.deepcopy(stored)
        reply.pop("reply_to_message", None)  # Telegram nests replies one level only
        return reply

    def _entities_for(self, text: str) -> list[JSONDict]:
        entities: list[JSONDict] = []
        command = _COMMAND_RE.match(text)
        if command is not None:
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command[0])})
        for mention in _MENTION_RE.finditer(text):
            if command is not None and mention.start() < command.end():
                continue  # the @bot suffix belongs to the command
            entities.append(
                {
                    "type": "mention",
                    "offset": _utf16_len(text[: mention.start()]),
                    "length": _utf16_len(mention[0]),
                }
            )
        return entities

    async def _queue_update(self, kind: str, payload: JSONDict) -> int:
        async with self._updates_cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            if kind == "message":
                self._update_messages[update_id] = (
                    int(payload["chat"]["id"]),
                    int(payload["message_id"]),
                )
            update = {"update_id": update_id, kind: payload}
            self._sent_updates.append(copy.deepcopy(update))
            webhook = self.webhook
            if webhook is None:
                self._updates.append(update)
                self._updates_cond.notify_all()
                return update_id
        # With a webhook set, Telegram POSTs each update at once, with the secret it was given.
        if self._update_allowed(update, webhook.allowed_updates):
            status = 0  # never reached
            for _ in range(_WEBHOOK_ATTEMPTS):
                try:
                    status = await self.post_to_webhook(update, webhook.secret_token, webhook.url)
                    break
                except httpx.TransportError:
                    # Telegram retries too (e.g. setWebhook answered before the server listens).
                    await asyncio.sleep(0.1)
            self.webhook_deliveries.append(WebhookDelivery(update_id, status))
        return update_id

    async def post_to_webhook(
        self, update: JSONDict, secret_token: str | None, url: str | None = None
    ) -> int:
        """POST ``update`` as JSON to the webhook (the registered one unless ``url`` is given),
        with ``secret_token`` in X-Telegram-Bot-Api-Secret-Token (no header when None), as
        Telegram does; returns the HTTP status the bot answered."""
        target = url or (self.webhook.url if self.webhook else None)
        if target is None:
            raise RuntimeError("no webhook is set (setWebhook) and no url given")
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        if self._webhook_client is None:
            self._webhook_client = httpx.AsyncClient(timeout=10)
        response = await self._webhook_client.post(
            target, content=json.dumps(update).encode("utf-8"), headers=headers
        )
        return response.status_code

    async def _queue_my_chat_member(
        self, chat_id: int, by_user_id: int | None, old: JSONDict, new_status: str
    ) -> int:
        if by_user_id is None:
            admins = [a for a in self._admins.get(chat_id, []) if a != self.bot_id]
            by_user_id = admins[0] if admins else (chat_id if chat_id > 0 else 1)
        new: JSONDict = {"status": new_status, "user": self.bot_user}
        if new_status == "kicked":
            new["until_date"] = 0
        elif new_status == "administrator":
            new = self._admin_json(chat_id, self.bot_id)
        payload: JSONDict = {
            "chat": self._chat_json(chat_id),
            "from": self._user_json(by_user_id),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return await self._queue_update("my_chat_member", payload)

    def _admin_json(self, chat_id: int, user_id: int) -> JSONDict:
        anonymous = user_id in self._anonymous_admins.get(chat_id, set())
        if self._owners.get(chat_id) == user_id:
            return {
                "status": "creator",
                "user": self._user_json(user_id),
                "is_anonymous": anonymous,
            }
        is_bot = user_id == self.bot_id
        return {
            "status": "administrator",
            "user": self._user_json(user_id),
            "can_be_edited": is_bot,
            "is_anonymous": anonymous,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": True,
        }

    def _bot_member_json(self, chat_id: int) -> JSONDict:
        status = self._bot_status.get(chat_id, "member")
        if status == "member" and self.bot_id in self._admins.get(chat_id, []):
            return self._admin_json(chat_id, self.bot_id)
        member: JSONDict = {"status": status, "user": self.bot_user}
        if status == "kicked":
            member["until_date"] = 0
        return member

    @staticmethod
    def _commands_key(scope: JSONDict | None, language_code: str | None) -> str:
        scope = scope or {"type": "default"}
        return json.dumps([scope, language_code or ""], sort_keys=True)

    def _record_sent(self, method: str, message: JSONDict, params: JSONDict, **extra: Any) -> None:
        text = params.get("text", params.get("caption"))
        self.sent.append(
            SentMessage(
                method=method,
                chat_id=int(message["chat"]["id"]),
                message_id=int(message["message_id"]),
                text=text,
                reply_markup=params.get("reply_markup"),
                params=params,
                plain_text=message.get("text", message.get("caption")),
                seq=len(self.sent),
                at=_RECEIVED.get() or time.monotonic(),
                **extra,
            )
        )

    async def _notify_sent(self) -> None:
        async with self._sent_cond:
            self._sent_cond.notify_all()

    def _visible_text(self, params: JSONDict, key: str) -> str | None:
        text = params.get(key)
        if text is None:
            return None
        if not isinstance(text, str):
            text = str(text)
        if str(params.get("parse_mode", "")).upper() == "HTML":
            text = _html_to_plain(text)
        return text

    @staticmethod
    def _inline_markup(params: JSONDict) -> JSONDict | None:
        # Only inline keyboards are part of a Message; reply keyboards are not echoed back.
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return markup
        return None

    def _reply_to(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        if message_id is None:
            message_id = params.get("reply_to_message_id")
        if message_id is None:
            return None
        try:
            return self._reply_copy(chat_id, int(message_id))
        except ApiError:
            allow = params.get("allow_sending_without_reply") or (
                isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            )
            if allow:
                return None
            raise

    # ------------------------------------------------------------------ API methods

    async def _return_true(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        return True

    async def _get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, files)
        if not url.startswith(("https://", "http://")):
            # Telegram wants https; the fake also takes http, to reach a loopback server.
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        self.webhook = WebhookRegistration(
            url=url,
            secret_token=None if secret is None else str(secret),
            allowed_updates=list(allowed) if allowed else None,
        )
        if params.get("drop_pending_updates"):
            async with self._updates_cond:
                self._updates.clear()
        return True

    async def _delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            async with self._updates_cond:
                self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": 0 if self.webhook else len(self._updates),
        }
        if self.webhook and self.webhook.allowed_updates is not None:
            info["allowed_updates"] = list(self.webhook.allowed_updates)
        return info

    async def _get_updates(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = max(1, min(int(params.get("limit", 100)), 100))
        timeout = float(params.get("timeout", 0) or 0)
        if "allowed_updates" in params:
            # Like Telegram, the filter persists across calls; [] means "the default set".
            self._allowed_updates = list(params["allowed_updates"] or []) or None

        async with self._updates_cond:
            # A newer getUpdates supersedes an older one still waiting (e.g. one PTB
            # abandoned on shutdown), as on the real server.
            self._poll_generation += 1
            generation = self._poll_generation
            self._updates_cond.notify_all()
            self._confirm(offset)

            def ready() -> bool:
                return (
                    bool(self._deliverable())
                    or self._poll_generation != generation
                    or self._closing
                )

            if not ready() and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._updates_cond.wait_for(ready), timeout)
            if self._poll_generation != generation:
                return []
            return copy.deepcopy(self._deliverable()[:limit])

    def _confirm(self, offset: Any) -> None:
        if offset is None:
            return
        offset = int(offset)
        if offset < 0:
            del self._updates[: max(0, len(self._updates) + offset)]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _deliverable(self) -> list[JSONDict]:
        # Telegram silently drops updates of types the bot did not ask for.
        self._updates = [u for u in self._updates if self._update_allowed(u, self._allowed_updates)]
        return self._updates

    @staticmethod
    def _update_allowed(update: JSONDict, allowed_updates: list[str] | None) -> bool:
        kind = next(k for k in update if k != "update_id")
        if allowed_updates is None:
            return kind not in _NOT_DEFAULT_UPDATE_TYPES
        return kind in allowed_updates

    async def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat_id = self._chat_id(params)
        text = self._visible_text(params, "text")
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > _MAX_MESSAGE_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        reply_to = self._reply_to(chat_id, params)
        message = self._new_message(
            chat_id,
            self.bot_user,
            text=text,
            reply_markup=self._inline_markup(params),
            reply_to_message=reply_to,
            message_thread_id=params.get("message_thread_id"),
        )
        self._record_sent("sendMessage", message, params)
        await self._notify_sent()
        return copy.deepcopy(message)

    def _message_to_edit(self, params: JSONDict) -> JSONDict:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not supported by FakeBotApi")
        chat_id = self._chat_id(params)
        stored = self._messages.get((chat_id, int(params.get("message_id", 0))))
        if stored is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if stored.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return stored

    async def _edit_message_text(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        stored = self._message_to_edit(params)
        text = self._visible_text(params, "text")
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > _MAX_MESSAGE_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        # Editing the text without reply_markup removes the inline keyboard, as in Telegram.
        markup = self._inline_markup(params)
        if stored.get("text") == text and stored.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        stored["text"] = text
        stored["edit_date"] = int(time.time())
        if markup is None:
            stored.pop("reply_markup", None)
        else:
            stored["reply_markup"] = markup
        self._record_sent("editMessageText", stored, params)
        await self._notify_sent()
        return copy.deepcopy(stored)

    async def _edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> JSONDict:
        stored = self._message_to_edit(params)
        markup = self._inline_markup(params)
        if stored.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        if markup is None:
            stored.pop("reply_markup", None)
        else:
            stored["reply_markup"] = markup
        stored["edit_date"] = int(time.time())
        self._record_sent("editMessageReplyMarkup", stored, params)
        await self._notify_sent()
        return copy.deepcopy(stored)

    async def _answer_callback_query(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_callbacks.discard(query_id)  # a query can be answered once
        return True

    async def _answer_inline_query(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self._open_inline_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            if result_id in seen:
                raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
            seen.add(result_id)
            if result.get("type") == "article":
                if not str(result.get("title", "")).strip():
                    raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
                content = result.get("input_message_content") or {}
                text = str(content.get("message_text", ""))
                if not text.strip():
                    raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
                if len(text) > _MAX_MESSAGE_LENGTH:
                    raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_inline_queries.discard(query_id)  # a query can be answered once
        cache_time = params.get("cache_time")
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=copy.deepcopy(results),
                cache_time=None if cache_time is None else int(cache_time),
                is_personal=bool(params.get("is_personal", False)),
                next_offset=None
                if params.get("next_offset") is None
                else str(params["next_offset"]),
            )
        )
        return True

    async def _get_chat(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat = self._chat_json(self._chat_id(params))
        # getChat returns a ChatFullInfo, which requires these two fields.
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        chat.setdefault(
            "accepted_gift_types",
            {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        )
        return chat

    async def _get_chat_administrators(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        chat_id = self._chat_id(params)
        if self._chats[chat_id]["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        if self._bot_status.get(chat_id) in {"left", "kicked"}:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")
        return [self._admin_json(chat_id, uid) for uid in self._admins.get(chat_id, [])]

    async def _get_chat_member(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat_id = self._chat_id(params)
        user_id = int(params["user_id"])
        if user_id == self.bot_id:
            return self._bot_member_json(chat_id)
        if user_id in self._admins.get(chat_id, []):
            return self._admin_json(chat_id, user_id)
        is_member = user_id in self._members.get(chat_id, set()) or (
            self._chats[chat_id]["type"] == "private" and user_id == chat_id
        )
        return {"status": "member" if is_member else "left", "user": self._user_json(user_id)}

    async def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = list(commands)
        return True

    async def _get_my_commands(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> list[JSONDict]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    async def _delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    async def _send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        chat_id = self._chat_id(params)
        reference = params.get("document")
        upload = files.get("document")
        if isinstance(reference, str) and reference.startswith("attach://"):
            upload = files.get(reference.removeprefix("attach://"))
        if upload is not None:
            number = next(self._file_ids)
            file_id = f"BQACAgFakeDocument{number:06d}"
            suffix = (upload.filename or "").rpartition(".")[2]
            file_path = f"documents/file_{number}" + (f".{suffix}" if suffix else "")
            document: JSONDict = {
                "file_id": file_id,
                "file_unique_id": f"AgADFake{number:06d}",
                "file_name": upload.filename,
                "mime_type": upload.content_type or "application/octet-stream",
                "file_size": len(upload.content),
            }
            document = {k: v for k, v in document.items() if v is not None}
            self._files[file_id] = ({**document, "file_path": file_path}, upload.content)
            self._file_paths[file_path] = upload.content
            self.documents.append(upload)
        elif isinstance(reference, str) and reference in self._files:
            document = {k: v for k, v in self._files[reference][0].items() if k != "file_path"}
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = self._visible_text(params, "caption")
        if caption is not None and len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        message = self._new_message(
            chat_id,
            self.bot_user,
            document=document,
            caption=caption,
            reply_markup=self._inline_markup(params),
            reply_to_message=self._reply_to(chat_id, params),
        )
        self._record_sent("sendDocument", message, params, document=upload)
        await self._notify_sent()
        return copy.deepcopy(message)

    async def _get_file(self, params: JSONDict, files: dict[str, UploadedFile]) -> JSONDict:
        entry = self._files.get(str(params.get("file_id", "")))
        if entry is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        info = entry[0]
        return {
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "file_size": info.get("file_size"),
            "file_path": info["file_path"],
        }


# ---------------------------------------------------------------------- test helpers


@contextlib.asynccontextmanager
async def running_fake_api(**kwargs: Any) -> AsyncIterator[FakeBotApi]:
    """``async with running_fake_api() as api:`` — a started ``FakeBotApi``, stopped on exit.

    Keyword arguments go to ``FakeBotApi``.
    """
    api = FakeBotApi(**kwargs)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


def application_builder(
    api: FakeBotApi, token: str = DEFAULT_TOKEN
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """An ``ApplicationBuilder`` pointed at ``api``; add more settings, then ``.build()``."""
    return ApplicationBuilder().token(token).base_url(api.base_url).base_file_url(api.base_file_url)


@contextlib.asynccontextmanager
async def polling_application(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: float = 1.0
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Initialise, start and long-poll ``app``; on exit stop in PTB's documented order.

    Order: ``initialize`` (getMe) → ``start`` → ``updater.start_polling`` (deleteWebhook,
    then getUpdates); on exit ``updater.stop`` (one last getUpdates confirming offsets) →
    ``stop`` → ``shutdown``.
    """
    async with app:
        await app.start()
        assert app.updater is not None, "build the Application with an Updater"
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
