"""Language choice and the human names of the procedure's codes (steps, states, kinds).

Polish is the interface language; English is the second. Message ids are English, the Polish
catalogue lives in ``translations/pl``. Codes from the database (``answered``, ``price_inquiry``)
never reach the page raw: :func:`label` names them, falling back to the code itself.
"""

from __future__ import annotations

from flask import session
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"


def select_locale() -> str:
    """The language the user chose on the page; Polish until they choose otherwise.

    The browser's Accept-Language is not followed: office computers often run an English
    browser, and the people who use the page work in Polish.
    """
    chosen = session.get("lang")
    return str(chosen) if chosen in LANGUAGES else DEFAULT_LANGUAGE


LABELS: dict[str, dict[str, LazyString]] = {
    "step": {
        "topics": _l("Topics"),
        "price_inquiry": _l("Catalogue and price inquiry"),
        "contract": _l("Contract"),
        "questionnaire": _l("Questionnaire and date"),
        "monitoring": _l("Monitoring"),
        "results": _l("Results"),
        "audit": _l("Audit"),
        "publication": _l("Publication"),
    },
    "inquiry": {
        "not_sent": _l("not sent yet"),
        "sent": _l("sent"),
        "bounced": _l("bounced"),
        "answered": _l("answered"),
        "declined": _l("declined"),
        "late": _l("late"),
        "reminded": _l("reminded"),
        "question": _l("asked a question"),
    },
    "approval": {
        "not_sent": _l("not sent yet"),
        "waiting": _l("waiting"),
        "approved": _l("approved"),
        "returned": _l("returned"),
    },
    "item": {
        "catalogue": _l("Catalogue of topics"),
        "comparison": _l("Quote comparison"),
        "questionnaire": _l("Questionnaire"),
        "memo": _l("Results memo"),
        "audit": _l("Audit order"),
    },
    "role": {
        "coordinator": _l("OS employee"),
        "os_manager": _l("OS manager"),
        "bok_manager": _l("BOK manager"),
        "complaints_officer": _l("Complaints officer"),
        "plenipotentiary": _l("Plenipotentiary"),
        "mayor": _l("Mayor"),
        "unit_heads": _l("Unit heads"),
        "audit_team": _l("Management-system team"),
        "vendor": _l("Survey firm"),
        "viewer": _l("viewer"),
        "admin": _l("administrator"),
    },
    "kind": {
        "quote": _l("quote"),
        "decline": _l("decline"),
        "question": _l("question"),
        "auto_reply": _l("auto-reply"),
        "bounce": _l("bounce"),
        "decision": _l("decision"),
        "results": _l("results"),
        "progress": _l("progress report"),
        "other": _l("other"),
    },
    "message": {
        "received": _l("received"),
        "processed": _l("processed"),
        "quarantined": _l("quarantined"),
        "pending": _l("waiting to be sent"),
        "sending": _l("being sent"),
        "final_dot": _l("being sent, awaiting the server's answer"),
        "sent": _l("sent"),
        "partial": _l("sent to some recipients only"),
        "uncertain": _l("unknown whether sent: decide (mailflow outbox)"),
        "failed": _l("failed"),
        "dismissed": _l("dismissed"),
        "assigned": _l("assigned by hand"),
    },
    "resolution": {
        "retried": _l("retried"),
        "dismissed": _l("dismissed"),
        "assigned": _l("assigned to a step"),
    },
    "waiting": {
        "offer": _l("an offer"),
        "corrective_action": _l("a corrective action"),
        "approval:catalogue": _l("approval of the catalogue"),
        "approval:comparison": _l("approval of the quote comparison"),
        "approval:questionnaire": _l("approval of the questionnaire"),
        "approval:memo": _l("approval of the results"),
        "approval:audit": _l("decision on the audit"),
    },
    "deadline": {
        "topics": _l("topics from contributors"),
        "offers": _l("offers from survey firms"),
        "approval": _l("approval"),
        "contract": _l("contract signed"),
        "survey": _l("survey carried out"),
        "questionnaire": _l("questionnaire accepted"),
        "progress": _l("progress report"),
        "results": _l("results delivered"),
        "corrective_action": _l("corrective action"),
        "publication": _l("publication"),
    },
    "action_kind": {
        "correction": _l("correction"),
        "corrective": _l("corrective action"),
        "preventive": _l("preventive action"),
    },
    "purpose": {
        "topics": _l("call for topics"),
        "catalogue": _l("catalogue for approval"),
        "inquiry": _l("price inquiry"),
        "comparison": _l("quote comparison"),
        "contractor": _l("to the contractor"),
        "questionnaire": _l("questionnaire for approval"),
        "memo": _l("results for approval"),
        "approval": _l("for approval"),
        "audit": _l("audit order"),
        "audit_team": _l("to the management-system team"),
        "publication": _l("publication"),
        "confirmation": _l("confirmation"),
        "notice": _l("notice"),
    },
    "event": {
        "campaign_started": _l("campaign started"),
        "topics_requested": _l("topics requested"),
        "topics_received": _l("topics received"),
        "topic_added": _l("topic added"),
        "catalogue_sent": _l("catalogue sent"),
        "catalogue_confirmed": _l("catalogue confirmed"),
        "inquiry_sent": _l("price inquiry sent"),
        "inquiry_reminded": _l("vendor reminded"),
        "vendor_added": _l("survey firm added"),
        "procurement_started": _l("procurement started"),
        "contract_recorded": _l("contract recorded"),
        "contractor_question": _l("question from the contractor"),
        "questionnaire_returned": _l("questionnaire returned"),
        "digest_sent": _l("summary sent"),
        "memo_sent": _l("results sent for approval"),
        "audit_order_drafted": _l("audit order drafted"),
        "audit_ordered": _l("audit ordered"),
        "action_done": _l("corrective action done"),
        "action_reminded": _l("corrective action reminded"),
        "quarantine_retried": _l("quarantined message retried"),
        "quarantine_dismissed": _l("quarantine entry dismissed"),
        "quarantine_assigned": _l("quarantined message assigned"),
    },
    "service": {
        "ok": _l("working"),
        "unknown": _l("no contact yet"),
        "failing": _l("failing"),
        "stale": _l("no recent contact"),
    },
}


def label(category: str, code: object) -> str:
    """The translated name of a code, or the code itself when it has none (never hidden)."""
    if code is None:
        return ""
    name = LABELS.get(category, {}).get(str(code))
    return str(name) if name is not None else str(code)
