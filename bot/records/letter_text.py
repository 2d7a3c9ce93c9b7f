"""A letter as text, from a Jinja2 template a network can replace; and as the chat shows it.

The built-in template is ``templates/letter.txt.j2`` beside this module.  A directory given
by the ``COMPACTBOT_LETTER_TEMPLATES`` setting is searched first, so a network replaces just
the template it changes.  Templates run sandboxed with strict undefined names and receive
only the letter's data (``Letter.context``): they can reword and reorder, but every fact,
date and quotation they can show is one the letter was built with.

The text has a small layout of its own, which the .docx follows: a blank line between
paragraphs, "> " before each line of a quotation, "# " before the subject.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot.records.letters import Letter

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATE = "letter.txt.j2"
BUILT_IN = Path(__file__).parent / "templates"

QUOTE_MARK = "> "
SUBJECT_MARK = "# "

_BLANK_RUNS = re.compile(r"\n{3,}")


class LetterTemplateError(ValueError):
    """A letter template that cannot be used (bad syntax, an unknown field): one line."""


class LetterTemplates:
    """The templates letters are written with: a network's directory first, then ours."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._env: Environment | None = None

    def _environment(self) -> Environment:
        if self._env is None:
            # Imported on first use: nothing else the bot does needs Jinja2.
            from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
            from jinja2.sandbox import SandboxedEnvironment

            paths = [BUILT_IN] if self.directory is None else [self.directory, BUILT_IN]
            self._env = SandboxedEnvironment(
                loader=ChoiceLoader([FileSystemLoader(p) for p in paths]),
                undefined=StrictUndefined,
                autoescape=False,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            )
        return self._env

    def render(self, letter: Letter) -> str:
        """The letter's text; raises LetterTemplateError if the template cannot be used."""
        from jinja2 import TemplateError, TemplateSyntaxError

        where = TEMPLATE
        try:
            template = self._environment().get_template(TEMPLATE)
            where = template.filename or TEMPLATE
            text = template.render(letter.context())
        except TemplateSyntaxError as exc:
            raise LetterTemplateError(
                f"The letter template {exc.filename or where} has an error on line "
                f"{exc.lineno}: {exc.message}"
            ) from None
        except TemplateError as exc:
            raise LetterTemplateError(
                f"The letter template {where} cannot be used: {exc.message}"
            ) from None
        return tidy(text)


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one newline at the end."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)) + "\n"


def paragraphs(text: str) -> list[list[str]]:
    """The letter's paragraphs, each as its lines."""
    return [block.split("\n") for block in text.strip().split("\n\n") if block.strip()]


def chat_text(text: str) -> str:
    """The letter as a chat message: quotations indented, as the bot's replies quote."""
    out = []
    for line in text.splitlines():
        if line.startswith(QUOTE_MARK):
            line = "   " + line.removeprefix(QUOTE_MARK)
        elif line.startswith(SUBJECT_MARK):
            line = line.removeprefix(SUBJECT_MARK)
        out.append(line)
    return "\n".join(out) + "\n"
