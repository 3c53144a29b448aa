"""The narrow read API the CLI's ``status`` and the status page use (never intake internals)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.db import models
from mailflow.db.statuses import (
    OUTBOX_FOR_A_PERSON,
    OUTBOX_ON_ITS_WAY,
    ApprovalStatus,
    CampaignStatus,
    MessageStatus,
    OutboxStatus,
)
from mailflow.steps import LAST_STEP, STEP_NAMES


def _counts(session: Session, column: Any, model: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).select_from(model).group_by(column))
    return {str(key): int(count) for key, count in rows}


def campaign_summary(session: Session, campaign: models.Campaign) -> dict[str, Any]:
    waiting = session.scalars(
        select(models.Approval.role)
        .where(
            models.Approval.campaign_id == campaign.id,
            models.Approval.status == ApprovalStatus.WAITING,
            models.Approval.sent_at.is_not(None),
        )
        .order_by(models.Approval.position)
    ).all()
    next_due = session.scalar(
        select(func.min(models.Deadline.due_at)).where(
            models.Deadline.campaign_id == campaign.id, models.Deadline.done_at.is_(None)
        )
    )
    finished = campaign.status == CampaignStatus.FINISHED
    done = list(range(LAST_STEP + 1 if finished else campaign.step))
    return {
        "year": campaign.year,
        "case_ref": campaign.case_ref,
        "step": campaign.step,
        "step_name": STEP_NAMES.get(campaign.step, "unknown"),
        "status": campaign.status,
        "done": done,
        "waiting_for": list(dict.fromkeys(waiting)),
        "next_deadline": next_due.date().isoformat() if next_due else None,
    }


def status_summary(session: Session) -> dict[str, Any]:
    """The ``mailflow status --json`` document (shape in docs/contracts.md)."""
    campaigns = session.scalars(select(models.Campaign).order_by(models.Campaign.year)).all()
    message_status = _counts(session, models.Message.status, models.Message)
    outbox_status = _counts(session, models.OutboxMessage.status, models.OutboxMessage)
    not_ours = session.scalar(
        select(func.count())
        .select_from(models.LedgerEntry)
        .where(models.LedgerEntry.ours.is_(False))
    )
    return {
        "campaigns": [campaign_summary(session, c) for c in campaigns],
        "messages": {
            "received": sum(message_status.values()),
            "processed": message_status.get(MessageStatus.PROCESSED, 0),
            "quarantined": message_status.get(MessageStatus.QUARANTINED, 0),
            "not_ours": int(not_ours or 0),
        },
        "outbox": {
            "pending": sum(outbox_status.get(s, 0) for s in OUTBOX_ON_ITS_WAY),
            "sent": outbox_status.get(OutboxStatus.SENT, 0),
            # Everything a person must look at: refused, sent to some recipients only, and
            # those whose fate the server did not tell (resend or mark sent).
            "failed": sum(outbox_status.get(s, 0) for s in OUTBOX_FOR_A_PERSON),
        },
    }


def format_status(summary: dict[str, Any]) -> str:
    """The same summary for a person at a terminal."""
    lines = []
    if not summary["campaigns"]:
        lines.append("No campaign yet.")
    for c in summary["campaigns"]:
        waiting = ", ".join(c["waiting_for"]) or "nobody"
        lines.append(
            f"Campaign {c['year']} ({c['case_ref']}): step {c['step']} {c['step_name']}, "
            f"{c['status']}; waiting for {waiting}; next deadline {c['next_deadline'] or '-'}"
        )
    m, o = summary["messages"], summary["outbox"]
    lines.append(
        f"Messages: {m['received']} received, {m['processed']} processed, "
        f"{m['quarantined']} quarantined, {m['not_ours']} not ours"
    )
    lines.append(f"Outbox: {o['pending']} pending, {o['sent']} sent, {o['failed']} failed")
    return "\n".join(lines)
