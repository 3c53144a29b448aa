"""Step 3: the contractor's draft questionnaire is accepted or returned; the date is fixed.

Arrives: drafts in the contractor's thread; the coordinator's verdict. Checked: a draft
exists, the date is by the end of June unless the contract recorded why not. Sent: the
draft to the coordinator; the accepted version with the date, or the comments, back.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.clock import end_of_day
from mailflow.db import models
from mailflow.db.campaign_data import CampaignData
from mailflow.db.statuses import ApprovalStatus
from mailflow.errors import UserError
from mailflow.mail.parse import ParsedMessage
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure.approvals import ask_for_decision, settle_waiting
from mailflow.procedure.common import add_deadline, record, require_step, tell_contractor
from mailflow.procedure.step import ContractorRule, Incoming, Ruling, Step
from mailflow.procedure_mail import calendar_invite, docx
from mailflow.steps import StepNumber


def _is_draft(campaign: models.Campaign, parsed: ParsedMessage) -> bool:
    return campaign.step == StepNumber.QUESTIONNAIRE and bool(parsed.attachments)


def route_questionnaire(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    """The contractor's draft goes to the coordinator for acceptance (one round each)."""
    round_no = 1 + int(CampaignData.load(campaign).questionnaire_rounds)
    CampaignData.save(campaign, questionnaire_rounds=round_no, questionnaire_message=m.message.id)
    ask_for_decision(
        app,
        session,
        campaign,
        "questionnaire",
        "coordinator",
        letters.questionnaire_for_acceptance(campaign.year, round_no),
        step=StepNumber.QUESTIONNAIRE,
        code="KW",
        attachments=[docx(a.filename, a.data) for a in m.parsed.attachments if a.data],
        round_no=round_no,
    )
    record(
        session,
        app,
        campaign,
        "questionnaire_received",
        m.sender,
        "email",
        m.message,
        round=round_no,
    )


def accept_questionnaire(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str,
    via: str,
    message: models.Message | None = None,
    survey_date: date | None = None,
) -> str:
    require_step(campaign, StepNumber.QUESTIONNAIRE)
    draft_id = CampaignData.load(campaign).questionnaire_message
    if not draft_id:
        raise UserError.of("the contractor has not sent a questionnaire yet")
    exact = _survey_date(app, campaign, survey_date)
    settle_waiting(app, session, campaign, "questionnaire", ApprovalStatus.APPROVED, message)
    campaign.survey_date = exact
    draft = session.get(models.Message, draft_id)
    attachments = _attachments_of(app, session, draft) if draft else []
    invite = calendar_invite("Termin badania (IN-13)", exact, f"kw-{campaign.year}@mailflow")
    letter = letters.questionnaire_accepted(exact)
    tell_contractor(
        app, session, campaign, StepNumber.QUESTIONNAIRE, letter, [*attachments, invite]
    )
    record(
        session,
        app,
        campaign,
        "questionnaire_accepted",
        actor,
        via,
        message,
        survey_date=exact.isoformat(),
    )
    campaign.step = StepNumber.MONITORING
    # The weekly digest covers the fieldwork, not the months before it: it starts four weeks
    # before the survey date (and not sooner than a week from now).
    first_digest = max(app.clock.now() + timedelta(days=7), end_of_day(exact - timedelta(days=28)))
    add_deadline(session, campaign, "digest", StepNumber.MONITORING, first_digest)
    return f"Kwestionariusz zaakceptowany; termin badania {exact.isoformat()} przekazany wykonawcy."


def _survey_date(app: App, campaign: models.Campaign, chosen: date | None) -> date:
    """The exact date: as chosen, else the contract's term; by the end of June or justified."""
    exact = chosen or campaign.survey_term or paperwork.survey_by(app, campaign)
    justified = CampaignData.load(campaign).term_justification
    if exact > paperwork.survey_by(app, campaign) and not justified:
        raise UserError.of(
            "the survey date %(date)s is after the end of June; "
            "record a justification with the contract first",
            date=exact.isoformat(),
        )
    return exact


def return_questionnaire(
    app: App,
    session: Session,
    campaign: models.Campaign,
    comment: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    require_step(campaign, StepNumber.QUESTIONNAIRE)
    settle_waiting(
        app, session, campaign, "questionnaire", ApprovalStatus.RETURNED, message, comment
    )
    tell_contractor(
        app, session, campaign, StepNumber.QUESTIONNAIRE, letters.questionnaire_returned(comment)
    )
    record(session, app, campaign, "questionnaire_returned", actor, via, message, comment=comment)
    return "Uwagi do kwestionariusza przekazane wykonawcy."


def _decide_questionnaire(app: App, session: Session, campaign: models.Campaign, r: Ruling) -> str:
    if r.approves:
        return accept_questionnaire(app, session, campaign, r.actor, r.via, r.message)
    return return_questionnaire(app, session, campaign, r.comment, r.actor, r.via, r.message)


def _attachments_of(
    app: App, session: Session, message: models.Message
) -> list[OutgoingAttachment]:
    rows = session.scalars(
        select(models.Attachment).where(models.Attachment.message_id == message.id)
    )
    return [OutgoingAttachment(r.filename, r.content_type, app.archive.get(r.sha256)) for r in rows]


STEP = Step(
    number=StepNumber.QUESTIONNAIRE,
    decisions={"questionnaire": _decide_questionnaire},
    contractor=ContractorRule(_is_draft, route_questionnaire),
)
