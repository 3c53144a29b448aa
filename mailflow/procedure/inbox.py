"""Every message of ours: which step's reply it is, and whether its sender may give it.

Intake calls ``handle_message`` inside its transaction; a ``NeedsReview`` (or any error)
quarantines the message, and the coordinator hears of it once (``on_quarantine``).
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.db import models
from mailflow.mail import authresults
from mailflow.mail.parse import ParsedMessage
from mailflow.procedure import inquiry
from mailflow.procedure.common import NeedsReview, active_campaign, record, tell_coordinator
from mailflow.procedure.decisions import DECISION_REPLIES
from mailflow.procedure.pipeline import REPLIES, merged
from mailflow.procedure.step import Incoming, Reply

ANSWERS: dict[str, Reply] = merged([REPLIES, DECISION_REPLIES])
# Conversations a sender may continue without our token: none of them carries a decision.
BY_SENDER = sorted(purpose for purpose, reply in ANSWERS.items() if not reply.authenticated)


def handle_message(
    app: App, session: Session, message: models.Message, parsed: ParsedMessage
) -> None:
    """Intake hands every message of ours here, inside its transaction; errors quarantine it."""
    if parsed.kind == "bounce":
        on_bounce(app, session, message, parsed)
        return
    if parsed.kind == "auto_reply":
        campaign = active_campaign(session)
        record(session, app, campaign, "auto_reply_received", parsed.sender, "email", message)
        return  # never answered: an auto-reply to an auto-reply is how mail loops start
    sender = _effective_sender(app, parsed)
    token = _token_of(session, parsed, sender)
    answer = ANSWERS.get(token.purpose)
    _check_sender(app, message, parsed, token, sender, answer)
    campaign = session.get(models.Campaign, token.campaign_id)
    if campaign is None or answer is None:
        raise NeedsReview(f"a reply to an e-mail ({token.purpose}) that expects no answer")
    message.campaign_id, message.step = campaign.id, campaign.step
    answer.handle(app, session, campaign, Incoming(token, message, parsed, sender))


def _token_of(session: Session, parsed: ParsedMessage, sender: str) -> models.Token:
    token = session.get(models.Token, parsed.token) if parsed.token else None
    if token is None:
        token = _token_by_sender(session, sender)
    if token is None:
        raise NeedsReview(f"no correlation token, and {sender} has no open step in a campaign")
    return token


def _check_sender(
    app: App,
    message: models.Message,
    parsed: ParsedMessage,
    token: models.Token,
    sender: str,
    answer: Reply | None,
) -> None:
    if parsed.forwarded and not (answer and answer.forwardable):
        # Anybody can type "From: the Mayor" into a forward: decisions are taken only from
        # what their author sent us directly.
        raise NeedsReview(f"a forwarded message ({parsed.sender}) cannot carry a decision")
    if token.party != sender:
        raise NeedsReview(
            f"sender {sender} is not {token.party}, to whom this step's e-mail was sent"
        )
    if answer and answer.authenticated and not _authenticated(app, message, sender):
        raise NeedsReview(f"Authentication-Results do not show DMARC or DKIM passing for {sender}")


def _effective_sender(app: App, parsed: ParsedMessage) -> str:
    """A firm's mail forwarded by the coordinator counts as the firm's own message.

    Only the coordinator's forwards are unwrapped, and only vendor correspondence is accepted
    from them (see handle_message); anyone else's forward is their own message.
    """
    sender = (parsed.sender or "").lower()
    coordinator = app.config.person_for("coordinator").email.lower()
    if parsed.forwarded and parsed.author and sender == coordinator:
        return str(parsed.author).lower()
    return sender


def _token_by_sender(session: Session, sender: str) -> models.Token | None:
    """No token anywhere: the newest open conversation with this sender, if exactly one kind."""
    campaign = active_campaign(session)
    if campaign is None:
        return None
    candidates = session.scalars(
        select(models.Token)
        .where(
            models.Token.campaign_id == campaign.id,
            models.Token.party == sender,
            models.Token.purpose.in_(BY_SENDER),
        )
        .order_by(models.Token.created_at.desc())
    ).all()
    return candidates[0] if candidates else None


def _authenticated(app: App, message: models.Message, sender: str) -> bool:
    if not app.config.procedure.require_dmarc:
        return True
    headers = message_from_bytes(app.archive.get(message.sha256), policy=default_policy)
    values = [str(v) for v in headers.get_all("Authentication-Results") or []]
    if not values:
        return False
    trusted = app.config.procedure.authserv_id
    if not trusted:
        # Without a configured authserv-id only the topmost header can be our server's
        # (RFC 8601 section 5): any lower one may have been written by the sender.
        parsed = authresults.parse(values[0])
        if parsed is None:
            return False
        trusted, values = parsed[0], values[:1]
    return authresults.verdict(values, trusted, sender.rpartition("@")[2]).authenticated


# ----------------------------------------------------------------------- bounces


def on_bounce(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
    token = session.get(models.Token, parsed.token) if parsed.token else None
    campaign = (
        session.get(models.Campaign, token.campaign_id)
        if token and token.campaign_id
        else active_campaign(session)
    )
    recipient = parsed.bounce.recipient if parsed.bounce else None
    permanent = bool(parsed.bounce and parsed.bounce.permanent)
    record(
        session,
        app,
        campaign,
        "bounce_received",
        "mailer-daemon",
        "email",
        message,
        recipient=recipient,
        permanent=permanent,
        token=token.token if token else None,
    )
    if campaign is None or not permanent:
        return  # a delay notice: the server is still trying
    why = f"zapytanie do {recipient} nie zostało doręczone"
    if (
        token is not None
        and token.purpose == "inquiry"
        and inquiry.inquiry_bounced(app, session, campaign, token, why)
    ):
        return
    tell_coordinator(
        app,
        session,
        campaign,
        "Wiadomość niedoręczona",
        f"Wiadomość do {recipient} nie została doręczona "
        f"({parsed.bounce.status if parsed.bounce else '?'}).",
    )


# -------------------------------------------------------------------- quarantine


def on_quarantine(app: App, session: Session, message: models.Message, reason: str) -> None:
    """Tell the coordinator that a message waits for a person, once per message."""
    campaign = active_campaign(session)
    if campaign is None or message.id in _quarantine_reported(session, campaign):
        return
    tell_coordinator(
        app,
        session,
        campaign,
        "Wiadomość wymaga decyzji (kwarantanna)",
        f"Wiadomość od {message.from_addr} „{message.subject}” nie została przetworzona: "
        f"{reason}.\nProszę ją przejrzeć na stronie statusu (Wiadomości → Kwarantanna).",
    )
    record(session, app, campaign, "quarantine_reported", "system", message=message, reason=reason)


def _quarantine_reported(session: Session, campaign: models.Campaign) -> set[int]:
    return {
        message_id
        for message_id in session.scalars(
            select(models.Event.message_id).where(
                models.Event.campaign_id == campaign.id,
                models.Event.action == "quarantine_reported",
            )
        )
        if message_id is not None
    }


def report_quarantine(app: App, session: Session) -> int:
    """Quarantined messages nobody has told the coordinator about yet.

    Intake parks a failing message in its own transaction after the procedure's one rolled
    back, so the notice is sent from here, on the clock, whatever parked the message.
    """
    campaign = active_campaign(session)
    if campaign is None:
        return 0
    told = _quarantine_reported(session, campaign)
    entries = session.execute(
        select(models.QuarantineEntry, models.Message)
        .join(models.Message, models.Message.id == models.QuarantineEntry.message_id)
        .where(models.QuarantineEntry.resolved_at.is_(None))
        .order_by(models.QuarantineEntry.id)
    ).all()
    reported = 0
    for entry, message in entries:
        if message.id not in told:
            on_quarantine(app, session, message, entry.reason)
            told.add(message.id)
            reported += 1
    return reported
