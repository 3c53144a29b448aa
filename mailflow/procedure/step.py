"""How a step module says, in one place, what it answers and what its deadlines do.

Each step module ends with ``STEP = Step(...)``; :mod:`mailflow.procedure.pipeline` merges
the tables, and the dispatchers (``inbox``, ``decisions``, ``due``) only look things up in
them. Adding a reply, a reminder or a deadline to a step is an entry in its own table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.db import models
from mailflow.mail.parse import ParsedMessage


@dataclass(frozen=True)
class Incoming:
    """A message of ours as it arrived: its token, its row, what was read, who sent it."""

    token: models.Token
    message: models.Message
    parsed: ParsedMessage
    sender: str  # the effective sender: a firm's mail forwarded by the coordinator is the firm's

    @property
    def text(self) -> str:
        """What the sender wrote (the reply reader's new text, without the quoted history)."""
        return self.parsed.reply.new_text if self.parsed.reply else ""


@dataclass(frozen=True)
class Ruling:
    """One verdict on a waiting approval, and who gave it through which channel."""

    approval: models.Approval
    verdict: str  # "approve" or "return"
    comment: str
    actor: str
    via: str
    message: models.Message | None = None

    @property
    def approves(self) -> bool:
        return self.verdict == "approve"


# A reply to one of our e-mails, or a message in the contractor's thread.
ReplyHandler = Callable[[App, Session, models.Campaign, Incoming], None]
# An approve-or-return verdict on one item; returns the confirmation a person reads.
Verdict = Callable[[App, Session, models.Campaign, Ruling], str]
# A deadline's moment has come: (app, session, campaign, deadline, now) -> actions taken.
Tick = Callable[[App, Session, models.Campaign, models.Deadline, datetime], int]
# A reminder for a deadline; False when there was nobody left to remind.
RemindHandler = Callable[[App, Session, models.Campaign, models.Deadline], bool]
# Does a step take this message from the contractor (at the campaign's current step)?
ContractorTest = Callable[[models.Campaign, ParsedMessage], bool]


@dataclass(frozen=True)
class Reply:
    handle: ReplyHandler
    # The firm's mail forwarded by the coordinator counts as the firm's own (vendor threads).
    forwardable: bool = False
    # A decision is taken only from a sender whose domain passes DMARC or DKIM.
    authenticated: bool = False


@dataclass(frozen=True)
class Reminder:
    send: RemindHandler
    # "Please answer by <date>" after that date is noise: skip it once the deadline passed.
    only_before_due: bool = False


@dataclass(frozen=True)
class ContractorRule:
    accepts: ContractorTest
    handle: ReplyHandler


@dataclass(frozen=True)
class Step:
    """One IN-13 step's part in the dispatch tables (``number`` None: not a step of its own)."""

    number: int | None
    replies: Mapping[str, Reply] = field(default_factory=dict)  # token purpose -> reply
    decisions: Mapping[str, Verdict] = field(default_factory=dict)  # approval item -> verdict
    reminders: Mapping[str, Reminder] = field(default_factory=dict)  # deadline kind -> reminder
    escalations: Mapping[str, Tick] = field(default_factory=dict)  # deadline kind -> escalation
    due: Mapping[str, Tick] = field(default_factory=dict)  # deadline kind -> at its moment
    contractor: ContractorRule | None = None  # what this step takes from the contractor
