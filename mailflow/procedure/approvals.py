"""Approvals: an item waits for one person's verdict, is chased, escalated, then settled.

A reminder or an escalation is a new e-mail with a new token for the same approval; the
first e-mail's token stays good while the approval waits (see ``approval_for_token``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters
from mailflow.app import App
from mailflow.clock import end_of_day, utc, warsaw_date
from mailflow.db import models
from mailflow.db.statuses import ApprovalStatus
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure.common import (
    NeedsReview,
    add_deadline,
    close_deadlines,
    record,
    tell,
    today,
)
from mailflow.procedure.step import Reminder, Ruling, Step
from mailflow.procedure_mail import send
from mailflow.steps import ROLE_TITLES
from mailflow.workdays import add_working_days


def ask_for_decision(
    app: App,
    session: Session,
    campaign: models.Campaign,
    item: str,
    role: str,
    letter: letters.Letter,
    *,
    step: int,
    code: str,
    attachments: Sequence[OutgoingAttachment] = (),
    subject_key: str | None = None,
    position: int = 0,
    round_no: int = 1,
) -> None:
    """E-mail ``item`` to the holder of ``role`` and wait for their verdict on it.

    The e-mail's purpose is the item's name: that is how a reply finds its approval.
    """
    person = app.config.person_for(role)
    token = send(
        app,
        session,
        campaign,
        step=step,
        code=code,
        purpose=item,
        to=person.email,
        letter=letter,
        attachments=attachments,
        subject_key=subject_key,
    )
    open_approval(
        app,
        session,
        campaign,
        item,
        role,
        person.email,
        token.token,
        position=position,
        round_no=round_no,
    )


def open_approval(
    app: App,
    session: Session,
    campaign: models.Campaign,
    item: str,
    role: str,
    party: str,
    token: str,
    *,
    position: int = 0,
    round_no: int = 1,
) -> models.Approval:
    first = session.get(models.Token, token)
    approval = models.Approval(
        campaign_id=campaign.id,
        item=item,
        position=position,
        role=role,
        party=party.lower(),
        token=token,
        round=round_no,
        status=ApprovalStatus.WAITING,
        # The moment of its first e-mail's token: any token older than that asked about an
        # earlier version (see approval_for_token).
        sent_at=first.created_at if first is not None else app.clock.now(),
    )
    session.add(approval)
    _add_approval_deadline(app, session, campaign, party, token)
    return approval


def _add_approval_deadline(
    app: App, session: Session, campaign: models.Campaign, party: str, token: str
) -> None:
    due = add_working_days(today(app), app.config.procedure.approval_days)
    escalate = add_working_days(due, app.config.procedure.escalate_after_days)
    add_deadline(
        session,
        campaign,
        "approval",
        campaign.step,
        end_of_day(due),
        remind_at=end_of_day(due),
        escalate_at=end_of_day(escalate),
        party=party,
        subject_key=token,
    )


def waiting_approval(
    session: Session, campaign: models.Campaign, item: str
) -> models.Approval | None:
    return session.scalars(
        select(models.Approval)
        .where(
            models.Approval.campaign_id == campaign.id,
            models.Approval.item == item,
            models.Approval.status == ApprovalStatus.WAITING,
        )
        .order_by(models.Approval.id.desc())
    ).first()


def _waiting_by_token(session: Session, token: str | None) -> models.Approval | None:
    approval = session.scalar(select(models.Approval).where(models.Approval.token == token))
    return approval if approval is not None and approval.status == "waiting" else None


def settle_waiting(
    app: App,
    session: Session,
    campaign: models.Campaign,
    item: str,
    status: ApprovalStatus,
    message: models.Message | None,
    comment: str | None = None,
) -> None:
    """Close the item's waiting approval, if any (a page action may come without one)."""
    approval = waiting_approval(session, campaign, item)
    if approval is not None:
        close_approval(app, session, campaign, approval, status, comment or "", message)


def close_approval(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    status: ApprovalStatus,
    comment: str | None,
    message: models.Message | None,
) -> None:
    approval.status, approval.decided_at, approval.comment = status, app.clock.now(), comment
    approval.message_id = message.id if message else None
    if approval.token:
        close_deadlines(session, app, campaign, "approval", approval.token)


def status_of(r: Ruling) -> ApprovalStatus:
    return ApprovalStatus.APPROVED if r.approves else ApprovalStatus.RETURNED


def settle(
    app: App, session: Session, campaign: models.Campaign, r: Ruling, action: str, **details: Any
) -> ApprovalStatus:
    """Close the ruled approval as approved or returned, and record ``action`` with the comment."""
    status = status_of(r)
    close_approval(app, session, campaign, r.approval, status, r.comment, r.message)
    record(session, app, campaign, action, r.actor, r.via, r.message, **details, comment=r.comment)
    return status


def approval_for_token(
    app: App, session: Session, campaign: models.Campaign, token: models.Token
) -> models.Approval | None:
    """The waiting approval a decision e-mail answers.

    A reminder or an escalation sends a new e-mail with a new token, but the first e-mail's
    token stays good while the approval waits: people answer whichever message they find.
    The token must belong to the approver, the deputy it was escalated to, or the role holder.
    """
    approval = _waiting_by_token(session, token.token)
    if approval is not None:
        return approval
    # A decision e-mail's purpose is the name of the item it asks about.
    waiting = waiting_approval(session, campaign, token.purpose)
    if waiting is None or token.used_at is not None:
        return None
    _refuse_earlier_version(waiting, token)
    allowed = {waiting.party, (waiting.escalated_to or "").lower()}
    allowed |= {p.email.lower() for p in app.config.people_for(waiting.role)}
    return waiting if token.party in allowed else None


def approval_answered(
    app: App, session: Session, campaign: models.Campaign, token: models.Token
) -> models.Approval:
    """The approval a decision e-mail answers; a person looks at any other."""
    approval = approval_for_token(app, session, campaign, token)
    if approval is None:
        raise NeedsReview(f"token {token.token} was already used or its step is closed")
    return approval


def _refuse_earlier_version(waiting: models.Approval, token: models.Token) -> None:
    # (A second of slack: approvals opened before sent_at was the token's own moment.)
    opened = utc(waiting.sent_at)
    if opened is not None and utc(token.created_at) < opened - timedelta(seconds=1):
        # An e-mail about an earlier version (a reminder of a round since returned): a yes
        # to it is not a yes to the version now waiting, which its sender may not have seen.
        raise NeedsReview(
            f"token {token.token} belongs to an earlier version of the "
            f"{letters.ITEM_NAMES.get(waiting.item, waiting.item)} (round {waiting.round} "
            "waits now); the decision must answer the newest e-mail"
        )


# ------------------------------------------------------------ reminders and escalation


def _attachments_sent_with(session: Session, token: str) -> list[OutgoingAttachment]:
    """The files of the first e-mail we sent under ``token`` (our own, complete message)."""
    first = session.scalars(
        select(models.OutboxMessage)
        .where(models.OutboxMessage.token == token)
        .order_by(models.OutboxMessage.id)
    ).first()
    if first is None:
        return []
    message = message_from_bytes(first.raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)  # the bytes as attached, text files included
        if isinstance(data, bytes):
            name = part.get_filename() or "zalacznik"
            found.append(OutgoingAttachment(name, part.get_content_type(), data))
    return found


def _resend_for_decision(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    to: str,
    letter: letters.Letter,
) -> None:
    """A reminder or escalation is a new e-mail with a new token for the same approval.

    It carries the files of the e-mail that first asked (the document to decide on), not
    whatever document the campaign made last.
    """
    old = session.get(models.Token, approval.token) if approval.token else None
    token = send(
        app,
        session,
        campaign,
        step=campaign.step,
        code=old.code if old else "WYN",
        purpose=old.purpose if old else "memo",
        to=to,
        letter=letter,
        subject_key=approval.role,
        attachments=_attachments_sent_with(session, old.token) if old else [],
    )
    approval.token, approval.party = token.token, to.lower()
    for deadline in session.scalars(
        select(models.Deadline).where(models.Deadline.subject_key == (old.token if old else ""))
    ):
        deadline.subject_key = token.token


def _remind(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> bool:
    approval = _waiting_by_token(session, d.subject_key)
    if not d.party or approval is None:
        return False
    due_on = warsaw_date(d.due_at)
    letter = letters.approval_reminder(approval.item, due_on)
    _resend_for_decision(app, session, campaign, approval, d.party, letter)
    record(
        session,
        app,
        campaign,
        "approval_reminded",
        "system",
        role=approval.role,
        item=approval.item,
    )
    return True


def _escalation_tick(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    """Past its escalation moment an approval goes to the deputy; later, people are told."""
    if d.escalate_at and d.escalated_at is None and utc(d.escalate_at) <= now:
        _escalate(app, session, campaign, d)
        d.escalated_at = now
        return 1
    if d.escalated_at is not None and d.done_at is None:
        return _tell_if_stalled(app, session, campaign, d, now)
    return 0


def _escalate(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> None:
    approval = _waiting_by_token(session, d.subject_key)
    if approval is None:
        return
    deputy_key = app.config.deputies.get(approval.role)
    if deputy_key is None:
        _no_deputy(app, session, campaign, approval)
        return
    deputy = app.config.people[deputy_key]
    absent = app.config.person_for(approval.role).name
    approval.escalated_to = deputy.email
    role_title = ROLE_TITLES.get(approval.role, approval.role)
    letter = letters.escalation(approval.item, absent, role_title)
    _resend_for_decision(app, session, campaign, approval, deputy.email, letter)
    record(
        session,
        app,
        campaign,
        "approval_escalated",
        "system",
        role=approval.role,
        deputy=deputy.email,
    )


def _no_deputy(
    app: App, session: Session, campaign: models.Campaign, approval: models.Approval
) -> None:
    # Somebody must chase the decision by hand: the coordinator, and when she is the one
    # who is silent, the OS manager above her.
    role_title = ROLE_TITLES.get(approval.role, approval.role)
    title, text = letters.no_deputy(approval.item, role_title)
    roles = ("coordinator", "os_manager") if approval.role == "coordinator" else ("coordinator",)
    tell(app, session, campaign, roles, letters.coordinator_notice(title, text))
    record(
        session,
        app,
        campaign,
        "approval_not_escalated",
        "system",
        role=approval.role,
        item=approval.item,
    )


def _tell_if_stalled(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    """Once: the deputy was asked, and as many working days later nobody has decided."""
    assert d.escalated_at is not None
    days = app.config.procedure.escalate_after_days
    stalled_at = end_of_day(add_working_days(warsaw_date(d.escalated_at), days))
    approval = _waiting_by_token(session, d.subject_key)
    if now < stalled_at or approval is None or _stall_told(session, campaign, d):
        return 0
    role_title = ROLE_TITLES.get(approval.role, approval.role)
    notice = letters.coordinator_notice(*letters.stalled(approval.item, role_title))
    tell(app, session, campaign, ("coordinator", "os_manager"), notice)
    record(
        session,
        app,
        campaign,
        "approval_stalled",
        "system",
        role=approval.role,
        item=approval.item,
        deadline=d.id,
    )
    return 1


def _stall_told(session: Session, campaign: models.Campaign, d: models.Deadline) -> bool:
    told = session.scalars(
        select(models.Event).where(
            models.Event.campaign_id == campaign.id, models.Event.action == "approval_stalled"
        )
    )
    return any(event.details.get("deadline") == d.id for event in told)


def _missed(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    d.missed_at = now  # still chased: the reminder and the escalation do the work
    return 0


# Approvals are not a step of their own: any step's item waits in them.
STEP = Step(
    number=None,
    reminders={"approval": Reminder(_remind)},
    escalations={"approval": _escalation_tick},
    due={"approval": _missed},
)
