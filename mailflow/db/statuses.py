"""The states rows move through, as ``StrEnum``: the values are the strings stored in the DB.

A member compares equal to its string, so rows written before this module existed read the
same; nothing here needs a migration.
"""

from __future__ import annotations

from enum import StrEnum


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"


class ApprovalStatus(StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    RETURNED = "returned"


class InquiryStatus(StrEnum):
    SENT = "sent"
    REMINDED = "reminded"
    ANSWERED = "answered"
    LATE = "late"
    DECLINED = "declined"
    BOUNCED = "bounced"
    QUESTION = "question"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    FINAL_DOT = "final_dot"
    SENT = "sent"
    FAILED = "failed"
    PARTIAL = "partial"
    UNCERTAIN = "uncertain"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    QUARANTINED = "quarantined"


# What ``mailflow status`` counts as still on its way, and as waiting for a person: refused,
# sent to some recipients only, and those whose fate the server did not tell.
OUTBOX_ON_ITS_WAY = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FINAL_DOT)
OUTBOX_FOR_A_PERSON = (OutboxStatus.FAILED, OutboxStatus.PARTIAL, OutboxStatus.UNCERTAIN)
