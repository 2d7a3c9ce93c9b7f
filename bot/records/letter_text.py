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
from typing import TYPE_CHECKING, Any

from bot.records.letters import Letter

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATE = "letter.txt.j2"
BUILT_IN = Path(__file__).parent / "templates"

QUOTE_MARK = "> "
SUBJECT_MARK = "# "

_BLANK_RUNS = re.compile(r"\n{3,}")

MAX_TEMPLATE_OUTPUT = 100_000
"""Characters a letter may have (a long one is under 10,000)."""


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
            from jinja2.exceptions import SecurityError
            from jinja2.sandbox import SandboxedEnvironment

            class LetterSandbox(SandboxedEnvironment):
                """Jinja2's sandbox, and no operator that builds something huge
                (``"x" * 10**9``, ``10**10**10``): an operator's template is not trusted."""

                intercepted_binops = frozenset({"*", "**"})

                def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                    if operator == "**" and isinstance(right, int) and abs(right) > 64:
                        raise SecurityError("the exponent is too large")
                    if operator == "*":
                        for seq, times in ((left, right), (right, left)):
                            if (
                                isinstance(seq, str | list | tuple)
                                and isinstance(times, int)
                                and len(seq) * times > MAX_TEMPLATE_OUTPUT
                            ):
                                raise SecurityError("the repeated text is too long")
                    return super().call_binop(context, operator, left, right)

            paths = [BUILT_IN] if self.directory is None else [self.directory, BUILT_IN]
            self._env = LetterSandbox(
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
        except Exception as exc:  # the sandbox's OverflowError (range), 1/0, a bad call…
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise LetterTemplateError(
                f"The letter template {where} cannot be used: {reason}"
            ) from None
        if len(text) > MAX_TEMPLATE_OUTPUT:
            raise LetterTemplateError(
                f"The letter template {where} cannot be used: it wrote over "
                f"{MAX_TEMPLATE_OUTPUT:,} characters"
            )
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
