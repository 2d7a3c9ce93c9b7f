"""Shared fixtures: each test gets its own plugin manager (none is built at import time)."""

from __future__ import annotations

import pytest

from bot.knowledge.knowledge import Knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The five built-in Compacts loaded through their entry points; read-only, so shared."""
    return Knowledge.load()
