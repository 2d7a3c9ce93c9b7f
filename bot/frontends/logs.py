"""Logging for the running bot: a level from the settings, and no bot token, feed address or
message text in any record.

python-telegram-bot puts the token in every request URL (``…/bot123:ABC/getMe``) and in
``repr(bot)``; httpx logs each URL at INFO.  So the chatty HTTP loggers are kept at WARNING,
and ``RedactSecrets`` rewrites every record before any handler sees it.  At DEBUG, PTB logs
every Bot API call's parameters and answer and every webhook body (people's messages, names
and chat titles): the arguments of the HTTP libraries' records are withheld but for names
(``sendMessage``) and numbers.  A calendar feed's token is cut from any path it appears in.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Iterable

REDACTED = "[REDACTED]"

QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite")
"""httpx and httpcore log every request URL at INFO/DEBUG, aiosqlite every statement at
DEBUG: kept at WARNING."""

_TOKEN_PATTERNS = (
    # Bot API paths: /bot123456:secret/getMe, /file/bot123456:secret/documents/…
    re.compile(r"bot\d+:[A-Za-z0-9_-]+"),
    # A bare token of Telegram's shape: digits, a colon, 30 or more URL-safe characters.
    re.compile(r"(?<![A-Za-z0-9_-])\d{3,}:[A-Za-z0-9_-]{30,}"),
)


_FEED_PATH = re.compile(r"(/calendar/)[A-Za-z0-9_-]{16,}")
"""A feed address's path: its token goes (``bot.chat.calendar_links.feed_url``)."""

CONTENT_LOGGERS = ("telegram", "httpx", "httpcore", "tornado")
"""Libraries whose records' arguments may carry what people wrote (PTB's calls and
answers, webhook bodies, request lines): only names and numbers among them are kept."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}")
_URL = re.compile(r"https?://[^\s?#]+")


def withheld(value: object) -> object:
    """A log argument as it may be shown: numbers, names (an endpoint, a method), addresses
    without a query, and lists of numbers (update ids) as they are; anything else by its
    size only."""
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and (_NAME.fullmatch(value) or _URL.fullmatch(value)):
        return value  # a URL's token and feed token are cut from the finished message
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
        return value
    return f"[{len(str(value))} characters withheld]"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets (also URL-quoted) or anything shaped like a token."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
            quoted = urllib.parse.quote(secret, safe="")
            if quoted != secret:
                text = text.replace(quoted, REDACTED)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return _FEED_PATH.sub(rf"\g<1>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, exception and stack text without secrets; drops nothing.

    A filter on a logger sees only that logger's own records, and one on a handler only
    that handler's, so ``install`` applies it where every record is made instead.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and record.name.split(".", 1)[0] in CONTENT_LOGGERS:
            args = record.args
            record.args = (
                {k: withheld(v) for k, v in args.items()}
                if isinstance(args, dict)
                else tuple(withheld(a) for a in args)
            )
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


_installed: RedactSecrets | None = None


def install(secrets: Iterable[str] = ()) -> RedactSecrets:
    """Redact ``secrets`` (and token-shaped text) from every log record from now on.

    Applied by the log record factory, so records of every logger reach every handler
    (including ones added later) already redacted.  Calling it again adds secrets.
    """
    global _installed
    if _installed is not None:
        _installed.secrets = tuple(dict.fromkeys([*_installed.secrets, *secrets]))
        return _installed
    redactor = RedactSecrets(secrets)
    make_record = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = redactor
    return redactor


def uninstall() -> None:
    """Undo ``install`` (tests)."""
    global _installed
    if _installed is not None:
        logging.setLogRecordFactory(logging.LogRecord)
        _installed = None


def configure(level: str, secrets: Iterable[str] = ()) -> None:
    """The bot's logging: ``level`` for our records and PTB's, WARNING for httpx, no secrets."""
    install(secrets)
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger().setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
