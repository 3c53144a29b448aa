"""A verdict on a waiting item: approve or return, by e-mail, on the page or the CLI.

``decide`` routes it to the step whose item it is (the steps' ``decisions`` tables);
``on_decision`` reads it from a reply, and never guesses.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mailflow import letters
from mailflow.app import App
from mailflow.db import models
from mailflow.errors import UserError
from mailflow.procedure.approvals import approval_answered
from mailflow.procedure.common import NeedsReview, confirm_in_thread
from mailflow.procedure.pipeline import DECISIONS
from mailflow.procedure.step import Incoming, Reply, Ruling
from mailflow.reading.kinds import read_decision
from mailflow.reading.model import Decision


def decide(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    verdict: str,
    comment: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    """Approve or return one waiting item: the same effect by e-mail, on the page or the CLI."""
    if verdict == "return" and not comment.strip():
        raise UserError.of("a return needs a comment saying what to correct")
    verdict_on = DECISIONS.get(approval.item)
    if verdict_on is None:
        raise UserError.of("%(item)s is not decided by approve or return", item=approval.item)
    return verdict_on(
        app, session, campaign, Ruling(approval, verdict, comment, actor, via, message)
    )


def _clear_decision(m: Incoming) -> tuple[str, str]:
    """(verdict, comment) of a reply that says ZATWIERDZAM or ZWRACAM, and nothing unclear."""
    parsed = m.parsed
    decision: Decision | None = parsed.decision
    if parsed.kind != "decision" and not parsed.needs_review:
        # The token says a decision is expected here; the reader does not count every thread
        # as a routing one (the catalogue's approval travels in the ZAG thread of step 0).
        decision, _reasons = read_decision(m.text)
    if decision is None or decision.verdict not in ("approve", "return") or parsed.needs_review:
        raise NeedsReview(
            "the reply is not a clear decision (ZATWIERDZAM or ZWRACAM with comments)"
        )
    return decision.verdict, decision.comment or ""


def on_decision(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    """A reply of an official to a routing e-mail: approve or return, never a guess."""
    approval = approval_answered(app, session, campaign, m.token)
    verdict, comment = _clear_decision(m)
    m.token.used_at = app.clock.now()
    decide(app, session, campaign, approval, verdict, comment, m.sender, "email", m.message)
    confirm_in_thread(app, session, campaign, m, letters.decision_confirmed(approval.item, verdict))


# A decision e-mail's purpose is the name of the item it asks about.
DECISION_REPLIES: dict[str, Reply] = {
    item: Reply(on_decision, authenticated=True) for item in DECISIONS
}
