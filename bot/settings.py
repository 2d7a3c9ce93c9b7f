"""Settings from the environment (and a .env file), overridable on the command line."""

from __future__ import annotations

import urllib.parse
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import DirectoryPath, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.clock import Clock, ShiftedClock, SystemClock

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """compactbot's configuration; every field can be set by its environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)
    telegram_bot_token: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    api_url: str | None = Field(default=None, validation_alias="COMPACTBOT_API_URL")
    """Bot API base URL; the library appends the token (e.g. http://127.0.0.1:8081/bot)."""
    db: str = Field(default="compactbot.db", min_length=1, validation_alias="COMPACTBOT_DB")
    """The database: a file path or ``sqlite:///path`` (embedded, one process), or
    ``postgresql://user:password@host/name`` (a server: several workers, backups, replicas)."""
    db_pool_size: int = Field(default=10, ge=1, le=200, validation_alias="COMPACTBOT_DB_POOL")
    """PostgreSQL: connections per worker (each worker also keeps one for its locks)."""
    files_dir: Path = Field(default=Path("compactbot-files"), validation_alias="COMPACTBOT_FILES")
    """Where the terminal chat saves the files a reply carries (reports, calendars)."""
    timezone: str = Field(default="Europe/London", validation_alias="COMPACTBOT_TIMEZONE")
    """Default time zone of a new chat."""
    reminder_hour: int = Field(default=9, ge=0, le=23, validation_alias="COMPACTBOT_REMINDER_HOUR")
    """Local hour at which a reminder due on a calendar day is sent."""
    global_per_second: float = Field(default=30, gt=0, validation_alias="COMPACTBOT_RATE_GLOBAL")
    per_chat_per_minute: float = Field(default=20, gt=0, validation_alias="COMPACTBOT_RATE_CHAT")
    webhook_url: str | None = Field(default=None, validation_alias="COMPACTBOT_WEBHOOK_URL")
    """Set to receive updates by webhook instead of long polling: the public HTTPS URL
    Telegram posts to (a reverse proxy passes it on to ``webhook_listen:webhook_port``)."""
    webhook_listen: str = Field(default="127.0.0.1", validation_alias="COMPACTBOT_WEBHOOK_LISTEN")
    """Address the webhook server binds: loopback, behind a reverse proxy, unless set."""
    webhook_port: int = Field(
        default=8443, ge=1, le=65535, validation_alias="COMPACTBOT_WEBHOOK_PORT"
    )
    webhook_secret: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,256}$",
        validation_alias="COMPACTBOT_WEBHOOK_SECRET",
    )
    """What Telegram must send in X-Telegram-Bot-Api-Secret-Token; a random one per start
    when unset (Telegram is told it with setWebhook either way)."""
    admin_cache_seconds: float = Field(default=60, validation_alias="COMPACTBOT_ADMIN_CACHE")
    api_timeout: float = Field(
        default=30.0, gt=0, le=600, validation_alias="COMPACTBOT_API_TIMEOUT"
    )
    """Seconds to wait for the Bot API to answer a call (Telegram under load is slow)."""
    log_level: str = Field(default="INFO", validation_alias="COMPACTBOT_LOG_LEVEL")
    """DEBUG, INFO, WARNING, ERROR or CRITICAL (the bot token is never logged at any level)."""
    http: str | None = Field(default=None, validation_alias="COMPACTBOT_HTTP")
    """``host:port`` (``[::1]:8080`` for IPv6; port 0: any free one) of the bot's own HTTP
    server: ``/healthz`` and the chats' calendar feeds, beside polling or the webhook."""
    health_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias="COMPACTBOT_HEALTH_PORT"
    )
    """The older way to start that server: on this port, at ``webhook_listen``."""
    http_max_connections: int = Field(
        default=1000, ge=1, le=100_000, validation_alias="COMPACTBOT_HTTP_MAX_CONNECTIONS"
    )
    """Connections that server keeps open at most; over it, the quietest one is closed.
    Keep it under the open files limit (``LimitNOFILE``) less what the bot needs besides."""
    public_url: str | None = Field(default=None, validation_alias="COMPACTBOT_PUBLIC_URL")
    """Where calendar apps reach that server (``https://bot.example.org``, a path prefix
    allowed): the start of every feed address.  Unset: the webhook URL's scheme and host
    in webhook mode, else ``http://`` and ``COMPACTBOT_HTTP``."""
    inbox_sweep_seconds: float = Field(
        default=5.0, gt=0, le=3600, validation_alias="COMPACTBOT_INBOX_SWEEP"
    )
    """Several workers: an update kept by a worker that died before handling it is taken
    up by another once it has waited this long."""
    letter_templates: DirectoryPath | None = Field(
        default=None, validation_alias="COMPACTBOT_LETTER_TEMPLATES"
    )
    """A directory of letter templates (``letter.txt.j2``) used before the built-in ones, so
    a network can adapt a letter's wording."""
    embedding: bool = Field(default=True, validation_alias="COMPACTBOT_EMBEDDING")
    """Use the sentence-embedding model in chat when it is installed (loaded at the first
    question; ``bot.knowledge.embedding``)."""
    today: date | None = Field(default=None, validation_alias="COMPACTBOT_TODAY")
    """Run as if today were this day (YYYY-MM-DD), time passing as usual: scripted sessions."""

    @field_validator("db", mode="before")
    @classmethod
    def _path_or_url(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @field_validator("http")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is not None:
            split_address(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urllib.parse.urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError("must be an http:// or https:// address without a query")
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    @model_validator(mode="after")
    def _one_http_server(self) -> Settings:
        if self.http is not None and self.health_port is not None:
            raise ValueError(
                "COMPACTBOT_HTTP and COMPACTBOT_HEALTH_PORT both start the HTTP server: set one"
            )
        address = self.http_address()
        if self.webhook_url and address is not None and address[1] == self.webhook_port:
            raise ValueError(
                f"the HTTP server and the webhook cannot share port {self.webhook_port}"
            )
        return self

    def http_address(self) -> tuple[str, int] | None:
        """Where the bot's HTTP server listens, if it runs at all."""
        if self.http is not None:
            return split_address(self.http)
        if self.health_port is not None:
            return self.webhook_listen, self.health_port
        return None

    def feed_base(self, port: int) -> str | None:
        """The start of every feed address, for the HTTP server listening on ``port``; None
        when calendar apps could not reach it (listening on every address, with no public
        URL to say which is theirs)."""
        if self.public_url:
            return self.public_url
        if self.webhook_url:
            parts = urllib.parse.urlsplit(self.webhook_url)
            return f"{parts.scheme}://{parts.netloc}"
        address = self.http_address()
        if address is None or address[0] in ("", "0.0.0.0", "::"):
            return None
        host = f"[{address[0]}]" if ":" in address[0] else address[0]
        return f"http://{host}:{port}"

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}")
        return level

    def clock(self) -> Clock:
        """The real clock, or one moved to ``today`` when it is set."""
        if self.today is None:
            return SystemClock()
        return ShiftedClock(self.today, ZoneInfo(self.timezone))


def split_address(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8080`` for IPv6) as (host, port); ValueError saying what is wrong."""
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"must be host:port, e.g. 127.0.0.1:8080 (not {value[:60]!r})")
    return host, int(port)
