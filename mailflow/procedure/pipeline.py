"""The steps' tables merged: which function answers a reply, a verdict or a deadline.

Every step module declares its part at its end (``STEP = Step(...)``); this module only
puts them together, checks that no two steps claim the same thing, and routes the
contractor's thread, which spans steps 2 to 5.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.db import models
from mailflow.procedure import (
    approvals,
    audit,
    contract,
    inquiry,
    monitoring,
    publication,
    questionnaire,
    results,
    topics,
)
from mailflow.procedure.common import NeedsReview
from mailflow.procedure.step import ContractorRule, Incoming, Reminder, Reply, Step, Tick, Verdict

STEPS: tuple[Step, ...] = (
    topics.STEP,
    inquiry.STEP,
    contract.STEP,
    questionnaire.STEP,
    monitoring.STEP,
    results.STEP,
    audit.STEP,
    publication.STEP,
    approvals.STEP,
)
T = TypeVar("T")


def merged(tables: Iterable[Mapping[str, T]]) -> dict[str, T]:
    """One table of all the steps' entries; a key claimed twice is a programming error."""
    found: dict[str, T] = {}
    for table in tables:
        for key, value in table.items():
            if key in found:
                raise RuntimeError(f"two steps claim {key!r}")
            found[key] = value
    return found


def on_contractor_message(
    app: App, session: Session, campaign: models.Campaign, m: Incoming
) -> None:
    """Whatever the contractor sends: results, progress, a draft questionnaire or a question.

    The latest step that accepts the message takes it: a data file is results even when it
    comes with a progress line, and a draft counts as one only at step 3.
    """
    for rule in CONTRACTOR_RULES:
        if rule.accepts(campaign, m.parsed):
            rule.handle(app, session, campaign, m)
            return
    raise NeedsReview(
        f"a message from the contractor read as {m.parsed.kind!r} at step {campaign.step}"
    )


DECISIONS: dict[str, Verdict] = merged(step.decisions for step in STEPS)
REMINDERS: dict[str, Reminder] = merged(step.reminders for step in STEPS)
ESCALATIONS: dict[str, Tick] = merged(step.escalations for step in STEPS)
DUE: dict[str, Tick] = merged(step.due for step in STEPS)
CONTRACTOR_RULES: tuple[ContractorRule, ...] = tuple(
    step.contractor
    for step in sorted(STEPS, key=lambda s: -1 if s.number is None else s.number, reverse=True)
    if step.contractor is not None
)
# The contractor's thread is opened by the contract (step 2) and used until the results.
REPLIES: dict[str, Reply] = merged(
    [
        *(step.replies for step in STEPS),
        {"contractor": Reply(on_contractor_message, forwardable=True)},
    ]
)
