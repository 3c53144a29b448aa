"""Step 5: the data file's indicators, and the results memo up the chain to the Mayor.

Arrives: the contractor's data file; each official's verdict on the memo. Checked: a data
file that analyses; irregularities by explicit rules. Sent: the memo to the coordinator, the
OS manager, the Plenipotentiary and the Mayor in turn; a return goes one link back.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.db import models
from mailflow.errors import UserError
from mailflow.mail.parse import DecodedAttachment, ParsedMessage
from mailflow.procedure import audit, publication
from mailflow.procedure.approvals import ask_for_decision, close_approval, status_of
from mailflow.procedure.common import (
    NeedsReview,
    close_deadlines,
    record,
    require_step,
    tell_contractor,
)
from mailflow.procedure.step import ContractorRule, Incoming, Ruling, Step
from mailflow.procedure_mail import docx
from mailflow.reading.kinds import DATA_FILE
from mailflow.steps import ROLE_TITLES, StepNumber

MEMO_CHAIN = ("coordinator", "os_manager", "plenipotentiary", "mayor")


def _is_results(campaign: models.Campaign, parsed: ParsedMessage) -> bool:
    return parsed.kind == "results" or any(DATA_FILE.search(a.filename) for a in parsed.attachments)


def on_results(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    require_step(campaign, StepNumber.MONITORING, StepNumber.RESULTS)
    data_files = [a for a in m.parsed.attachments if DATA_FILE.search(a.filename) and a.data]
    if not data_files:
        raise NeedsReview("results announced but no data file (XLSX, ODS, CSV or SAV) attached")
    attachment = data_files[0]
    report = _analyse(session, campaign, attachment)
    findings = _store_results(app, session, campaign, attachment, report)
    campaign.step = StepNumber.RESULTS
    close_deadlines(session, app, campaign, "digest")
    close_deadlines(session, app, campaign, "survey_term")
    record(
        session,
        app,
        campaign,
        "results_received",
        m.sender,
        "email",
        m.message,
        respondents=report.get("respondents"),
        findings=findings,
    )
    route_memo(app, session, campaign, position=0, round_no=1)


def _analyse(
    session: Session, campaign: models.Campaign, attachment: DecodedAttachment
) -> dict[str, Any]:
    """The indicators of the data file, compared with the earlier years' results."""
    from mailflow.results import analyse_file

    previous = [
        r.report
        for r in session.scalars(
            select(models.SurveyResult)
            .where(models.SurveyResult.year < campaign.year)
            .order_by(models.SurveyResult.year)
        )
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        try:
            return analyse_file(path, previous=previous or None, year=campaign.year).to_json()
        except UserError as error:
            raise NeedsReview(
                f"the results file {attachment.filename} cannot be analysed: {error}"
            ) from error


def _store_results(
    app: App,
    session: Session,
    campaign: models.Campaign,
    attachment: DecodedAttachment,
    report: dict[str, Any],
) -> int:
    """The year's result row and one row per irregularity found; returns how many."""
    from mailflow.results import IrregularityRules, find_irregularities

    rules_config = app.config.procedure.rules
    rules = IrregularityRules(
        min_top2_share=rules_config.min_top2_share,
        alpha=rules_config.significant_drop_alpha,
        segment_gap=rules_config.segment_gap,
        min_n=rules_config.min_n,
    )
    findings = find_irregularities(report, rules)
    archived = session.get(models.StoredFile, attachment.sha256) is not None
    session.add(
        models.SurveyResult(
            campaign_id=campaign.id,
            year=campaign.year,
            created_at=app.clock.now(),
            source_sha256=attachment.sha256 if archived else None,
            report=report,
        )
    )
    for f in findings:
        session.add(
            models.Finding(
                campaign_id=campaign.id,
                rule=f.rule,
                description=f.description,
                evidence={
                    **f.evidence,
                    "question_id": f.question_id,
                    "question_label": f.question_label,
                    "figure": f.figure,
                    "threshold": f.threshold,
                    "segment": f.segment,
                },
            )
        )
    session.flush()
    return len(findings)


def route_memo(
    app: App,
    session: Session,
    campaign: models.Campaign,
    position: int,
    round_no: int,
    comment: str | None = None,
) -> None:
    """Send the results memo to the next person of the chain coordinator -> ... -> Mayor."""
    role = MEMO_CHAIN[position]
    memo = paperwork.results_memo(app, session, campaign, round_no)
    ask_for_decision(
        app,
        session,
        campaign,
        "memo",
        role,
        letters.memo_for_approval(campaign.year, ROLE_TITLES[role], round_no, comment),
        step=StepNumber.RESULTS,
        code="WYN",
        attachments=[docx(f"Informacja_o_wynikach_{campaign.year}.docx", memo)],
        subject_key=role,
        position=position,
        round_no=round_no,
    )
    record(session, app, campaign, "memo_sent", "system", role=role, round=round_no)


def decide_memo(app: App, session: Session, campaign: models.Campaign, r: Ruling) -> str:
    approval = r.approval
    close_approval(app, session, campaign, approval, status_of(r), r.comment or None, r.message)
    record(
        session,
        app,
        campaign,
        f"memo_{approval.status}",
        r.actor,
        r.via,
        r.message,
        role=approval.role,
        comment=r.comment,
    )
    if not r.approves:
        _memo_back(app, session, campaign, approval, r.comment)
        return "Informacja o wynikach zwrócona o jeden etap z uwagami."
    if approval.position + 1 < len(MEMO_CHAIN):
        route_memo(app, session, campaign, approval.position + 1, approval.round)
        next_role = MEMO_CHAIN[approval.position + 1]
        return f"Zatwierdzono; informacja przekazana: {ROLE_TITLES[next_role]}."
    _after_the_mayor(app, session, campaign)
    return "Wyniki zatwierdzone przez Prezydenta Miasta."


def _memo_back(
    app: App, session: Session, campaign: models.Campaign, approval: models.Approval, comment: str
) -> None:
    """A return goes one link back; from the coordinator, to the contractor to correct."""
    if approval.position > 0:
        route_memo(app, session, campaign, approval.position - 1, approval.round + 1, comment)
        return
    tell_contractor(
        app,
        session,
        campaign,
        StepNumber.RESULTS,
        letters.coordinator_notice("Wyniki badania – prośba o poprawę", comment),
    )
    campaign.step = StepNumber.MONITORING


def _after_the_mayor(app: App, session: Session, campaign: models.Campaign) -> None:
    """Irregularities lead to an audit order; without them the results go to publication."""
    findings = session.scalars(
        select(models.Finding).where(models.Finding.campaign_id == campaign.id)
    ).all()
    if findings:
        audit.draft_audit_order(app, session, campaign)
    else:
        publication.ask_publication(app, session, campaign)


STEP = Step(
    number=StepNumber.RESULTS,
    decisions={"memo": decide_memo},
    contractor=ContractorRule(_is_results, on_results),
)
