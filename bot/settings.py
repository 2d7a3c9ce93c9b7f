"""Settings from the environment (and a .env file), overridable on the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import DirectoryPath, Field, field_validator
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
    health_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias="COMPACTBOT_HEALTH_PORT"
    )
    """Serve ``/healthz`` on this port (at ``webhook_listen``): database, scheduler, lag."""
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
    today: date | None = Field(default=None, validation_alias="COMPACTBOT_TODAY")
    """Run as if today were this day (YYYY-MM-DD), time passing as usual: scripted sessions."""

    @field_validator("db", mode="before")
    @classmethod
    def _path_or_url(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

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
