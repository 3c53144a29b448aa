"""`mailflow campaign ...`: everything a person can do by e-mail, from the command line.

Each subcommand calls the same procedure function an e-mail reply or the status page uses,
recorded with ``via="cli"``, so the evidence trail does not depend on the channel.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from mailflow import procedure
from mailflow.app import App
from mailflow.db import models, transaction
from mailflow.errors import UserError
from mailflow.queries import campaign_summary

ACTOR = "cli"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # a user error, not argparse's exit(2)
        raise UserError(f"mailflow campaign: {message}")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> _Parser:
    parser = _Parser(prog="mailflow campaign")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("start").add_argument("year", type=int)
    sub.add_parser("show").add_argument("year", type=int)
    for name in ("confirm-catalogue", "procurement-started", "order-audit", "send-comparison"):
        sub.add_parser(name).add_argument("year", type=int)
    p = sub.add_parser("add-topic")
    p.add_argument("year", type=int)
    p.add_argument("title")
    p.add_argument("--discussion", default="")
    p = sub.add_parser("add-vendor")
    p.add_argument("year", type=int)
    p.add_argument("vendor")
    p = sub.add_parser("record-contract")
    p.add_argument("year", type=int)
    p.add_argument("--contractor", required=True)
    p.add_argument("--number", required=True)
    p.add_argument("--term", required=True, type=_day)
    p.add_argument("--justification")
    p = sub.add_parser("accept-questionnaire")
    p.add_argument("year", type=int)
    p.add_argument("--date", type=_day)
    p = sub.add_parser("return-questionnaire")
    p.add_argument("year", type=int)
    p.add_argument("comment")
    for name in ("approve", "return"):
        p = sub.add_parser(name)
        p.add_argument("year", type=int)
        p.add_argument("item", choices=list(procedure.DECISION_ITEMS))
        p.add_argument("comment", nargs="?", default="")
    p = sub.add_parser("add-action")
    p.add_argument("year", type=int)
    p.add_argument("kind", choices=["correction", "corrective", "preventive"])
    p.add_argument("description")
    p.add_argument("--owner", required=True)
    p.add_argument("--due", required=True, type=_day)
    p = sub.add_parser("action-done")
    p.add_argument("year", type=int)
    p.add_argument("id", type=int)
    p = sub.add_parser("publish")
    p.add_argument("year", type=int)
    p.add_argument("place", choices=sorted(procedure.PUBLICATION_PLACES))
    return parser


def campaign_command(app: App, args: argparse.Namespace) -> str:
    parsed = _parser().parse_args([args.action, *args.rest])
    with transaction(app.sessions) as session:
        if parsed.action == "start":
            campaign = procedure.start_campaign(app, session, parsed.year, ACTOR, "cli")
            return (
                f"Kampania {campaign.year} rozpoczęta; prośby o zagadnienia w kolejce do wysłania."
            )
        campaign = procedure.campaign_for_year(session, parsed.year)
        return _act(app, session, campaign, parsed)


def _act(app: App, session: Session, campaign: models.Campaign, p: argparse.Namespace) -> str:
    if p.action == "show":
        return json.dumps(campaign_summary(session, campaign), ensure_ascii=False, indent=2)
    if p.action == "add-topic":
        return procedure.add_topic(app, session, campaign, p.title, p.discussion, ACTOR, "cli")
    if p.action == "confirm-catalogue":
        return procedure.confirm_catalogue(app, session, campaign, ACTOR, "cli")
    if p.action == "add-vendor":
        return procedure.add_vendor(app, session, campaign, p.vendor, ACTOR, "cli")
    if p.action == "send-comparison":
        return procedure.send_comparison_now(app, session, campaign)
    if p.action == "procurement-started":
        return procedure.mark_procurement_started(app, session, campaign, ACTOR, "cli")
    if p.action == "record-contract":
        return procedure.record_contract(
            app, session, campaign, p.contractor, p.number, p.term, p.justification, ACTOR, "cli"
        )
    if p.action == "accept-questionnaire":
        return procedure.accept_questionnaire(
            app, session, campaign, ACTOR, "cli", survey_date=p.date
        )
    if p.action == "return-questionnaire":
        return procedure.return_questionnaire(app, session, campaign, p.comment, ACTOR, "cli")
    if p.action in ("approve", "return"):
        return _decide(
            app,
            session,
            campaign,
            p.item,
            "approve" if p.action == "approve" else "return",
            p.comment,
        )
    if p.action == "add-action":
        return procedure.add_corrective_action(
            app, session, campaign, p.kind, p.description, p.owner, p.due, ACTOR, "cli"
        )
    if p.action == "action-done":
        return procedure.complete_action(app, session, campaign, p.id, ACTOR, "cli")
    if p.action == "order-audit":
        return procedure.order_audit(app, session, campaign, ACTOR, "cli")
    if p.action == "publish":
        return procedure.publish(app, session, campaign, p.place, ACTOR, "cli")
    raise UserError(f"unknown campaign action {p.action}")


def _decide(
    app: App, session: Session, campaign: models.Campaign, item: str, verdict: str, comment: str
) -> str:
    approval = procedure.waiting_approval(session, campaign, item)
    if approval is None:
        raise UserError(f"nothing waits for a decision on {item} in campaign {campaign.year}")
    return procedure.decide(app, session, campaign, approval, verdict, comment, ACTOR, "cli")
