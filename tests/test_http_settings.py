"""Where the bot's HTTP server listens and what feed addresses start with (``Settings``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings

TOKEN = "123:ABC"


def settings(**env: str) -> Settings:
    return Settings(TELEGRAM_BOT_TOKEN=TOKEN, **env)


@pytest.mark.parametrize(
    ("env", "address", "port", "base"),
    [
        ({}, None, 0, None),
        ({"COMPACTBOT_HTTP": "127.0.0.1:8080"}, ("127.0.0.1", 8080), 8080, "http://127.0.0.1:8080"),
        # Port 0: the one the server got.
        ({"COMPACTBOT_HTTP": "[::1]:0"}, ("::1", 0), 4321, "http://[::1]:4321"),
        # Listening everywhere: no address a calendar app could use, unless one is given.
        ({"COMPACTBOT_HTTP": "0.0.0.0:8080"}, ("0.0.0.0", 8080), 8080, None),
        (
            {"COMPACTBOT_HTTP": "0.0.0.0:8080", "COMPACTBOT_PUBLIC_URL": "https://x.org/bot/"},
            ("0.0.0.0", 8080),
            8080,
            "https://x.org/bot",
        ),
        # The older setting, at the webhook's listen address; addresses on the webhook's host.
        (
            {
                "COMPACTBOT_HEALTH_PORT": "9441",
                "COMPACTBOT_WEBHOOK_URL": "https://bot.example.org/telegram/secret",
            },
            ("127.0.0.1", 9441),
            9441,
            "https://bot.example.org",
        ),
    ],
)
def test_where_the_server_listens_and_where_feeds_are_found(
    env: dict[str, str], address: tuple[str, int] | None, port: int, base: str | None
) -> None:
    s = settings(**env)
    assert s.http_address() == address
    if address is not None:
        assert s.feed_base(port) == base


@pytest.mark.parametrize(
    "env",
    [
        {"COMPACTBOT_HTTP": "8080"},
        {"COMPACTBOT_HTTP": "localhost:http"},
        {"COMPACTBOT_HTTP": "localhost:70000"},
        {"COMPACTBOT_PUBLIC_URL": "ftp://x.org"},
        {"COMPACTBOT_PUBLIC_URL": "https://x.org/?a=1"},
        {"COMPACTBOT_HTTP": "127.0.0.1:8080", "COMPACTBOT_HEALTH_PORT": "9441"},
        {
            "COMPACTBOT_HTTP": "127.0.0.1:8443",
            "COMPACTBOT_WEBHOOK_URL": "https://bot.example.org/t",
            "COMPACTBOT_WEBHOOK_PORT": "8443",
        },
    ],
)
def test_settings_that_cannot_work_are_refused_at_start(env: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        settings(**env)
