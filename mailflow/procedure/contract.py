"""Step 2: the signed contract; the catalogue goes to the contractor; the term is tracked.

Arrives: the contract's details from a person (page or CLI), and the contractor's questions.
Checked: a known firm, a number, a term by mid-June or a recorded justification. Sent: the
letter and the catalogue to the contractor; the coordinator is told when the term passes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.clock import end_of_day, utc
from mailflow.db import models
from mailflow.db.campaign_data import CampaignData
from mailflow.errors import UserError
from mailflow.mail.parse import ParsedMessage
from mailflow.procedure.common import (
    add_deadline,
    record,
    require_step,
    tell,
    tell_contractor,
    tell_coordinator,
)
from mailflow.procedure.step import ContractorRule, Incoming, Step
from mailflow.procedure_mail import calendar_invite, docx
from mailflow.steps import StepNumber


def record_contract(
    app: App,
    session: Session,
    campaign: models.Campaign,
    contractor_key: str,
    contract_number: str,
    survey_term: date,
    justification: str | None,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    """The signed contract: the catalogue goes to the contractor, the term is tracked."""
    require_step(campaign, StepNumber.INQUIRY, StepNumber.CONTRACT)
    _check_contract(app, campaign, contractor_key, contract_number, survey_term, justification)
    campaign.contractor_key = contractor_key
    campaign.contract_number = contract_number
    campaign.survey_term = survey_term
    CampaignData.save(campaign, term_justification=justification or "")
    campaign.step = StepNumber.CONTRACT
    record(
        session,
        app,
        campaign,
        "contract_recorded",
        actor,
        via,
        message,
        contractor=contractor_key,
        contract_number=contract_number,
        survey_term=survey_term.isoformat(),
        justification=justification,
    )
    _send_catalogue_to_contractor(app, session, campaign)
    add_deadline(
        session, campaign, "survey_term", StepNumber.QUESTIONNAIRE, end_of_day(survey_term)
    )
    campaign.step = StepNumber.QUESTIONNAIRE
    name = app.config.vendors[contractor_key].name
    return f"Umowa {contract_number} z {name} zarejestrowana; katalog wysłany wykonawcy."


def _check_contract(
    app: App,
    campaign: models.Campaign,
    contractor_key: str,
    contract_number: str,
    survey_term: date,
    justification: str | None,
) -> None:
    if contractor_key not in app.config.vendors:
        raise UserError.of("%(vendor)r is not a vendor in the configuration", vendor=contractor_key)
    if not contract_number.strip():
        raise UserError.of("the contract number is empty")
    limit = paperwork.contract_by(app, campaign)
    if survey_term > limit and not (justification or "").strip():
        raise UserError.of(
            "the survey term %(term)s is after %(limit)s (IN-13: mid-June); "
            "record the justification for the change",
            term=survey_term.isoformat(),
            limit=limit.isoformat(),
        )


def _send_catalogue_to_contractor(app: App, session: Session, campaign: models.Campaign) -> None:
    assert campaign.survey_term is not None and campaign.contract_number is not None
    letter_docx = paperwork.letter_to_contractor(app, session, campaign)
    catalogue_docx = paperwork.catalogue(app, session, campaign)
    year, term = campaign.year, campaign.survey_term
    tell_contractor(
        app,
        session,
        campaign,
        StepNumber.CONTRACT,
        letters.catalogue_to_contractor(year, term, campaign.contract_number),
        [
            docx(f"Pismo_do_wykonawcy_{year}.docx", letter_docx),
            docx(f"Katalog_zagadnien_{year}.docx", catalogue_docx),
            calendar_invite("Termin badania (IN-13)", term, f"rea-{year}@mailflow"),
        ],
    )


def _is_question(campaign: models.Campaign, parsed: ParsedMessage) -> bool:
    return parsed.kind == "question"


def _pass_on_question(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    record(session, app, campaign, "contractor_question", m.sender, "email", m.message)
    tell_coordinator(
        app, session, campaign, "Pytanie od wykonawcy badania", f"{m.sender} pisze:\n\n{m.text}"
    )


def _term_passed(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    d.missed_at = now
    tell(
        app,
        session,
        campaign,
        ("coordinator", "os_manager"),
        letters.coordinator_notice(
            "Termin badania minął",
            f"Minął uzgodniony termin badania ({utc(d.due_at).date().isoformat()}); "
            "wyniki nie wpłynęły.",
        ),
    )
    return 1


STEP = Step(
    number=StepNumber.CONTRACT,
    due={"survey_term": _term_passed},
    contractor=ContractorRule(_is_question, _pass_on_question),
)
