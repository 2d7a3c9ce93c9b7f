"""The compliance report as text a person reads: chat text, Markdown, CSV and an HTML page.

Every figure comes with the item numbers it counts ("met the standard: 2 (#3, #7)"),
and the Markdown, CSV and HTML list every item, so a steering group can check each one.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.events import ConsultationLaunched, FundingEnding
from bot.domain.plain_text import printable, without_controls
from bot.records.compliance import ItemRecord
from bot.records.log import (
    ConsultationStarted,
    FeedbackReceived,
    ItemChanged,
    ItemClosed,
    ItemRegistered,
    ItemReopened,
    LetterDrafted,
    LogEntry,
    Logged,
    NoticeGiven,
    RegisteredEvent,
    StepCompleted,
)
from bot.records.report import KIND_TITLES, OUTCOMES, LogRow, Report

Names = Callable[[str], str]
"""A Compact's code -> the name to show for it."""

FORMATS = ("md", "csv", "html")

_COLOURS = {
    "met": "#2e7d32",
    "on_time": "#2e7d32",
    "resolved": "#2e7d32",
    "explain": "#f9a825",
    "short": "#fbc02d",
    "late": "#f9a825",
    "closed": "#9e9e9e",
    "below_minimum": "#c62828",
    "below_draft_example": "#fbc02d",
    "missed": "#c62828",
    "consultation_late": "#c62828",
    "consultation_missed": "#c62828",
    "notice_before_consultation": "#c62828",
    "unresolved": "#c62828",
    "no_rule": "#9e9e9e",
    "excluded": "#bdbdbd",
    "not_due": "#90caf9",
    "no_rationale": "#c62828",
    "consultation_unknown": "#b0bec5",
    "rationale_unknown": "#b0bec5",
    "open": "#90caf9",
}
"""Each outcome's colour in the charts; a funding row late under a "usually" is coloured
as its verdict (short), not as a breach (see ``_colour``)."""


def _day(d: date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _detail(row: LogRow) -> str:
    """How far off the row is ("12 days late"), or "" when there is nothing to measure."""
    if row.days is None:
        return ""
    if row.kind == "consultation":
        return f"{_plural(row.days, 'day')} short"
    if row.outcome in ("late", "consultation_late"):
        return f"{_plural(row.days, 'day')} late"
    if row.outcome in ("missed", "consultation_missed"):
        return f"{_plural(row.days, 'day')} overdue"
    return ""


def _ref(row: LogRow) -> str:
    detail = _detail(row)
    return f"#{row.item_id} – {detail}" if detail else f"#{row.item_id}"


def _title(report: Report) -> str:
    who = f" – {report.chat_title}" if report.chat_title else ""
    body = f" – public bodies matching “{report.body_filter}”" if report.body_filter else ""
    return f"Compact compliance report {report.period}{who}{body}"


def _preamble(report: Report) -> list[str]:
    n = len(report.item_ids)
    dated = (
        f"dated {report.year}" if report.since is None else f"dated {report.period} or still open"
    )
    lines = [
        f"As of {_day(report.as_of)}: {_plural(n, 'item')} {dated} "
        "(a consultation by its opening, a funding change by its last funded day, "
        "a complaint by the day it was raised)."
    ]
    if report.still_open:
        why = "; ".join(f"#{i} {reason}" for i, reason in sorted(report.still_open.items()))
        lines.append(f"Still open: {why}.")
    if report.cancelled:
        ids = ", ".join(f"#{i}" for i in report.cancelled)
        lines.append(f"Left out as cancelled: {ids}.")
    return lines


def empty_message(report: Report) -> str:
    scope = f" for public bodies matching “{report.body_filter}”" if report.body_filter else ""
    return (
        f"Nothing registered is dated {report.period}{scope}"
        + (" and nothing is open" if report.since is not None else "")
        + ". Register consultations "
        "(/consultation), funding changes (/funding) and complaints (/complaint) as they "
        "happen, and this report fills itself."
    )


def summary_lines(rows: list[LogRow]) -> list[str]:
    """One line per kind of item (plus feedback): counts by outcome, with item numbers."""
    lines = []
    for kind, title in KIND_TITLES.items():
        of_kind = [r for r in rows if r.kind == kind]
        if not of_kind:
            continue
        parts = []
        for outcome, label in OUTCOMES[kind].items():
            hits = [r for r in of_kind if r.outcome == outcome]
            if hits:
                parts.append(f"{label}: {len(hits)} ({', '.join(_ref(r) for r in hits)})")
        lines.append(f"{title}: {len(of_kind)} – " + "; ".join(parts))
        if kind == "consultation":
            owed = [r for r in of_kind if r.feedback_owed]
            if owed:
                got = [r for r in owed if r.feedback_on]
                missing = [r for r in owed if not r.feedback_on]
                line = f"Feedback after closing: received for {len(got)} of {len(owed)}"
                if got:
                    line += " (" + ", ".join(f"#{r.item_id}" for r in got) + ")"
                if missing:
                    line += "; not recorded: " + ", ".join(f"#{r.item_id}" for r in missing)
                lines.append(line)
    return lines


def _history_line(entry: LogEntry) -> str:
    if isinstance(entry, ItemRegistered):
        return "registered"
    if isinstance(entry, NoticeGiven):
        return f"notice recorded as given on {_day(entry.given_on)}"
    if isinstance(entry, ConsultationStarted):
        return f"consultation recorded as started on {_day(entry.started_on)}"
    if isinstance(entry, FeedbackReceived):
        return f"feedback recorded as received on {_day(entry.received_on)}"
    if isinstance(entry, StepCompleted):
        return f"step {entry.step} recorded as done on {_day(entry.completed_on)}"
    if isinstance(entry, ItemClosed):
        outcome = f" ({entry.outcome})" if entry.outcome else ""
        return f"{entry.status}{outcome}"
    if isinstance(entry, ItemChanged):
        return f"changed {entry.field}: {entry.before} → {entry.after}"
    if isinstance(entry, ItemReopened):
        return "reopened"
    if isinstance(entry, LetterDrafted):
        step = f" for step {entry.step}" if entry.step is not None else ""
        return f"letter drafted{step} to {entry.recipient}"
    return entry.kind.replace("_", " ")


def _facts(event: RegisteredEvent) -> list[tuple[str, date]]:
    if isinstance(event, ConsultationLaunched):
        return [("Opens", event.opens), ("Closes", event.closes)]
    if isinstance(event, FundingEnding):
        return [("Last funded day", event.last_funded_day)]
    return [("Raised", event.raised_on)]


def render_item(
    record: ItemRecord, rows: list[LogRow], history: list[Logged], tz: ZoneInfo, names: Names
) -> str:
    """One item of the compliance log: what it is, how each Compact sees it, its history."""
    body = f" – {record.body}" if record.body else ""
    lines = [f"#{record.item_id} {record.kind}: {record.title}{body}"]
    facts = _facts(record.event)
    lines.append(" · ".join(f"{k} {_day(v)}" for k, v in facts) + f" · {record.status}")
    for row in rows:
        notes = [_detail(row)]
        if row.deadline and row.kind != "consultation":
            notes.append(f"deadline {_day(row.deadline)}")
        extra = ", ".join(n for n in notes if n)
        lines.append(
            f"{names(row.compact)}: {row.verdict_label} – {row.outcome_label}"
            + (f" ({extra})" if extra else "")
        )
    lines.append("History:")
    for logged in history:
        lines.append(f"  {logged.at.astimezone(tz):%d %b %Y %H:%M} {_history_line(logged.entry)}")
    return "\n".join(lines)


def render_text(report: Report, names: Names) -> str:
    """The chat message: the summary, without the item list (that is in the files)."""
    if not report.rows:
        return empty_message(report)
    out = [_title(report), *_preamble(report)]
    for body, by_compact in report.groups().items():
        out.append("")
        out.append(f"▪ {body}")
        for code, rows in by_compact.items():
            out.append(f"  {names(code)}")
            out += [f"    {line}" for line in summary_lines(rows)]
    return "\n".join(out)


def render_markdown(report: Report, names: Names) -> str:
    out = [f"# {_title(report)}", "", *_preamble(report), ""]
    if not report.rows:
        return "\n".join([*out, empty_message(report), ""])
    for body, by_compact in report.groups().items():
        out.append(f"## {body}")
        for code, rows in by_compact.items():
            out += ["", f"### {names(code)}", ""]
            out += [f"- {line}" for line in summary_lines(rows)]
        out.append("")
    out += ["## Items", "", "| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    for row in report.rows:
        cells = [str(c).replace("|", "\\|") for c in _cells(row, names)]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


_COLUMNS = [
    "item",
    "kind",
    "title",
    "public body",
    "date",
    "compact",
    "outcome",
    "length (days)",
    "days short, late or open",
    "deadline",
    "notice given",
    "feedback received",
    "steps done",
    "status",
]


def _cells(row: LogRow, names: Names) -> list[str | int]:
    return [
        f"#{row.item_id}",
        row.kind,
        row.title,
        row.body,
        row.on.isoformat(),
        names(row.compact),
        row.outcome_label,
        "" if row.length_days is None else row.length_days,
        "" if row.days is None else row.days,
        row.deadline.isoformat() if row.deadline else "",
        row.notice_given_on.isoformat() if row.notice_given_on else "",
        row.feedback_on.isoformat() if row.feedback_on else "",
        row.steps_done if row.kind == "complaint" else "",
        row.status,
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a CSV cell as a formula (OWASP, "CSV Injection")."""


def spreadsheet_safe(cell: str | int) -> str | int:
    """A text cell a spreadsheet would run as a formula, with a leading ' so it is shown as
    text (OWASP's advice); numbers, negative ones too, are left numbers."""
    if isinstance(cell, str):
        cell = without_controls(cell)
        if cell.startswith(FORMULA_STARTS):
            return "'" + cell
    return cell


def _html(text: str) -> str:
    """``text`` for an HTML page: escaped, without control characters."""
    return html.escape(printable(text, lines=True))


def render_csv(report: Report, names: Names) -> str:
    """One row per item per Compact: a pivot of these rows gives every figure of the report.

    Every text cell is ``spreadsheet_safe``: titles and names are the chat's words."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["year", *_COLUMNS, "compact code", "outcome code", "verdict"])
    for row in report.rows:
        cells = [report.period, *_cells(row, names), row.compact, row.outcome, row.verdict]
        writer.writerow([spreadsheet_safe(c) for c in cells])
    return buffer.getvalue()


def _bar_chart(title: str, kind: str, report: Report, names: Names) -> str:
    """A horizontal stacked bar per (body, Compact), as inline SVG: no script, no network."""
    bars: list[tuple[str, dict[str, int]]] = []
    for body, by_compact in report.groups().items():
        for code, rows in by_compact.items():
            counts = {
                o: sum(1 for r in rows if r.kind == kind and r.outcome == o) for o in OUTCOMES[kind]
            }
            if any(counts.values()):
                bars.append((f"{body} · {names(code)}", counts))
    if not bars:
        return ""
    most = max(sum(c.values()) for _, c in bars)
    label_w, bar_w, row_h = 330, 400, 26
    height = row_h * len(bars) + 4
    parts = [
        f"<figure><figcaption>{_html(title)}</figcaption>"
        f'<svg role="img" width="{label_w + bar_w + 40}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, counts) in enumerate(bars):
        y = i * row_h
        parts.append(f'<text x="0" y="{y + 17}" font-size="13">{_html(label[:48])}</text>')
        x = float(label_w)
        for outcome, n in counts.items():
            if not n:
                continue
            w = bar_w * n / most
            name = _html(OUTCOMES[kind][outcome])
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="18" '
                f'fill="{_COLOURS[outcome]}"><title>{name}: {n}</title></rect>'
            )
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y + 17}" font-size="12" '
                f'text-anchor="middle" fill="#fff">{n}</text>'
            )
            x += w
    parts.append("</svg>")
    # The legend is HTML, so it wraps on a narrow screen instead of overflowing the chart.
    parts.append('<ul class="legend">')
    for outcome, label in OUTCOMES[kind].items():
        parts.append(f'<li><span style="background:{_COLOURS[outcome]}"></span>{_html(label)}</li>')
    parts.append("</ul></figure>")
    return "".join(parts)


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}figure{margin:1rem 0}
figcaption{font-weight:600;margin-bottom:.4rem}svg{max-width:100%;height:auto}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;font-size:.85rem}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}
"""


def _linked(line: str) -> str:
    """Escape a summary line and link each #N to the item's row in the table below."""
    return re.sub(r"#(\d+)", r'<a href="#item-\1">#\1</a>', _html(line))


def render_html(report: Report, names: Names) -> str:
    """A self-contained page: summary, two charts, and the item table."""
    e = _html
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(_title(report))}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(_title(report))}</h1>",
        *(f"<p>{e(line)}</p>" for line in _preamble(report)),
    ]
    if not report.rows:
        out.append(f"<p>{e(empty_message(report))}</p></body></html>")
        return "\n".join(out) + "\n"
    out.append(_bar_chart("Consultations by outcome", "consultation", report, names))
    out.append(_bar_chart("Funding notices by outcome", "funding", report, names))
    out.append(_bar_chart("Complaints by outcome", "complaint", report, names))
    for body, by_compact in report.groups().items():
        out.append(f"<h2>{e(body)}</h2>")
        for code, rows in by_compact.items():
            out.append(f"<h3>{e(names(code))}</h3><ul>")
            out += [f"<li>{_linked(line)}</li>" for line in summary_lines(rows)]
            out.append("</ul>")
    out.append("<h2>Items</h2><table><thead><tr>")
    out += [f"<th>{e(c)}</th>" for c in _COLUMNS]
    out.append("</tr></thead><tbody>")
    seen: set[int] = set()
    for row in report.rows:
        anchor = "" if row.item_id in seen else f' id="item-{row.item_id}"'
        seen.add(row.item_id)
        cells = "".join(f"<td>{e(str(c))}</td>" for c in _cells(row, names))
        out.append(f"<tr{anchor}>{cells}</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[Report, Names], str]] = {
    "md": render_markdown,
    "csv": render_csv,
    "html": render_html,
}
