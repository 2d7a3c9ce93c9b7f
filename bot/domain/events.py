"""Events the core publishes to plugins: something happened that a Compact speaks to.

They are pydantic models because they arrive from outside (a chat message, the
CLI) and must be valid before any plugin sees them: a consultation that closes
before it opens is refused here, once, rather than in every plugin.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from bot.domain.date_window import checked
from bot.domain.plain_text import printable


def _one_line(value: object) -> object:
    return printable(value) if isinstance(value, str) else value


Text = Annotated[
    str,
    BeforeValidator(_one_line),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
]
"""A title, name or summary: one line, no control characters (``bot.domain.plain_text``)."""
Day = Annotated[date, AfterValidator(checked)]
"""A date someone gave: within the years the bot keeps (``bot.domain.date_window``)."""


class Event(BaseModel):
    """What every event carries: where it came from, who registered it and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chat_id: int = 0
    registered_by: int | None = None
    registered_at: datetime | None = None
    """When the core stored it (from its clock); None in pure checks."""
    item_id: int | None = None
    """The stored item this event is about, once stored (None in pure checks)."""


class ConsultationLaunched(Event):
    kind: Literal["consultation"] = "consultation"
    title: Text = "Consultation"
    body: Text | None = None
    """The public body consulting."""
    opens: Day
    closes: Day
    closes_as_length: Text | None = None
    """The close as the group gave it when it was a length from the opening ("8 weeks"): a
    later change of the opening moves the close with it."""
    earlier_rounds_days: int = Field(default=0, ge=0, le=36_500)
    """Days of earlier formal consultation rounds on the same matter (West Kent counts a total)."""
    statutory: bool = False
    """The group says the consultation is required by statute (a planning application, say).
    Only their word counts: it is never inferred from the title.  A Compact that leaves such
    consultations out (the Kent 2007 draft) then gives no verdict."""

    @model_validator(mode="after")
    def _close_after_open(self) -> ConsultationLaunched:
        if self.closes < self.opens:
            raise ValueError(
                f"the consultation closes ({self.closes:%d %b %Y}) "
                f"before it opens ({self.opens:%d %b %Y})"
            )
        return self


class ConsultationClosed(Event):
    """A consultation closed: feedback to respondents is now owed."""

    kind: Literal["consultation_closed"] = "consultation_closed"
    title: Text = "Consultation"
    closed_on: Day


class FundingEnding(Event):
    """Funding ends or changes after ``last_funded_day``: what is known of it, said or
    recorded so far.  Every state the Compacts speak to can be held, including the common one
    the group learns of afterwards: notice that came after the funding ended, a decision taken
    without consultation, no rationale given."""

    kind: Literal["funding"] = "funding"
    funder: Text | None = None
    recipient: Text | None = None
    title: Text = "Funding"
    last_funded_day: Day
    """The last day funded on the current terms."""
    notice_given_on: Day | None = None
    """When notice was given (it may be after the funding ended: it was late then)."""
    consultation_started_on: Day | None = None
    consulted: bool | None = None
    """The group's word on whether the funder started a consultation on the change: True
    (with or without ``consultation_started_on``), False (none: a decision taken without
    consultation), None (not known: a verdict that depends on it is conditional)."""
    rationale_given: bool | None = None
    """Whether the decision came with a rationale: True, False, or None (not known)."""

    @property
    def consultation_known(self) -> bool | None:
        """Whether a consultation started, as far as anything recorded says."""
        return True if self.consultation_started_on is not None else self.consulted


Against = Literal["public", "vcs"]


class ComplaintRaised(Event):
    kind: Literal["complaint"] = "complaint"
    against: Against
    """Who is said to have broken the Compact: the public sector or the VCS."""
    body: Text | None = None
    summary: Text = "Complaint"
    raised_on: Day


class ComplaintStepCompleted(Event):
    """A step of the complaint procedure was completed; the next one may now be due."""

    kind: Literal["complaint_step"] = "complaint_step"
    against: Against
    step: int = Field(ge=1)
    completed_on: Day


AnyEvent = (
    ConsultationLaunched
    | ConsultationClosed
    | FundingEnding
    | ComplaintRaised
    | ComplaintStepCompleted
)
