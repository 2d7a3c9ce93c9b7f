"""Turning answers and verdicts into text a person reads (plain text: Telegram and terminal)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.duty import qualifier_note
from bot.domain.verdicts import (
    VERDICT_LABEL,
    CheckResult,
    Citation,
    strictest_all,
    verdict_label,
)
from compacts.models import TOPICS, Compact, Strength

if TYPE_CHECKING:  # annotations only: printing a check's verdict needs no answerer
    from bot.knowledge.ask import Answer, AskResult
    from bot.knowledge.registry import CompactRegistry

__all__ = ["VERDICT_LABEL", "format_ask", "format_result", "format_results", "strictest_line"]

STATUS_WORDS = {
    "adopted": "adopted",
    "consultation_draft": "consultation draft",
    "consultation_version": "text for consultation, not said to be adopted",
}


def topic_label(topic: str) -> str:
    """The short name of a topic: "consultation feedback"."""
    return TOPICS[topic].split(":")[0]


def _quote(c: Citation) -> str:
    return f"   “{c.quote}”\n   ({section_name(c.section)})"


def section_name(title: str) -> str:
    """A section's title without the source's numbering: "1) Working in partnership" ->
    "Working in partnership" (so it reads cleanly in brackets)."""
    return re.sub(r"^\s*(?:\d+[.)]|[ivx]+\))\s+", "", title)


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z“\"(])")
_SHORT_QUOTE = 220
"""A clause this short is quoted whole; a longer one by its key sentence."""


_NEGATION = re.compile(r"\b(not|no|never|nor|neither|none|cannot)\b|n't\b", re.IGNORECASE)
"""A sentence that says what something is not ("not legally binding"): never cut off."""
_FIGURE = re.compile(r"\d+|\b(one|two|three|four|five|six|eight|twelve)\b")


def key_sentence(quote: str, about: str, question: str = "") -> str:
    """The sentence of ``quote`` that answers ``question``: the one holding most of the
    question's words and the answer's figure (``about`` is the answer's text; its words
    break ties), verbatim; "…" marks what is left out.  A sentence saying what something is
    *not* is kept beside it, never cut off.  A short clause is returned whole."""
    if len(quote) <= _SHORT_QUOTE:
        return quote
    sentences = _SENTENCE_END.split(quote)
    if len(sentences) == 1:
        return quote
    from bot.knowledge.search import content_stems

    stemmed = [set(content_stems(s)) for s in sentences]
    # A question word in every sentence of the clause tells none apart: each counts by how
    # few sentences hold it.
    asked = {w: 1 / n for w in content_stems(question) if (n := sum(w in s for s in stemmed))}
    wanted = set(_words(about))
    figures = {m.group(0) for m in _FIGURE.finditer(about.lower())}

    def weight(n: int) -> tuple[float, int, int]:
        said = set(_words(sentences[n]))
        found = sum(v for w, v in asked.items() if w in stemmed[n]) + len(said & figures)
        return (found, len(said & wanted), -n)

    best = max(range(len(sentences)), key=weight)
    # What the answer's own text quotes already is not cut off.
    kept = sorted(
        {best} | {n for n, s in enumerate(sentences) if _NEGATION.search(s) and s not in about}
    )
    out = "… " if kept[0] > 0 else ""
    for i, n in enumerate(kept):
        if i and n != kept[i - 1] + 1:
            out += " …"
        out += (" " if i else "") + sentences[n]
    return out + (" …" if kept[-1] < len(sentences) - 1 else "")


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 or w.isdigit()]


def _plain(text: str) -> str:
    """The answer without a sentence that only says again what a longer one says (a
    summary before the note it summarises)."""
    sentences = _SENTENCE_END.split(text)
    words = [set(_words(s)) for s in sentences]
    kept = []
    for n, sentence in enumerate(sentences):
        mine = words[n]
        repeated = any(
            m != n and len(words[m]) > len(mine) and len(mine & words[m]) >= 0.8 * len(mine)
            for m in range(len(sentences))
        )
        if mine and not repeated and sentence not in kept:
            kept.append(sentence)
    return " ".join(kept) or text


def format_ask(
    result: AskResult, registry: CompactRegistry, limit: int = 5, *, full: bool = False
) -> str:
    """Each answer (at most ``limit``), sized for a phone: what it says and whose duty it
    is, the key sentence of its clause verbatim, and the section; with ``full``, every
    clause it quotes, whole. Compacts not shown are counted."""
    lines: list[str] = []
    for answer in result.answers[:limit]:
        compact = registry.get(answer.compact)
        text = _plain(answer.text)
        if compact.short_name not in text:
            text = f"{compact.short_name}: {text}"
        lines.append(f"• {text}")
        quoted: set[str] = set()
        # An unsure answer quotes each of the nearest clauses, as it says.
        for c in answer.citations[: None if full or answer.kind == "unsure" else 1]:
            if c.quote in quoted:
                continue
            quoted.add(c.quote)
            shown = c.quote if full else key_sentence(c.quote, answer.text, result.question)
            lines.append(f"   “{shown}” ({section_name(c.section)})")
    more = len(result.answers) - limit + result.more
    if more > 0:
        lines.append(f"(and {more} more Compact{'s' if more > 1 else ''})")
    return "\n".join(lines)


MAX_SENT = 4096
"""Telegram's limit on a message's length."""


def figure_of(answer: Answer, compact: Compact) -> str:
    """What an answer says, naming its Compact: "West Kent Compact — the public bodies'
    duty: consultations should run 12 weeks wherever possible ..."."""
    text = _plain(answer.text)
    return text if compact.short_name in text else f"{compact.short_name}: {text}"


def format_clause(
    answer: Answer,
    citation: Citation,
    compact: Compact,
    *,
    with_figure: bool = True,
    question: str = "",
) -> str:
    """One clause an answer quotes, to send on its own: the answer's figure (unless
    ``with_figure`` is False: a clause the answer quotes beside its main one), the clause word
    for word, its section and Compact; within ``MAX_SENT`` (the figure is shortened first; a
    clause too long even alone is quoted by its key sentence, "…" marking what is left out)."""
    where = f"({section_name(citation.section)}, {compact.title})"
    quote = citation.quote
    figure = figure_of(answer, compact) if with_figure else ""
    room = MAX_SENT - len(where) - len(quote) - 6
    if room < 80:
        quote = key_sentence(quote, answer.text, question)
        room = MAX_SENT - len(where) - len(quote) - 6
    if len(figure) > room:
        figure = figure[: max(room - 1, 0)].rstrip() + "…"
    clause = f"“{quote}”\n{where}"
    return (f"{figure}\n\n{clause}" if figure else clause)[:MAX_SENT]


def abridged(result: AskResult, limit: int = 5) -> list[tuple[str, list[str]]]:
    """The answers whose clauses ``format_ask`` shortened: (Compact code, commitment ids),
    for a "More" that gives them whole."""
    out = []
    for answer in result.answers[:limit]:
        cited = answer.citations
        if len(cited) > 1 or (
            cited and key_sentence(cited[0].quote, answer.text, result.question) != cited[0].quote
        ):
            out.append((answer.compact, [c.commitment for c in cited]))
    return out


def format_result(r: CheckResult) -> str:
    lines = [f"{r.compact_name}: {verdict_label(r)}"]
    lines += [f"  {reason}" for reason in r.reasons]
    for step in r.steps:
        if step.option:
            scope = f" (scope, in its words: {step.scope})" if step.scope else ""
            lines.append(f"  • {step.summary}{scope}")
        else:
            lines.append(f"  {step.n}. {step.summary}")
    lines += [f"  Note: {note}" for note in r.notes]
    for c in r.citations[:2]:
        lines.append(_quote(c))
    return "\n".join(lines)


def strictest_line(results: list[CheckResult]) -> str | None:
    """ "Strictest: Kent Compact 2011." or, on a tie, "Strictest: a tie: Kent Compact 2011 and
    Kensington and Chelsea Compact both point to 31 March 2027."; None when fewer than two
    Compacts set anything to compare."""
    if (
        sum(
            r.demand_days is not None and r.verdict not in ("no_rule", "procedure") for r in results
        )
        < 2
    ):
        return None
    tied = strictest_all(results)
    if not tied:
        return None
    if len(tied) == 1:
        return f"Strictest: {tied[0].compact_name}."
    names = [r.compact_name for r in tied]
    joined = ", ".join(names[:-1]) + f" and {names[-1]}"
    day = tied[0].demand_date
    when = f" both point to {day.day} {day:%B %Y}" if day else " ask the same"
    if len(tied) > 2:
        when = when.replace("both", "all")
    return f"Strictest: a tie: {joined}{when}."


SAID_AT_REGISTRATION = "quoted in full when it was registered"
"""Where a change's or follow-up's reply says a Compact's "no number set" was explained."""


def format_results(results: list[CheckResult], said: str | None = None) -> str:
    """Every Compact's check.  Given ``said`` (where the chat was already told, e.g. "quoted
    in full for #3"), a Compact that sets nothing here gets its verdict line and where it
    was explained, not its explanation and quotes again."""
    if not results:
        return "None of the chosen Compacts has anything to say about this."
    parts = [
        f"{r.compact_name}: {verdict_label(r)}\n  ({said})"
        if said and r.verdict == "no_rule"
        else format_result(r)
        for r in results
    ]
    line = strictest_line(results)
    if line is not None:
        parts.append(line)
    return "\n\n".join(parts)


def format_reminders(
    results: list[CheckResult], hour: int | None = None, tz: ZoneInfo | None = None
) -> str:
    """The reminders the results plan, by day; the hour and zone they go out at, if given."""
    plans = sorted({(p.due, p.text) for r in results for p in r.reminders})
    if not plans:
        return "No reminders to schedule."
    at = f" ({hour:02d}:00 {tz.key})" if hour is not None and tz is not None else ""
    lines = [f"Reminders scheduled{at}:"]
    lines += [f"  {due:%a %d %b %Y}: {text}" for due, text in plans]
    return "\n".join(lines)


def _how_firmly(strength: Strength | None, number: object) -> str:
    """ " (“usually”: not a minimum)" after a figure its text qualifies; "" for a firm one."""
    note = qualifier_note(strength) if number is not None else ""
    return f" ({note})" if note else ""


def format_show(compact: Compact, topic: str | None = None) -> str:
    ob = compact.obligations
    lines = [
        compact.title,
        f"Code {compact.code} · {compact.area} · {compact.date} · "
        f"{STATUS_WORDS.get(compact.status, compact.status)}",
        "Parties: " + "; ".join(compact.parties),
    ]
    if compact.status_note:
        lines.append(compact.status_note)
    if topic is None:
        lines.append("")
        lines.append("Rules:")
        lines.append(
            "  Consultation: "
            + (ob.consultation.standard.describe() if ob.consultation.standard else "no number")
            + (f", minimum {ob.consultation.minimum.describe()}" if ob.consultation.minimum else "")
            + _how_firmly(ob.consultation.strength, ob.consultation.standard)
        )
        lines.append(
            "  Notice before ending funding: "
            + (ob.funding_change.notice.describe() if ob.funding_change.notice else "no number")
            + _how_firmly(ob.funding_change.strength, ob.funding_change.notice)
        )
        lines.append(
            "  Replies to correspondence: "
            + (ob.correspondence.response.describe() if ob.correspondence.response else "no number")
            + _how_firmly(ob.correspondence.strength, ob.correspondence.response)
        )
        steps, options = ob.complaints.steps("public"), ob.complaints.options("public")
        procedure = [
            *([f"{len(steps)} step{'s' if len(steps) > 1 else ''} in order"] if steps else []),
            *([f"{len(options)} routes listed in no order"] if options else []),
        ]
        lines.append("  Complaints procedure: " + (", then ".join(procedure) or "none set"))
    sections = {s.id: s.title for s in compact.sections}
    shown = [c for c in compact.commitments if topic is None or topic in c.topics]
    lines.append("")
    about = f" on {topic_label(topic)}" if topic else ""
    lines.append(f"Commitments{about} ({len(shown)}):")
    current = None
    for c in shown:
        if c.section != current:
            current = c.section
            lines.append(f"[{sections[c.section]}]")
        example = ", an example, not a commitment" if c.example else ""
        if c.statement:
            example = ", about the Compact itself, not a commitment"
        lines.append(f"  {c.id} ({c.party}{example}): {c.quote}")
    return "\n".join(lines)
