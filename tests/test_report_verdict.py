"""Report = verdict: the registration reply, the last re-check, /item and the CSV row of
/report all give an item the same verdict, on every path.

Each test drives the chat as a group would (a real core over a real SQLite file, the clock
moved by hand) and reads the verdict label each of the four places shows for one Compact.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.clock import ManualClock
from bot.core import Core
from bot.domain.events import FundingEnding
from bot.domain.verdicts import VERDICT_LABEL
from bot.knowledge.knowledge import Knowledge
from bot.records.log import NoticeGiven
from bot.records.report import OUTCOMES
from storage.repository import Database

CHAT, ADMIN = -900, 4


async def _yes() -> bool:
    return True


@dataclass
class Group:
    conversation: Conversation
    clock: ManualClock

    @property
    def core(self) -> Core:
        return self.conversation.core

    def on(self, day: date) -> None:
        self.clock.set(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))

    async def say(self, text: str) -> list[Reply]:
        msg = Incoming(CHAT, ADMIN, "Ada", text, private=False, is_admin=_yes)
        return await self.conversation.handle_text(msg)

    async def text(self, text: str) -> str:
        return "\n".join(r.text for r in await self.say(text))

    async def register(self, command: str, *answers: str) -> tuple[int, str]:
        """Register through the guided registration, answering its questions (has a
        consultation started? did a rationale come?) with ``answers``; the item's id and the
        reply."""
        readback = (await self.say(command))[-1]
        for answer in answers:
            assert "(or 'stop')" in readback.text, readback.text
            readback = (await self.say(answer))[-1]
        assert "Is this right?" in readback.text, readback.text
        press = readback.buttons[0][0].data
        done = (await self.conversation.handle_button(CHAT, ADMIN, press, _yes)).text
        found = re.search(r"Registered as item #(\d+)", done)
        assert found, done
        return int(found.group(1)), done

    async def csv_row(self, item: int, code: str, year: int) -> dict[str, str]:
        [report] = await self.say(f"/report {year}")
        [sheet] = [f for f in report.files if f.filename.endswith(".csv")]
        rows = csv.DictReader(io.StringIO(sheet.content.decode("utf-8")))
        [row] = [r for r in rows if r["item"] == f"#{item}" and r["compact code"] == code]
        return row


@pytest.fixture
async def group(db: Database, knowledge: Knowledge) -> AsyncIterator[Group]:
    clock = ManualClock(datetime(2026, 11, 25, 12, tzinfo=UTC))
    yield Group(Conversation(Core(knowledge, db, clock=clock)), clock)


def verdict_in_reply(reply: str, name: str) -> str:
    """The verdict label a chat reply gives one Compact ("Kent Compact 2011: ❌ ...")."""
    [line] = [line for line in reply.splitlines() if line.startswith(f"{name}: ")]
    return line.removeprefix(f"{name}: ")


def item_line(item_text: str, display: str) -> str:
    [line] = [line for line in item_text.splitlines() if line.startswith(f"{display}: ")]
    return line.removeprefix(f"{display}: ")


async def agree(
    group: Group,
    item: int,
    code: str,
    replies: list[str],
    outcome: str,
    year: int,
) -> dict[str, str]:
    """The chat's replies (registration, re-checks), /item and the CSV row give ``code`` one
    verdict; the CSV's outcome is ``outcome`` and /item says its label."""
    compact = group.core.knowledge.registry.get(code)
    labels = {verdict_in_reply(reply, compact.short_name) for reply in replies}
    assert len(labels) == 1, labels
    [label] = labels
    shown = item_line(
        await group.text(f"/item {item}"), group.core.knowledge.registry.display_name(code)
    )
    row = await group.csv_row(item, code, year)
    assert shown.startswith(f"{label} – "), (shown, label)
    assert row["verdict"] in VERDICT_LABEL and VERDICT_LABEL[row["verdict"]] == label  # type: ignore[index]
    assert row["outcome code"] == outcome
    kind = row["kind"]
    assert OUTCOMES[kind][outcome] in shown and row["outcome"] == OUTCOMES[kind][outcome]
    return row


async def test_late_consultation_start(group: Group) -> None:
    """Kent 2011: three months of consultation "shall be undertaken, prior to" notice."""
    group.on(date(2027, 1, 15))
    await group.text("/compact kent-2011")
    item, registered = await group.register(
        "/funding Youth grant from KCC, last funded day 30 June 2027", "no", "yes"
    )
    # The consultation had to start by 30 December 2026 (over before notice, due 31 March);
    # the group says none has started.
    assert (
        "You said no consultation has started, and it must have started by 30 December 2026"
        in registered
    )
    recheck = await group.text(f"/consulted {item} 10 Jan 2027")
    assert "The consultation started on 10 January 2027, 11 days late." in recheck
    row = await agree(group, item, "kent-2011", [registered, recheck], "consultation_late", 2027)
    assert row["verdict"] == "breach" and row["days short, late or open"] == "11"
    assert row["deadline"] == "2026-12-30"


async def test_notice_before_the_consultation_had_run(group: Group) -> None:
    group.on(date(2027, 1, 20))
    await group.text("/compact kent-2011")
    item, registered = await group.register(
        "/funding Youth grant from KCC, last funded day 30 June 2027, notice given 15 Jan 2027",
        "no",
        "yes",
    )
    recheck = await group.text(f"/consulted {item} 1 Dec 2026")
    assert (
        "Notice came 45 days after the consultation started, before its 3 months were up: the "
        "3 months of consultation must come before it, so notice could not come before "
        "2 March 2027."
    ) in recheck
    row = await agree(
        group, item, "kent-2011", [registered, recheck], "notice_before_consultation", 2027
    )
    assert row["verdict"] == "breach"


async def test_notice_before_the_consultation_started_is_said_without_negative_days(
    group: Group,
) -> None:
    group.on(date(2027, 2, 1))
    await group.text("/compact kent-2011")
    item, registered = await group.register(
        "/funding Youth grant from KCC, last funded day 30 June 2027, notice given 5 Jan 2027, "
        "consultation started 27 Jan 2027",
        "yes",  # a rationale came; the day the consultation started says it started
    )
    assert "Notice came 22 days before the consultation started" in registered
    assert not re.search(r"-\d", registered)
    row = await agree(group, item, "kent-2011", [registered], "notice_before_consultation", 2027)
    assert not row["days short, late or open"].startswith("-")


async def test_a_consultation_recorded_after_notice_is_below_the_compact(group: Group) -> None:
    """/consulted with a day after the recorded notice is taken, and re-checked (the core no
    longer refuses it as if the Compact's order were a fact)."""
    group.on(date(2027, 1, 10))
    await group.text("/compact kent-2011")
    item, registered = await group.register(
        "/funding Youth grant from KCC, last funded day 30 June 2027", "no", "yes"
    )
    notice = await group.text(f"/notice {item} 5 Jan 2027")
    group.on(date(2027, 2, 1))
    recheck = await group.text(f"/consulted {item} 27 Jan 2027")
    assert "Notice came 22 days before the consultation started" in recheck
    assert not re.search(r"-\d", recheck)
    row = await agree(
        group, item, "kent-2011", [registered, notice, recheck], "notice_before_consultation", 2027
    )
    assert row["verdict"] == "breach"


async def test_notice_late_under_a_minimum_and_under_a_usual(group: Group) -> None:
    group.on(date(2027, 1, 10))
    await group.text("/compact rbkc perth-kinross")
    item, registered = await group.register(
        "/funding Advice contract from Perth & Kinross Council, last funded day 31 March 2027",
        "yes",
    )
    recheck = await group.text(f"/notice {item} 5 Jan 2027")
    assert "Notice given on 5 January 2027 was 5 days late." in recheck
    assert "Warning given on 5 January 2027 came 97 days after the usual date." in recheck
    rbkc = await agree(group, item, "rbkc", [registered, recheck], "late", 2027)
    assert rbkc["verdict"] == "breach" and rbkc["days short, late or open"] == "5"
    # "usually six months or more": short of what it asks, not a breach.
    pk = await agree(group, item, "perth-kinross", [registered, recheck], "late", 2027)
    assert pk["verdict"] == "short" and pk["days short, late or open"] == "97"


async def test_not_yet_due_then_lapsed(group: Group) -> None:
    await group.text("/compact kent-2011 rbkc")
    # Not known yet, and nothing turns on it yet: no deadline has passed, no decision is out.
    item, registered = await group.register(
        "/funding Youth grant from KCC, last funded day 30 June 2027", "don't know", "don't know"
    )
    group.on(date(2026, 12, 2))
    recheck = await group.text(f"/consulted {item} 1 Dec 2026")
    for code in ("kent-2011", "rbkc"):
        row = await agree(group, item, code, [registered, recheck], "not_due", 2027)
        assert row["verdict"] == "meets"

    # 31 March 2027 passes with no notice recorded: /item and the report say what a re-check
    # that day says, because the check that gave the verdict said what it lapses to.
    group.on(date(2027, 4, 2))
    record, _ = await group.core.item_history(CHAT, item)
    assert isinstance(record.event, FundingEnding)
    event = record.event.model_copy(
        update={"consultation_started_on": record.consultation_started_on}
    )
    for code in ("kent-2011", "rbkc"):
        [now] = group.core.check(event, [code], date(2027, 4, 2))
        assert (now.verdict, now.finding) == ("breach", "missed")
        shown = item_line(
            await group.text(f"/item {item}"), group.core.knowledge.registry.display_name(code)
        )
        assert shown.startswith(f"{VERDICT_LABEL['breach']} – {OUTCOMES['funding']['missed']}")
        row = await group.csv_row(item, code, 2027)
        assert (row["verdict"], row["outcome code"]) == ("breach", "missed")
        assert row["days short, late or open"] == "2"


async def test_no_rule(group: Group) -> None:
    await group.text("/compact west-kent")
    item, registered = await group.register(
        "/funding Youth grant from Sevenoaks DC, last funded day 30 June 2027"
    )
    recheck = await group.text(f"/notice {item} 20 Nov 2026")
    row = await agree(group, item, "west-kent", [registered, recheck], "no_rule", 2027)
    assert row["verdict"] == "no_rule"


async def test_a_complaint_is_never_said_to_meet_the_compact(group: Group) -> None:
    await group.text("/compact rbkc perth-kinross")
    item, registered = await group.register(
        "/complaint against Kensington and Chelsea council: they ignored our letters"
    )
    assert "meets the Compact" not in registered and "Strictest" not in registered
    for code in ("rbkc", "perth-kinross"):
        compact = group.core.knowledge.registry.get(code)
        label = verdict_in_reply(registered, compact.short_name)
        shown = item_line(
            await group.text(f"/item {item}"), group.core.knowledge.registry.display_name(code)
        )
        assert shown.startswith(f"{label} – still open")
    assert (
        verdict_in_reply(registered, "Kensington and Chelsea Compact") == VERDICT_LABEL["procedure"]
    )
    assert verdict_in_reply(registered, "Perth & Kinross Compact") == "— no procedure set"
    row = await group.csv_row(item, "rbkc", 2026)
    assert (row["verdict"], row["outcome code"]) == ("procedure", "open")


async def test_a_consultation_short_of_a_soft_standard(group: Group) -> None:
    await group.text("/compact rbkc")
    item, registered = await group.register(
        "/consultation Parks plan, opens 1 Dec 2026, closes 26 Jan 2027, by RBKC"
    )
    row = await agree(group, item, "rbkc", [registered], "short", 2026)
    assert row["verdict"] == "short" and row["days short, late or open"] == "28"


async def test_a_chat_following_no_compact_gets_no_recheck_from_any(group: Group) -> None:
    item, registered = await group.register(
        "/funding Youth grant from KCC, last funded day 30 June 2027"
    )
    assert "This chat follows no Compact yet, so I can't check it." in registered
    recheck = await group.text(f"/notice {item} 20 Nov 2026")
    assert "None of the chosen Compacts has anything to say about this." in recheck
    for name in ("Kent Compact 2011", "Perth & Kinross", "Kensington", "West Kent", "draft"):
        assert name not in recheck
    _, history = await group.core.item_history(CHAT, item)
    [notice] = [logged.entry for logged in history if isinstance(logged.entry, NoticeGiven)]
    assert notice.results == []
    # Choosing Compacts later does not change what the item was registered under.
    await group.text("/compact kent-2011 perth-kinross")
    again = await group.text(f"/consulted {item} 19 Nov 2026")
    assert "None of the chosen Compacts has anything to say about this." in again
