"""Step 7: the Plenipotentiary names where the results are published; the campaign ends.

Arrives: a reply naming BIP, STRONA, INTRANET or BRAK. Checked: exactly one of them, from
the person asked (authenticated). Sent: the publication (DOCX and HTML) to the
Plenipotentiary and the coordinator; the campaign is finished.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.db import models
from mailflow.db.campaign_data import CampaignData
from mailflow.db.statuses import ApprovalStatus, CampaignStatus
from mailflow.errors import UserError
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure.approvals import approval_answered, ask_for_decision, settle_waiting
from mailflow.procedure.common import NeedsReview, record, today
from mailflow.procedure.step import Incoming, Reply, Step
from mailflow.procedure_mail import docx, send
from mailflow.steps import StepNumber

PUBLICATION_PLACES = {
    "bip": "BIP",
    "strona": "strona internetowa Urzędu",
    "intranet": "intranet",
    "brak": "bez publikacji",
}
# Stems, because Polish inflects: "na stronie", "w intranecie", "bez publikacji".
PUBLICATION_WORDS = {
    "bip": r"\bbip\b",
    "strona": r"\bstron(a|ie|ę|y)\b|\bwww\b",
    "intranet": r"\bintrane(t|cie)\w*",
    "brak": r"\bbrak\b|\bbez publikacji\b|\bnie publikowa",
}


def ask_publication(app: App, session: Session, campaign: models.Campaign) -> None:
    if CampaignData.load(campaign).publication_asked:
        return
    CampaignData.save(campaign, publication_asked=app.clock.now().isoformat())
    ask_for_decision(
        app,
        session,
        campaign,
        "publication",
        "plenipotentiary",
        letters.publication_question(campaign.year),
        step=StepNumber.PUBLICATION,
        code="WYN",
    )
    # During an audit the campaign stays at step 6; publication waits beside it.
    if campaign.step < StepNumber.PUBLICATION and campaign.step != StepNumber.AUDIT:
        campaign.step = StepNumber.PUBLICATION


def publication_choice(text: str) -> str | None:
    """BIP, STRONA, INTRANET or BRAK in a reply, in any inflection; None when unclear."""
    found = {key for key, pattern in PUBLICATION_WORDS.items() if re.search(pattern, text, re.I)}
    return found.pop() if len(found) == 1 else None


def on_publication_reply(
    app: App, session: Session, campaign: models.Campaign, m: Incoming
) -> None:
    approval_answered(app, session, campaign, m.token)
    choice = publication_choice(m.text)
    if choice is None:
        raise NeedsReview(
            "the publication reply does not name exactly one of BIP, STRONA, INTRANET, BRAK"
        )
    m.token.used_at = app.clock.now()
    publish(app, session, campaign, choice, m.sender, "email", m.message)


def publish(
    app: App,
    session: Session,
    campaign: models.Campaign,
    place_key: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    if place_key not in PUBLICATION_PLACES:
        raise UserError.of(
            "publication place must be one of %(places)s", places=", ".join(PUBLICATION_PLACES)
        )
    settle_waiting(app, session, campaign, "publication", ApprovalStatus.APPROVED, message)
    place = PUBLICATION_PLACES[place_key]
    attachments = _publication_files(app, session, campaign) if place_key != "brak" else []
    published_on = today(app).isoformat()
    CampaignData.save(campaign, published={"place": place, "date": published_on})
    record(
        session,
        app,
        campaign,
        "results_published",
        actor,
        via,
        message,
        place=place,
        date=published_on,
    )
    for role in ("plenipotentiary", "coordinator"):
        send(
            app,
            session,
            campaign,
            step=StepNumber.PUBLICATION,
            code="WYN",
            purpose="notice",
            to=app.config.person_for(role).email,
            letter=letters.publication_done(place),
            attachments=attachments,
            subject_key=role,
        )
    campaign.step, campaign.status = StepNumber.PUBLICATION, CampaignStatus.FINISHED
    campaign.finished_at = app.clock.now()
    return f"Publikacja wyników zarejestrowana: {place}."


def _publication_files(
    app: App, session: Session, campaign: models.Campaign
) -> list[OutgoingAttachment]:
    data, html = paperwork.publication(app, session, campaign)
    return [
        docx(f"Publikacja_wynikow_{campaign.year}.docx", data),
        OutgoingAttachment(
            f"Publikacja_wynikow_{campaign.year}.html", "text/html", html.encode("utf-8")
        ),
    ]


STEP = Step(
    number=StepNumber.PUBLICATION,
    replies={"publication": Reply(on_publication_reply, authenticated=True)},
)
