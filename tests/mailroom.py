"""Hand a raw message to mailflow exactly as intake does, without an IMAP server.

For tests of the procedure's rules: the message is archived and recorded, then processed by
intake's own ``process_message`` with the procedure as the actor, so parsing parameters,
quarantine and its notices are the daemon's, not a copy of them.
"""

from __future__ import annotations

from email.utils import make_msgid

from sqlalchemy import select

from mailflow import intake, procedure
from mailflow.app import App, store_file
from mailflow.db import models, transaction


def receive(app: App, raw: bytes) -> int:
    """Archive and record one message as intake does (status "received"); its row id."""
    with transaction(app.sessions) as session:
        message = models.Message(
            message_id_header=make_msgid(domain="test.example"),
            sha256=store_file(app, session, raw),
            size=len(raw),
            received_at=app.clock.now(),
            folder="INBOX",
            status="received",
            reasons=[],
            parsed={},
        )
        session.add(message)
        session.flush()
        return message.id


def deliver(app: App, raw: bytes) -> str | None:
    """Process one message; the quarantine reason, or None when the procedure accepted it."""
    message_id = receive(app, raw)
    if intake.process_message(app, procedure.handle_message, message_id) != "quarantined":
        return None
    with app.sessions() as session:
        entry = session.scalar(
            select(models.QuarantineEntry).where(models.QuarantineEntry.message_id == message_id)
        )
    return entry.reason if entry is not None else "quarantined"
