"""The quarantine: messages that failed somewhere, waiting for a person.

A person can retry one (it is processed again from the archived raw bytes), dismiss it, or
assign it to a campaign step by hand. Each action is recorded as an :class:`Event` and
answered with one line for the CLI or the status page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.db import lock_rows, models, transaction
from mailflow.db.events import add_event
from mailflow.errors import UserError
from mailflow.intake import Act, process_message


def list_open(app: App) -> list[dict[str, Any]]:
    """Open entries, oldest first: id, received_at, from, subject, reason."""
    with app.sessions() as session:
        rows = session.execute(
            select(models.QuarantineEntry, models.Message)
            .join(models.Message, models.Message.id == models.QuarantineEntry.message_id)
            .where(models.QuarantineEntry.resolved_at.is_(None))
            .order_by(models.QuarantineEntry.id)
        ).all()
    return [
        {
            "id": entry.id,
            "message_id": message.id,
            "received_at": message.received_at,
            "from": message.from_addr,
            "subject": message.subject,
            "reason": entry.reason,
        }
        for entry, message in rows
    ]


def _open_entry(session: Session, entry_id: int) -> models.QuarantineEntry:
    # Locked until the caller commits: two people retrying or dismissing one entry at once
    # (status page and CLI) are served one after the other, and the second is told it is done.
    lock_rows(session, models.QuarantineEntry, models.QuarantineEntry.id == entry_id)
    entry = session.get(models.QuarantineEntry, entry_id)
    if entry is None:
        raise UserError.of("no quarantine entry %(entry)s", entry=entry_id)
    if entry.resolved_at is not None:
        raise UserError.of(
            "quarantine entry %(entry)s was already %(resolution)s",
            entry=entry_id,
            resolution=entry.resolution,
        )
    return entry


def _resolve(
    app: App,
    session: Session,
    entry: models.QuarantineEntry,
    actor: str,
    resolution: str,
    note: str = "",
    details: dict[str, Any] | None = None,
    campaign_id: int | None = None,
    step: int | None = None,
) -> None:
    entry.resolved_at = app.clock.now()
    entry.resolution = resolution
    entry.resolved_by = actor
    entry.note = note or None
    add_event(
        session,
        app.clock.now(),
        f"quarantine_{resolution}",
        actor,
        campaign_id=campaign_id,
        step=step,
        message_id=entry.message_id,
        details={"entry": entry.id, "reason": entry.reason, "note": note, **(details or {})},
    )


def retry(app: App, entry_id: int, actor: str, act: Act | None = None) -> str:
    """Process the quarantined message again (with the procedure's handler by default)."""
    with transaction(app.sessions) as session:
        entry = _open_entry(session, entry_id)
        message = session.get(models.Message, entry.message_id)
        assert message is not None
        _resolve(app, session, entry, actor, "retried")
        message.status = "received"
        message.attempts = 0
        # The server copy stays in the quarantine folder: its UID there is not known.
        message.server_moved = True
        message_row_id = message.id
    outcome = process_message(app, act or default_act(), message_row_id)
    if outcome == "processed":
        return f"Message {message_row_id} processed successfully on retry."
    if outcome == "skipped":
        return f"Message {message_row_id} was processed meanwhile by the daemon."
    if outcome == "deferred":
        return (
            f"Message {message_row_id} waits: the database was busy; the daemon processes "
            "it on its next pass."
        )
    with app.sessions() as session:
        newest = session.scalars(
            select(models.QuarantineEntry)
            .where(
                models.QuarantineEntry.message_id == message_row_id,
                models.QuarantineEntry.resolved_at.is_(None),
            )
            .order_by(models.QuarantineEntry.id.desc())
        ).first()
        if newest is not None:
            with transaction(app.sessions) as write:
                again = write.get(models.Message, message_row_id)
                if again is not None:
                    again.server_moved = True
    reason = newest.reason if newest else "unknown"
    number = newest.id if newest else "?"
    return f"Message {message_row_id} failed again and is back in quarantine as {number}: {reason}"


def dismiss(app: App, entry_id: int, actor: str, note: str = "") -> str:
    """Close the entry without processing the message (it stays archived)."""
    with transaction(app.sessions) as session:
        entry = _open_entry(session, entry_id)
        _resolve(app, session, entry, actor, "dismissed", note)
        message = session.get(models.Message, entry.message_id)
        if message is not None:
            message.status = "dismissed"
    return f"Quarantine entry {entry_id} dismissed."


def assign(app: App, entry_id: int, actor: str, campaign_id: int, step: int) -> str:
    """A person says which campaign step the message belongs to; recorded, not processed."""
    with transaction(app.sessions) as session:
        entry = _open_entry(session, entry_id)
        if session.get(models.Campaign, campaign_id) is None:
            raise UserError.of("no campaign %(campaign)s", campaign=campaign_id)
        message = session.get(models.Message, entry.message_id)
        assert message is not None
        message.campaign_id, message.step = campaign_id, step
        message.status = "assigned"
        _resolve(
            app,
            session,
            entry,
            actor,
            "assigned",
            details={"campaign_id": campaign_id, "step": step},
            campaign_id=campaign_id,
            step=step,
        )
    return f"Quarantine entry {entry_id} assigned to campaign {campaign_id}, step {step}."


def default_act() -> Act:
    """The procedure's message handler: a retried message is handled like a new one."""
    from mailflow.procedure import handle_message

    return handle_message
