"""Step 4: the contractor's progress reports, a warning when behind, and a weekly digest.

Arrives: progress reports in the contractor's thread. Checked: interviews done against an
even pace to the survey date. Sent: a warning to the OS and BOK managers; every week a digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.clock import end_of_day, utc
from mailflow.db import models
from mailflow.mail.parse import ParsedMessage
from mailflow.procedure.common import record, tell
from mailflow.procedure.step import ContractorRule, Incoming, Step
from mailflow.steps import StepNumber

WATCHERS = ("coordinator", "os_manager", "bok_manager")


def _is_progress(campaign: models.Campaign, parsed: ParsedMessage) -> bool:
    return parsed.kind == "progress" and parsed.progress is not None


def on_progress(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    parsed = m.parsed
    assert parsed.progress is not None
    done, target = parsed.progress.done, parsed.progress.target or app.config.procedure.sample_size
    session.add(
        models.ProgressReport(
            campaign_id=campaign.id,
            reported_at=app.clock.now(),
            done=done,
            target=target,
            message_id=m.message.id,
        )
    )
    record(
        session,
        app,
        campaign,
        "progress_reported",
        m.sender,
        "email",
        m.message,
        done=done,
        target=target,
    )
    _warn_if_behind(app, session, campaign, done, target)


def _warn_if_behind(
    app: App, session: Session, campaign: models.Campaign, done: int, target: int
) -> None:
    expected = _expected_progress(app, campaign, target)
    if done >= expected:
        return
    survey_date = campaign.survey_date or paperwork.survey_by(app, campaign)
    tell(
        app,
        session,
        campaign,
        WATCHERS,
        letters.behind_schedule(done, target, expected, survey_date),
    )
    record(
        session,
        app,
        campaign,
        "behind_schedule_warning",
        "system",
        done=done,
        expected=expected,
    )


def _expected_progress(app: App, campaign: models.Campaign, target: int) -> int:
    """Interviews due by now at an even pace from acceptance to the survey date (80% slack)."""
    accepted = next(
        (utc(e.at) for e in reversed(campaign.events) if e.action == "questionnaire_accepted"), None
    )
    end = campaign.survey_date
    if accepted is None or end is None:
        return 0
    total = (end_of_day(end) - accepted).total_seconds()
    elapsed = (app.clock.now() - accepted).total_seconds()
    if total <= 0:
        return target
    return int(target * min(1.0, max(0.0, elapsed / total)) * 0.8)


def send_digest(app: App, session: Session, campaign: models.Campaign) -> None:
    last = session.scalars(
        select(models.ProgressReport)
        .where(models.ProgressReport.campaign_id == campaign.id)
        .order_by(models.ProgressReport.id.desc())
    ).first()
    lines = [
        f"etap: {campaign.step}",
        f"wywiady: {last.done} z {last.target}"
        if last
        else "wykonawca nie zgłosił jeszcze postępu",
        f"termin badania: {campaign.survey_date.isoformat() if campaign.survey_date else '-'}",
    ]
    tell(app, session, campaign, WATCHERS, letters.weekly_digest(campaign.year, lines))
    record(session, app, campaign, "digest_sent", "system")


def _digest_due(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    """Weekly while the survey runs; the deadline closes once the step is over."""
    if campaign.step == StepNumber.MONITORING:
        send_digest(app, session, campaign)
        d.due_at = now + timedelta(days=7)
        return 1
    d.done_at = now
    return 0


STEP = Step(
    number=StepNumber.MONITORING,
    due={"digest": _digest_due},
    contractor=ContractorRule(_is_progress, on_progress),
)
