"""A letter's text as a Word document (.docx), with python-docx.

It follows the text's own layout (``bot.records.letter_text``): a paragraph per block, a
quotation in Word's "Quote" style, the subject in bold, and each placeholder the user must
fill in ("[YOUR GROUP'S NAME]") highlighted, so none is sent by mistake.  The words are the
text's, unchanged.
"""

from __future__ import annotations

import io
import re

from bot.domain.plain_text import printable
from bot.records.letter_text import QUOTE_MARK, SUBJECT_MARK, paragraphs

PLACEHOLDER = re.compile(r"(\[[A-Z][A-Z0-9'’ ,./&-]*\])")
"""Words for the user to fill in: capitals in square brackets."""


def render_docx(text: str, *, title: str) -> bytes:
    """The .docx of a letter whose text is ``text``; ``title`` goes in its properties."""
    # Imported here: only a letter needs python-docx (and lxml beneath it).
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.text.paragraph import Paragraph

    document = Document()
    document.core_properties.title = printable(title)[:255]
    document.core_properties.author = "compactbot"

    def fill(paragraph: Paragraph, lines: list[str], *, bold: bool = False) -> None:
        for i, line in enumerate(lines):
            if i:
                paragraph.add_run().add_break()
            # XML holds no control characters (lxml refuses them): a title may have had some.
            for piece in PLACEHOLDER.split(printable(line, lines=True)):
                if not piece:
                    continue
                run = paragraph.add_run(piece)
                run.bold = bold or None
                if PLACEHOLDER.fullmatch(piece):
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    for lines in paragraphs(text):
        if all(line.startswith(QUOTE_MARK.rstrip()) for line in lines):
            quoted = [line.removeprefix(QUOTE_MARK.rstrip()).lstrip() for line in lines]
            fill(document.add_paragraph(style="Quote"), quoted)
        elif len(lines) == 1 and lines[0].startswith(SUBJECT_MARK):
            fill(document.add_paragraph(), [lines[0].removeprefix(SUBJECT_MARK)], bold=True)
        else:
            fill(document.add_paragraph(), lines)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
