"""Slowing down one person who floods a group, so everyone else is still answered.

Each person in a group may send ``limit`` commands or questions to the bot within
``window`` seconds; the next one gets one short "slow down" note, and everything they send
for ``quiet`` seconds after that is ignored.  Private chats are never throttled: there the
person only slows themselves.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from bot.clock import Clock

Verdict = Literal["go", "warn", "ignore"]


@dataclass
class _Sender:
    recent: deque[float] = field(default_factory=deque)
    quiet_until: float = float("-inf")


class Throttle:
    def __init__(
        self, clock: Clock, *, limit: int = 10, window: float = 20.0, quiet: float = 60.0
    ) -> None:
        self._clock = clock
        self.limit = limit
        self.window = window
        self.quiet = quiet
        self._senders: dict[tuple[int, int], _Sender] = {}

    def check(self, chat_id: int, user_id: int) -> Verdict:
        """Whether to answer this message: go, warn (once, then quiet) or ignore."""
        now = self._clock.monotonic()
        if len(self._senders) > 10_000:  # forget people who have gone quiet
            self._senders = {
                k: s
                for k, s in self._senders.items()
                if s.recent and now - s.recent[-1] < self.window
            }
        sender = self._senders.setdefault((chat_id, user_id), _Sender())
        if now < sender.quiet_until:
            return "ignore"
        while sender.recent and now - sender.recent[0] > self.window:
            sender.recent.popleft()
        if len(sender.recent) >= self.limit:
            sender.quiet_until = now + self.quiet
            sender.recent.clear()
            return "warn"
        sender.recent.append(now)
        return "go"


SLOW_DOWN = (
    "That's a lot of messages at once: I'll pause for a minute on yours so the rest of the "
    "group still gets answers. Nothing was changed."
)
