"""The ``compactbot`` command line.

Contracts other tools rely on (keep them as they are; add, don't change):
  compactbot ask [--compact CODE]... [--json] QUESTION
  compactbot compacts
  compactbot show CODE [--topic T]
  compactbot check consultation --compact CODE --opens D --closes D [--today D] [--statutory]
                                 --json
  compactbot check funding --compact CODE --ends D [--notice D] [--consultation-start D]
                            [--consulted yes|no|unknown] [--rationale yes|no|unknown]
                            [--today D] --json
  compactbot check complaint --compact CODE --against public|vcs --json
  compactbot run [--token T] [--api-url URL] [--db PATH]
  compactbot report --db PATH --chat ID [--year Y] [--format md|csv|html] [--body B] [--out FILE]
  compactbot export --chat ID --ics FILE [--db PATH]
  compactbot migrate-db --from DB --to DB [--chat ID]
A database (--db, --from, --to) is a file path, sqlite:///PATH or postgresql://…
  compactbot letter --db PATH --chat ID --item ID [--out FILE]
Bad input exits 2 with one clear line on stderr, never a traceback: that includes a --db
that cannot be opened (missing directory, not an SQLite file), a --chat outside SQLite's
integers, dates outside 1900-2200 and bad settings in the environment.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

from bot.domain import date_window
from bot.knowledge.registry import UnknownCompact
from compacts.loader import CompactFileError
from compacts.models import TOPICS

# Each command imports what it needs when it runs: answering a question must not pay for
# the Telegram stack, the scheduler, the database or the report renderers.
if TYPE_CHECKING:
    from pydantic import ValidationError

    from bot.clock import Clock
    from bot.core import Core
    from bot.domain.events import AnyEvent
    from bot.knowledge.knowledge import Knowledge
    from bot.settings import Settings
    from storage.repository import Database

DEFAULT_TZ = "Europe/London"

T = TypeVar("T")


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


MIN_YEAR, MAX_YEAR = date_window.FIRST_YEAR, date_window.LAST_YEAR
"""Dates on the command line lie in these years: deadlines months beyond them still exist."""

MIN_CHAT_ID, MAX_CHAT_ID = -(2**63), 2**63 - 1
"""SQLite's integers (Telegram's chat ids are far inside)."""


def _iso_day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(
            f"'{text}' is outside the years {MIN_YEAR} to {MAX_YEAR} that can be checked"
        )
    return day


def _chat_id(text: str) -> int:
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or not (MIN_CHAT_ID <= int(text) <= MAX_CHAT_ID):
        raise argparse.ArgumentTypeError(f"'{text[:30]}' is not a Telegram chat id")
    return int(text)


def _item_id(text: str) -> int:
    digits = text.removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= MAX_CHAT_ID:
        raise argparse.ArgumentTypeError(f"'{text[:30]}' is not an item number")
    return int(digits)


def _year(text: str) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2200:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year between 1990 and 2200")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="compactbot", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ask = sub.add_parser("ask", help="answer a question from the Compacts")
    ask.add_argument("--compact", action="append", default=[], metavar="CODE")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("question", nargs="+")

    sub.add_parser("compacts", help="list the Compacts")

    show = sub.add_parser("show", help="show a Compact's rules and commitments")
    show.add_argument("code")
    show.add_argument("--topic", choices=sorted(TOPICS))

    check = sub.add_parser("check", help="check an event against a Compact")
    kinds = check.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    c = kinds.add_parser("consultation")
    c.add_argument("--opens", type=_iso_day, required=True)
    c.add_argument("--closes", type=_iso_day, required=True)
    c.add_argument("--title", default="Consultation")
    c.add_argument("--earlier-rounds-days", type=int, default=0)
    c.add_argument(
        "--statutory",
        action="store_true",
        help="the consultation is required by statute (a Compact that leaves such "
        "consultations out then gives no verdict)",
    )
    f = kinds.add_parser("funding")
    f.add_argument("--ends", type=_iso_day, required=True, help="last day funded on current terms")
    f.add_argument("--notice", type=_iso_day)
    f.add_argument("--consultation-start", type=_iso_day)
    facts = ("yes", "no", "unknown")
    f.add_argument(
        "--consulted",
        choices=facts,
        help="has the funder started a consultation on the change (default: unknown)",
    )
    f.add_argument(
        "--rationale",
        choices=facts,
        help="did the decision come with a rationale (default: unknown)",
    )
    f.add_argument("--title", default="Funding")
    p = kinds.add_parser("complaint")
    p.add_argument("--against", choices=["public", "vcs"], required=True)
    p.add_argument("--raised", type=_iso_day)
    for k in (c, f, p):
        k.add_argument("--compact", action="append", required=True, metavar="CODE")
        k.add_argument("--today", type=_iso_day)
        k.add_argument("--json", action="store_true")

    report = sub.add_parser("report", help="a chat's yearly compliance report")
    report.add_argument("--db", required=True, help="database file")
    report.add_argument("--chat", type=_chat_id, required=True, help="Telegram chat id")
    report.add_argument(
        "--year", type=_year, help="default: the twelve months to today, and all still open"
    )
    report.add_argument("--format", choices=("md", "csv", "html"), default="md")
    report.add_argument("--body", help="only public bodies whose name contains this")
    report.add_argument("--out", help="write to this file instead of standard output")
    report.add_argument("--today", type=_iso_day, help="report as of this day (default: today)")

    export = sub.add_parser("export", help="a chat's open deadlines as an iCalendar file")
    export.add_argument("--chat", type=_chat_id, required=True, help="Telegram chat id")
    export.add_argument("--ics", required=True, help="the .ics file to write")
    export.add_argument("--db", help="database file (default: $COMPACTBOT_DB or ./compactbot.db)")
    export.add_argument("--today", type=_iso_day, help="as of this day (default: today)")

    move = sub.add_parser(
        "migrate-db", help="copy chats' whole history to another database, and verify it"
    )
    move.add_argument("--from", dest="source", required=True, help="database to copy from")
    move.add_argument("--to", dest="target", required=True, help="database to copy into")
    move.add_argument("--chat", type=_chat_id, help="only this chat (default: every chat)")

    letter = sub.add_parser(
        "letter", help="a letter citing the Compact, for an item below it (logged in its history)"
    )
    letter.add_argument("--db", required=True, help="database file")
    letter.add_argument("--chat", type=_chat_id, required=True, help="Telegram chat id")
    letter.add_argument("--item", type=_item_id, required=True, help="the item's number")
    letter.add_argument(
        "--out", help="write the letter as a .docx to this file (default: its text on stdout)"
    )

    run = sub.add_parser("run", help="run the Telegram bot, or the terminal chat without a token")
    chat = sub.add_parser("chat", help="the terminal chat (reads stdin until EOF)")
    for r in (run, chat):
        r.add_argument("--db", help="database file (default: $COMPACTBOT_DB or ./compactbot.db)")
    run.add_argument("--token", help="Telegram bot token (default: $TELEGRAM_BOT_TOKEN)")
    run.add_argument("--api-url", help="Bot API base URL (default: $COMPACTBOT_API_URL)")
    return parser


def _event(args: argparse.Namespace, today: date) -> AnyEvent:
    """The event the flags describe, through the same form as the chat's registration."""
    from bot.chat.forms import FORMS

    form = FORMS[args.kind]
    if args.kind == "consultation":
        values = {"title": args.title, "opens": args.opens, "closes": args.closes}
        return form.event(
            values,
            today=today,
            earlier_rounds_days=args.earlier_rounds_days,
            statutory=args.statutory,
        )
    if args.kind == "funding":
        values = {
            "title": args.title,
            "ends": args.ends,
            "notice": args.notice,
            "consultation_start": args.consultation_start,
            # the chat's own words for a fact: yes, no, or "not said" (don't know)
            "consulted": {"unknown": "not said"}.get(args.consulted, args.consulted),
            "rationale": {"unknown": "not said"}.get(args.rationale, args.rationale),
        }
        return form.event(values, today=today)
    event = form.event({"against": args.against}, today=today)
    return event.model_copy(update={"raised_on": args.raised}) if args.raised else event


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    msg = str(first["msg"])
    return msg.removeprefix("Value error, ")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def cmd_check(knowledge: Knowledge, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.chat.replies import format_results
    from bot.clock import SystemClock, today_in
    from bot.domain.verdicts import strictest, strictest_all

    today = args.today or today_in(SystemClock(), ZoneInfo(DEFAULT_TZ))
    compacts = knowledge.registry.resolve(args.compact)
    try:
        event = _event(args, today)
    except ValidationError as exc:
        raise UsageError(_validation_message(exc)) from None
    try:
        results = knowledge.check(event, compacts, today)
    except OverflowError:
        raise UsageError("a date is too far in the past or future to check") from None
    if args.json:
        if len(results) == 1:
            _print_json(results[0].model_dump(mode="json"))
        else:
            top = strictest(results)
            tied = strictest_all(results)
            _print_json(
                {
                    "results": [r.model_dump(mode="json") for r in results],
                    "strictest": top.compact if top else None,
                    # Compacts that ask the same on the same date, as firmly: a tie, in code order.
                    "strictest_tie": [r.compact for r in tied] if len(tied) > 1 else [],
                }
            )
    else:
        print(format_results(results))
    return 0


SHOWN = 5
"""Answers shown for a question (the first five Compacts; the rest are counted, not built)."""


def cmd_ask(knowledge: Knowledge, args: argparse.Namespace) -> int:
    from bot.chat.replies import format_ask
    from bot.knowledge.ask import BadQuestion

    try:
        result = knowledge.answerer.ask(" ".join(args.question), args.compact or None, limit=SHOWN)
    except BadQuestion as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json(result.as_json())
    else:
        print(format_ask(result, knowledge.registry, limit=SHOWN))
    return 0


def cmd_compacts(knowledge: Knowledge) -> int:
    from bot.chat.replies import STATUS_WORDS

    for code in knowledge.registry.codes:
        c = knowledge.registry.get(code)
        status = STATUS_WORDS.get(c.status, c.status)
        print(f"{code:<16} {c.title} ({c.area}, {c.date or 'undated'}, {status})")
    return 0


def cmd_show(knowledge: Knowledge, args: argparse.Namespace) -> int:
    from bot.chat.replies import format_show

    print(format_show(knowledge.registry.get(args.code.lower()), args.topic))
    return 0


def _is_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def _file_of(target: str) -> Path:
    """The file an SQLite target names (a path or sqlite:///path)."""
    if target.startswith("sqlite:///"):
        return Path(target.removeprefix("sqlite:///"))
    if "://" in target or target.startswith("sqlite:"):
        scheme = target.split(":", 1)[0]
        raise UsageError(
            f"'{scheme}:' is not a database this bot knows: give a file path, sqlite:///PATH"
            " or postgresql://…"
        )
    return Path(target)


def _existing_db(target: str | Path) -> str:
    target = str(target)
    if not _is_url(target) and not _file_of(target).is_file():
        raise UsageError(f"no database at {target}")
    return target


async def _open_db(target: str | Path, clock: Clock) -> Database:
    """The database ``target`` names (a file is created if missing), or a UsageError
    saying why not."""
    from storage.repository import Database, DatabaseUnavailable

    target = str(target)
    if not _is_url(target):
        path = _file_of(target)
        if not path.parent.is_dir():
            raise UsageError(f"cannot open the database {path}: no directory {path.parent}")
    try:
        return await Database.open(target, clock=clock)
    except DatabaseUnavailable as exc:  # not a database, unreachable, read-only, locked …
        raise UsageError(str(exc)) from None


async def _check_db(target: str) -> None:
    """Open and close the database before a long-running command starts on it."""
    from bot.clock import SystemClock

    db = await _open_db(target, SystemClock())
    await db.close()


def _settings(**overrides: Any) -> Settings:
    """The settings from the environment (and .env); a bad value is bad input."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "a setting"
        raise UsageError(f"bad setting {where}: {_validation_message(exc)}") from None


async def _with_core(
    db_path: str,
    knowledge: Knowledge,
    work: Callable[[Core], Awaitable[T]],
    today: date | None = None,
) -> T:
    """Run ``work`` on a core over an existing database, without a scheduler (nothing is sent)."""
    from bot.clock import SystemClock, fixed_day_clock
    from bot.core import Core

    settings = _settings()
    zone = settings.timezone
    clock = fixed_day_clock(today, ZoneInfo(zone)) if today else SystemClock()
    db = await _open_db(db_path, clock)
    try:
        core = Core(
            knowledge,
            db,
            default_timezone=zone,
            clock=clock,
            letter_templates=settings.letter_templates,
        )
        return await work(core)
    finally:
        await db.close()


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def cmd_report(knowledge: Knowledge, args: argparse.Namespace) -> int:
    import asyncio

    from bot.records.report_formats import RENDERERS

    db_path = _existing_db(args.db)
    report = asyncio.run(
        _with_core(
            db_path,
            knowledge,
            lambda core: core.report(args.chat, args.year, args.body),
            args.today,
        )
    )
    text = RENDERERS[args.format](report, knowledge.registry.display_name)
    if args.out:
        _write(args.out, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def cmd_export(knowledge: Knowledge, args: argparse.Namespace) -> int:
    import asyncio

    db_path = _existing_db(args.db or _settings().db)
    cal = asyncio.run(
        _with_core(db_path, knowledge, lambda core: core.calendar(args.chat), args.today)
    )
    _write(args.ics, cal.ics)
    print(f"Wrote {args.ics}: {cal.deadlines} deadline(s), {cal.reminders} reminder(s).")
    return 0


def _same_database(a: str, b: str) -> bool:
    if _is_url(a) or _is_url(b):
        return a.rstrip("/") == b.rstrip("/")
    return _file_of(a).resolve() == _file_of(b).resolve()


async def _migrate_db(source_target: str, to: str, chat: int | None) -> Any:
    from bot.clock import SystemClock
    from storage.transfer import TransferRefused, copy_history

    source = await _open_db(source_target, SystemClock())
    try:
        target = await _open_db(to, SystemClock())
        try:
            return await copy_history(source, target, chat)
        except TransferRefused as exc:
            raise UsageError(f"nothing copied: {exc}") from None
        except Exception as exc:  # a database's refusal mid-copy: rolled back, one line
            said = str(exc).strip().splitlines()
            detail = f": {said[0][:200]}" if said else ""
            raise UsageError(
                f"nothing copied: the target refused the copy ({type(exc).__name__}{detail})"
            ) from None
        finally:
            await target.close()
    finally:
        await source.close()


def cmd_migrate_db(args: argparse.Namespace) -> int:
    import asyncio

    source = _existing_db(args.source)
    if _same_database(source, args.target):
        raise UsageError("--from and --to name the same database")
    copied = asyncio.run(_migrate_db(source, args.target, args.chat))
    print(f"Copied {copied.chats} chat(s); read back from the target and verified:")
    for table, (rows, checksum) in copied.tables.items():
        print(f"  {table:<14} {rows:>8} rows  sha256 {checksum[:16]}")
    return 0


class _NoLetter(Exception):
    """The item needs no letter (it meets its Compact, has no rule ...): exit status 1."""


def cmd_letter(knowledge: Knowledge, args: argparse.Namespace) -> int:
    """A letter for one item: its text on stdout, or its .docx in ``--out``; either way it is
    logged in the item's history, as ``/letter`` logs it (with no one as its author)."""
    import asyncio

    from bot.core import FollowUpError, WrittenLetter
    from bot.records.letter_text import LetterTemplateError, chat_text
    from bot.records.letters import LetterRefused

    db_path = _existing_db(args.db)
    out = Path(args.out) if args.out else None
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: no directory {out.parent}")

    async def work(core: Core) -> list[WrittenLetter]:
        try:
            return await core.write_letters(args.chat, args.item, None)
        except FollowUpError as exc:
            if not await core.knows_chat(args.chat):
                raise UsageError(f"chat {args.chat} has nothing on record in {args.db}") from None
            raise UsageError(f"{exc} in chat {args.chat}") from None
        except LetterTemplateError as exc:
            raise UsageError(str(exc)) from None
        except LetterRefused as exc:
            raise _NoLetter(str(exc)) from None

    try:
        written = asyncio.run(_with_core(db_path, knowledge, work, _settings().today))
    except _NoLetter as exc:
        print(f"compactbot: {exc}", file=sys.stderr)
        return 1
    if out is None:
        sys.stdout.write("\n\n".join(chat_text(w.text) for w in written))
        return 0
    for k, w in enumerate(written, start=1):
        path = out if k == 1 else out.with_name(f"{out.stem}-{k}{out.suffix}")
        _write(str(path), w.docx)
        print(f"Wrote {path}: a letter for item #{args.item} to {w.letter.recipient}.")
    return 0


def cmd_run(args: argparse.Namespace, *, terminal: bool) -> int:
    import asyncio

    overrides = {
        k: v
        for k, v in (
            ("telegram_bot_token", getattr(args, "token", None)),
            ("api_url", getattr(args, "api_url", None)),
            ("db", args.db),
        )
        if v
    }
    settings = _settings(**overrides)
    asyncio.run(_check_db(settings.db))
    if settings.telegram_bot_token and not terminal:
        from telegram.error import InvalidToken, NetworkError

        from bot.frontends.telegram import run_telegram

        try:
            run_telegram(settings)
        except InvalidToken:
            raise UsageError(
                "Telegram refused the bot token (TELEGRAM_BOT_TOKEN or --token)"
            ) from None
        except NetworkError as exc:
            print(f"compactbot: cannot reach the Telegram Bot API: {exc.message}", file=sys.stderr)
            return 1
        return 0
    from bot.frontends.terminal import run_terminal

    return asyncio.run(run_terminal(settings, sys.stdin, sys.stdout))


def main(argv: Sequence[str] | None = None, *, knowledge: Knowledge | None = None) -> int:
    """Run one command; ``knowledge`` spares loading the Compacts again (tests, embedding)."""
    try:
        args = build_parser().parse_args(argv)
        if args.command in ("run", "chat"):
            return cmd_run(args, terminal=args.command == "chat")
        if args.command == "migrate-db":
            return cmd_migrate_db(args)
        if knowledge is None:
            from bot.knowledge.knowledge import Knowledge

            knowledge = Knowledge.load()
        if args.command == "ask":
            return cmd_ask(knowledge, args)
        if args.command == "compacts":
            return cmd_compacts(knowledge)
        if args.command == "show":
            return cmd_show(knowledge, args)
        if args.command == "report":
            return cmd_report(knowledge, args)
        if args.command == "export":
            return cmd_export(knowledge, args)
        if args.command == "letter":
            return cmd_letter(knowledge, args)
        return cmd_check(knowledge, args)
    except (UsageError, UnknownCompact) as exc:
        print(f"compactbot: {exc}", file=sys.stderr)
        return 2
    except CompactFileError as exc:
        print(f"compactbot: bad Compact file: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
