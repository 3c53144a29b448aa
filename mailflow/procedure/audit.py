"""Step 6: irregularities lead to an audit order; corrective actions are tracked to closure.

Arrives: the Plenipotentiary's verdict on the draft order; the team's "wykonano: <nr>".
Checked: the action numbers belong to the campaign. Sent: the draft order, the order to the
management-system team, each recorded action with its number, reminders for open ones.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.clock import end_of_day
from mailflow.db import models
from mailflow.db.campaign_data import CampaignData
from mailflow.db.statuses import ApprovalStatus
from mailflow.errors import UserError
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure import publication
from mailflow.procedure.approvals import ask_for_decision, settle
from mailflow.procedure.common import (
    NeedsReview,
    add_deadline,
    close_deadlines,
    confirm_in_thread,
    record,
    require_step,
    tell_coordinator,
    today,
)
from mailflow.procedure.step import Incoming, Reminder, Reply, Ruling, Step
from mailflow.procedure_mail import docx, send
from mailflow.steps import StepNumber
from mailflow.workdays import add_working_days

ACTION_KINDS = ("correction", "corrective", "preventive")
DONE_WORDS = re.compile(r"wykonan[oea]\w*\s*:?\s*(?:nr\.?\s*)?(\d+)", re.IGNORECASE)


def _tell_team(
    app: App,
    session: Session,
    campaign: models.Campaign,
    letter: letters.Letter,
    attachments: list[OutgoingAttachment] | None = None,
) -> None:
    """The management-system team's thread (AUD), where it reports actions done by number."""
    for member in app.config.people_for("audit_team"):
        send(
            app,
            session,
            campaign,
            step=StepNumber.AUDIT,
            code="AUD",
            purpose="audit_team",
            to=member.email,
            letter=letter,
            attachments=attachments or [],
            subject_key="audit_team",
        )


def _findings(session: Session, campaign: models.Campaign) -> int:
    return len(
        session.scalars(
            select(models.Finding).where(models.Finding.campaign_id == campaign.id)
        ).all()
    )


def draft_audit_order(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str = "system",
    via: str = "system",
) -> None:
    """The audit order with guidelines goes to the Plenipotentiary for decision."""
    campaign.step = StepNumber.AUDIT
    audit_by = add_working_days(today(app), 20)
    report_by = add_working_days(today(app), 30)
    CampaignData.save(campaign, audit_by=audit_by.isoformat(), report_by=report_by.isoformat())
    order = paperwork.audit_order(app, session, campaign, audit_by, report_by)
    findings = _findings(session, campaign)
    ask_for_decision(
        app,
        session,
        campaign,
        "audit",
        "plenipotentiary",
        letters.audit_order_for_confirmation(campaign.year, findings),
        step=StepNumber.AUDIT,
        code="AUD",
        attachments=[docx(f"Polecenie_auditu_{campaign.year}.docx", order)],
    )
    record(session, app, campaign, "audit_order_drafted", actor, via, findings=findings)


def order_audit(app: App, session: Session, campaign: models.Campaign, actor: str, via: str) -> str:
    """The Plenipotentiary may order an audit even when no rule fired (risk of irregularities)."""
    require_step(campaign, StepNumber.RESULTS, StepNumber.PUBLICATION)
    draft_audit_order(app, session, campaign, actor, via)
    return "Projekt polecenia auditu wysłany Pełnomocnikowi."


def confirm_audit(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    approval.status, approval.decided_at = ApprovalStatus.APPROVED, app.clock.now()
    close_deadlines(session, app, campaign, "approval", approval.token)
    order = session.scalars(
        select(models.Document)
        .where(
            models.Document.campaign_id == campaign.id, models.Document.kind == "polecenie_auditu"
        )
        .order_by(models.Document.id.desc())
    ).first()
    attachments = [docx(order.filename, app.archive.get(order.sha256))] if order else []
    _tell_team(app, session, campaign, letters.audit_order_to_team(campaign.year), attachments)
    record(session, app, campaign, "audit_ordered", actor, via, message)
    publication.ask_publication(app, session, campaign)
    return "Polecenie auditu przekazane Zespołowi ds. ZSZ."


def _decide_audit(app: App, session: Session, campaign: models.Campaign, r: Ruling) -> str:
    if r.approves:
        return confirm_audit(app, session, campaign, r.approval, r.actor, r.via, r.message)
    settle(app, session, campaign, r, "audit_order_returned")
    tell_coordinator(app, session, campaign, "Projekt polecenia auditu zwrócony", r.comment)
    return "Projekt polecenia auditu zwrócony."


def add_corrective_action(
    app: App,
    session: Session,
    campaign: models.Campaign,
    kind: str,
    description: str,
    owner: str,
    due_on: date,
    actor: str,
    via: str,
) -> str:
    if kind not in ACTION_KINDS:
        raise UserError.of("kind must be correction, corrective or preventive")
    action = models.CorrectiveAction(
        campaign_id=campaign.id, kind=kind, description=description, owner=owner, due_on=due_on
    )
    session.add(action)
    session.flush()
    remind_on = add_working_days(due_on, -app.config.procedure.reminder_before_days)
    add_deadline(
        session,
        campaign,
        "action",
        StepNumber.AUDIT,
        end_of_day(due_on),
        remind_at=end_of_day(remind_on),
        party=owner,
        subject_key=str(action.id),
    )
    record(
        session,
        app,
        campaign,
        "action_recorded",
        actor,
        via,
        action_id=action.id,
        kind=kind,
        description=description,
        owner=owner,
        due_on=due_on.isoformat(),
    )
    # The team reports each action done by its number, so it has to be told the number.
    letter = letters.action_recorded(action.id, kind, description, owner, due_on)
    _tell_team(app, session, campaign, letter)
    return f"Działanie nr {action.id} zarejestrowane (termin {due_on.isoformat()})."


def complete_action(
    app: App,
    session: Session,
    campaign: models.Campaign,
    action_id: int,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    action = session.get(models.CorrectiveAction, action_id)
    if action is None or action.campaign_id != campaign.id:
        raise UserError.of(
            "there is no action %(action)s in campaign %(year)s",
            action=action_id,
            year=campaign.year,
        )
    if action.done_at is None:
        action.done_at = app.clock.now()
        close_deadlines(session, app, campaign, "action", str(action.id))
        record(session, app, campaign, "action_done", actor, via, message, action_id=action.id)
    return f"Działanie nr {action.id} oznaczone jako wykonane."


def on_audit_team_reply(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    numbers = [int(n) for n in DONE_WORDS.findall(m.text)]
    if not numbers:
        raise NeedsReview("a reply from the audit team without 'wykonano: <nr działania>'")
    for number in numbers:
        complete_action(app, session, campaign, number, m.sender, "email", m.message)
    confirm_in_thread(app, session, campaign, m, letters.actions_done(numbers))


def _remind(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> bool:
    action = session.get(models.CorrectiveAction, int(d.subject_key or 0)) if d.party else None
    if action is None or action.done_at:
        return False
    letter = letters.action_reminder(action.id, action.description, action.due_on)
    _tell_team(app, session, campaign, letter)
    action.reminded_at = app.clock.now()
    record(session, app, campaign, "action_reminded", "system", action_id=action.id)
    return True


def _overdue(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    d.missed_at = now
    tell_coordinator(
        app,
        session,
        campaign,
        "Działanie po terminie",
        f"Działanie nr {d.subject_key} nie zostało zgłoszone jako wykonane w terminie.",
    )
    return 1


STEP = Step(
    number=StepNumber.AUDIT,
    replies={"audit_team": Reply(on_audit_team_reply)},
    decisions={"audit": _decide_audit},
    reminders={"action": Reminder(_remind)},
    due={"action": _overdue},
)
