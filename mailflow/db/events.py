"""One way to write an ``Event`` row, the evidence of who did what, when and through what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mailflow.db import models


def via_of(actor: str) -> str:
    """The channel an actor acts through: ``web:<user>`` on the page, ``cli``, or the system."""
    return "web" if actor.startswith("web:") else "cli" if actor == "cli" else "system"


def add_event(
    session: Session,
    at: datetime,
    action: str,
    actor: str,
    *,
    via: str | None = None,
    campaign_id: int | None = None,
    step: int | None = None,
    message_id: int | None = None,
    message_id_header: str | None = None,
    details: dict[str, Any] | None = None,
) -> models.Event:
    event = models.Event(
        campaign_id=campaign_id,
        at=at,
        step=step,
        action=action,
        actor=actor,
        via=via or via_of(actor),
        message_id=message_id,
        message_id_header=message_id_header,
        details=details or {},
    )
    session.add(event)
    return event
