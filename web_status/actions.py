"""What a coordinator may do from the page, through the same functions e-mail replies use.

The procedure (``mailflow.procedure``) and the quarantine (``mailflow.quarantine``) record
every action as an event with ``via="web"`` and the user as actor, exactly as they record a
reply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from mailflow import procedure, quarantine
from mailflow.db import models, transaction
from mailflow.errors import MailflowError, UserError
from mailflow.outbox import resolve_uncertain
from mailflow.steps import STEP_NAMES, StepNumber
from web_status import queries as web_queries
from web_status.auth import acting, current_user, mailflow_app
from web_status.i18n import label

bp = Blueprint("actions", __name__)


@dataclass(frozen=True)
class PageAction:
    steps: tuple[int, ...]
    run: Callable[..., str]  # (app, session, campaign, **form, actor=, via=)


# Each page action and the IN-13 steps at which the procedure allows it. The page offers an
# action only at these steps; the procedure itself still decides (and says why not).
CAMPAIGN_ACTIONS = {
    "confirm_catalogue": PageAction((StepNumber.TOPICS,), procedure.confirm_catalogue),
    "mark_procurement_started": PageAction(
        (StepNumber.INQUIRY,), procedure.mark_procurement_started
    ),
    "record_contract": PageAction(
        (StepNumber.INQUIRY, StepNumber.CONTRACT), procedure.record_contract
    ),
    "accept_questionnaire": PageAction((StepNumber.QUESTIONNAIRE,), procedure.accept_questionnaire),
}
QUARANTINE_CALLS: dict[str, Callable[..., str]] = {
    "retry": quarantine.retry,
    "dismiss": quarantine.dismiss,
    "assign": quarantine.assign,
}
MAX_FIELD = 500
# Values in the procedure's errors that are codes, and the label category that names them
# (a quarantine entry "was already dismissed" reads "odrzucono" on a Polish page).
CODE_PARAMS = {"resolution": "resolution", "item": "item"}


def _refusal(error: MailflowError) -> str:
    """Why the procedure refused, in the page's language.

    An error raised with ``UserError.of`` is translated from its English template and filled
    in with its values, exactly as ``str(error)`` fills it in for the CLI; any other error is
    shown as it is. The procedure's texts start in lower case (they follow "error:" on the
    command line), a flash is a sentence of its own.
    """
    if isinstance(error, UserError) and error.template is not None:
        values = {
            name: label(CODE_PARAMS[name], value) if name in CODE_PARAMS else value
            for name, value in error.params.items()
        }
        text = _(error.template, **values)
    else:
        text = str(error)
    return text[:1].upper() + text[1:]


def _field(name: str) -> str:
    return request.form.get(name, "").strip()[:MAX_FIELD]


def available_actions(step: int, status: str) -> list[str]:
    if status == "finished":
        return []
    return [name for name, action in CAMPAIGN_ACTIONS.items() if step in action.steps]


def _questionnaire_arguments() -> dict[str, Any] | str:
    text = _field("survey_date")
    if not text:
        return {}
    try:
        return {"survey_date": date.fromisoformat(text)}
    except ValueError:
        return _("Give the survey date as a date (YYYY-MM-DD).")


def _contract_arguments() -> dict[str, Any] | str:
    """The record_contract form as arguments, or the one-line reason it cannot be used."""
    contractor = _field("contractor_key")
    if contractor not in mailflow_app().config.vendors:
        return _("Choose the survey firm the contract was signed with.")
    number = _field("contract_number")
    if not number:
        return _("Give the contract number.")
    try:
        term = date.fromisoformat(_field("survey_term"))
    except ValueError:
        return _("Give the agreed survey term as a date (YYYY-MM-DD).")
    return {
        "contractor_key": contractor,
        "contract_number": number,
        "survey_term": term,
        "justification": _field("justification") or None,
    }


@bp.post("/campaigns/<int:year>/actions/<name>")
@acting
def campaign_action(year: int, name: str) -> Response:
    if name not in CAMPAIGN_ACTIONS:
        abort(404)
    back = redirect(url_for("pages.campaign", year=year, _anchor="actions"))
    parsed: dict[str, Any] | str = {}
    if name == "record_contract":
        parsed = _contract_arguments()
    elif name == "accept_questionnaire":
        parsed = _questionnaire_arguments()
    if isinstance(parsed, str):
        flash(parsed, "error")
        return back
    arguments = parsed
    function = CAMPAIGN_ACTIONS[name].run
    app = mailflow_app()
    user = current_user()
    assert user is not None
    try:
        with transaction(app.sessions) as session:
            campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == year))
            if campaign is None:
                abort(404)
            confirmation = function(
                app, session, campaign, **arguments, actor=user.actor, via="web"
            )
    except MailflowError as error:
        flash(_refusal(error), "error")
        return back
    flash(str(confirmation), "ok")
    return back


def _quarantine_call(name: str, entry_id: int, **arguments: Any) -> Response:
    back = redirect(url_for("pages.quarantine"))
    function = QUARANTINE_CALLS[name]
    user = current_user()
    assert user is not None
    try:
        function(mailflow_app(), entry_id, user.actor, **arguments)
    except MailflowError as error:
        flash(_refusal(error), "error")
        return back
    # Our own words rather than the function's, so the confirmation is in the page's language.
    if name == "retry":
        _flash_retry_outcome(entry_id)
    elif name == "dismiss":
        flash(_("Entry %(id)s dismissed.", id=entry_id), "ok")
    else:
        flash(_("Entry %(id)s assigned to a step.", id=entry_id), "ok")
    return back


def _flash_retry_outcome(entry_id: int) -> None:
    with mailflow_app().sessions() as session:
        outcome = web_queries.message_outcome(session, entry_id)
    if outcome is None:
        return
    message_id, status, reason = outcome
    if reason is not None:
        flash(
            _(
                "Message %(id)s failed again and is back in the quarantine: %(reason)s",
                id=message_id,
                reason=reason,
            ),
            "error",
        )
    elif status == "processed":
        flash(_("Message %(id)s was processed.", id=message_id), "ok")
    else:
        flash(_("Message %(id)s will be processed again.", id=message_id), "ok")


@bp.post("/quarantine/<int:entry_id>/retry")
@acting
def retry(entry_id: int) -> Response:
    return _quarantine_call("retry", entry_id)


@bp.post("/quarantine/<int:entry_id>/dismiss")
@acting
def dismiss(entry_id: int) -> Response:
    note = _field("note")
    if not note:
        flash(_("Say in a few words why the entry is dismissed."), "error")
        return redirect(url_for("pages.quarantine"))
    return _quarantine_call("dismiss", entry_id, note=note)


@bp.post("/quarantine/<int:entry_id>/assign")
@acting
def assign(entry_id: int) -> Response:
    try:
        campaign_id = int(_field("campaign_id"))
        step = int(_field("step"))
    except ValueError:
        campaign_id, step = -1, -1
    if step not in STEP_NAMES or campaign_id < 0:
        flash(_("Choose the campaign and the step the message belongs to."), "error")
        return redirect(url_for("pages.quarantine"))
    return _quarantine_call("assign", entry_id, campaign_id=campaign_id, step=step)


@bp.post("/outbox/<int:outbox_id>/<any(resend, 'mark-sent'):decision>")
@acting
def outbox_decision(outbox_id: int, decision: str) -> Response:
    """A person settles an e-mail whose fate the server did not tell (see mailflow.outbox)."""
    back = redirect(url_for("pages.outgoing", outbox_id=outbox_id))
    user = current_user()
    assert user is not None
    try:
        resolve_uncertain(mailflow_app(), outbox_id, decision == "resend", user.actor)
    except MailflowError as error:
        flash(_refusal(error), "error")
        return back
    if decision == "resend":
        flash(_("The e-mail will be sent again."), "ok")
    else:
        flash(_("The e-mail is recorded as sent."), "ok")
    return back
