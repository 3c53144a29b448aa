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

# A reply to one of our e-mails: (app, session, campaign, token, message, parsed, sender).
ReplyHandler = Callable[
    [App, Session, models.Campaign, models.Token, models.Message, ParsedMessage, str], None
]
# An approve-or-return verdict on one item, the same by e-mail, page or CLI; returns the
# confirmation a person reads: (app, session, campaign, approval, verdict, comment, actor,
# via, message).
Verdict = Callable[
    [
        App,
        Session,
        models.Campaign,
        models.Approval,
        str,
        str,
        str,
        str,
        models.Message | None,
    ],
    str,
]
# A deadline's moment has come: (app, session, campaign, deadline, now) -> actions taken.
Tick = Callable[[App, Session, models.Campaign, models.Deadline, datetime], int]
# A reminder for a deadline; False when there was nobody left to remind.
RemindHandler = Callable[[App, Session, models.Campaign, models.Deadline], bool]
# A message in the contractor's thread: does this step take it, and what it does with it.
ContractorTest = Callable[[models.Campaign, ParsedMessage], bool]
ContractorHandler = Callable[
    [App, Session, models.Campaign, models.Message, ParsedMessage, str], None
]


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
    handle: ContractorHandler


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
