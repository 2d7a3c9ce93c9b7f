"""What a short message means when it is not a command: a greeting, a question, a yes or no.

While a registration waits for a field, people still say hello, ask how long a
consultation must be, or type "confirm" where the funder was asked for.  Only an answer that
reads as the field fills it (``bot.chat.registration``); these tell the rest apart.  Pure:
no I/O.
"""

from __future__ import annotations

import re

GREETING = re.compile(
    r"(hi|hello|hey|hiya|yo|good (morning|afternoon|evening|day)|morning|afternoon|evening"
    r"|thanks|thank you|thank you very much|thanks a lot|many thanks|cheers|ta"
    r"|what can you do|what do you do|who are you|what are you|how does this work"
    r"|how do (i|we) use (you|this)|start|help)( (bot|there|compactbot|everyone|all))?",
)

_YES = frozenset(
    "yes|y|yeah|yep|yup|ok|okay|k|confirm|confirmed|correct|right|that's right|thats right|"
    "that is right|looks good|looks right|all good|fine|go ahead|store it|save it|sure|"
    "yes please|yes that's right|yes correct|perfect|great".split("|")
)
_NO = frozenset(
    "no|n|nope|nah|change|change it|wrong|not right|that's wrong|thats wrong|incorrect|"
    "edit|fix|fix it|no that's wrong|not quite".split("|")
)
_STOP = frozenset("stop|cancel|quit|abandon|forget it|never mind|nevermind".split("|"))
_ASKING_WORDS = frozenset(
    "how what when who whom whose which why where is are does do did can could should must "
    "will would has have was were may might shall".split()
)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower().replace("’", "'")).split())


def is_greeting(text: str) -> bool:
    """Hello, thanks, "what can you do?": a social message, not a question to look up."""
    return bool(GREETING.fullmatch(_plain(text)))


def is_yes(text: str) -> bool:
    return _plain(text) in _YES


def is_no(text: str) -> bool:
    return _plain(text) in _NO


def is_stop(text: str) -> bool:
    return _plain(text) in _STOP


def is_question(text: str) -> bool:
    """A question for the bot rather than an answer to one: it ends with "?", or opens with
    a question word and runs to three words or more ("how long must a consultation be")."""
    stripped = text.strip()
    if stripped.endswith("?"):
        return True
    words = _plain(stripped).split()
    return len(words) >= 3 and words[0] in _ASKING_WORDS


def is_not_an_answer(text: str) -> bool:
    """Greetings, yes/no and stop words: never a title, a body or a summary."""
    return is_greeting(text) or is_yes(text) or is_no(text) or is_stop(text)
