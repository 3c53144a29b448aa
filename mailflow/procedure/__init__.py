"""IN-13, "Badanie jakości usług": the yearly customer-satisfaction survey, step by step.

Does: one module per step of the instruction, read in its order (``topics``, ``inquiry``,
``contract``, ``questionnaire``, ``monitoring``, ``results``, ``audit``, ``publication``),
each ending with the table of replies, verdicts and deadlines it handles. Must not: speak
IMAP or SMTP (intake and the outbox do), or decide anything a person must (NeedsReview).

Each step is driven by e-mail replies (``handle_message``, called by intake for every message
of ours), by the clock (``run_due``, called by the scheduler) or by a person on the status page
or CLI (the public functions below, which record exactly what a reply would). Every action is
an ``Event`` row: who, when, from which message or page. Nothing is deleted.
"""

from __future__ import annotations

from mailflow.clock import utc
from mailflow.procedure.approvals import waiting_approval
from mailflow.procedure.audit import (
    add_corrective_action,
    complete_action,
    confirm_audit,
    draft_audit_order,
    order_audit,
)
from mailflow.procedure.common import (
    NeedsReview,
    active_campaign,
    campaign_for_year,
    record,
    require_step,
    today,
)
from mailflow.procedure.contract import record_contract
from mailflow.procedure.decisions import decide
from mailflow.procedure.due import run_due, start_yearly_if_due
from mailflow.procedure.inbox import handle_message, on_quarantine
from mailflow.procedure.inquiry import (
    add_vendor,
    mark_procurement_started,
    send_comparison,
    send_comparison_now,
    send_inquiries,
)
from mailflow.procedure.monitoring import send_digest
from mailflow.procedure.pipeline import DECISIONS
from mailflow.procedure.publication import (
    PUBLICATION_PLACES,
    ask_publication,
    publication_choice,
    publish,
)
from mailflow.procedure.questionnaire import accept_questionnaire, return_questionnaire
from mailflow.procedure.results import MEMO_CHAIN, route_memo
from mailflow.procedure.topics import add_topic, confirm_catalogue, send_catalogue, start_campaign
from mailflow.steps import ROLE_TITLES, StepNumber

# The items a person approves or returns (``decide``), in the order the procedure reaches them.
DECISION_ITEMS: tuple[str, ...] = tuple(DECISIONS)
STEP_TOPICS, STEP_INQUIRY, STEP_CONTRACT, STEP_QUESTIONNAIRE = (
    StepNumber.TOPICS,
    StepNumber.INQUIRY,
    StepNumber.CONTRACT,
    StepNumber.QUESTIONNAIRE,
)
STEP_MONITORING, STEP_RESULTS, STEP_AUDIT, STEP_PUBLICATION = (
    StepNumber.MONITORING,
    StepNumber.RESULTS,
    StepNumber.AUDIT,
    StepNumber.PUBLICATION,
)

__all__ = [
    "DECISION_ITEMS",
    "MEMO_CHAIN",
    "PUBLICATION_PLACES",
    "ROLE_TITLES",
    "STEP_AUDIT",
    "STEP_CONTRACT",
    "STEP_INQUIRY",
    "STEP_MONITORING",
    "STEP_PUBLICATION",
    "STEP_QUESTIONNAIRE",
    "STEP_RESULTS",
    "STEP_TOPICS",
    "NeedsReview",
    "accept_questionnaire",
    "active_campaign",
    "add_corrective_action",
    "add_topic",
    "add_vendor",
    "ask_publication",
    "campaign_for_year",
    "complete_action",
    "confirm_audit",
    "confirm_catalogue",
    "decide",
    "draft_audit_order",
    "handle_message",
    "mark_procurement_started",
    "on_quarantine",
    "order_audit",
    "publication_choice",
    "publish",
    "record",
    "record_contract",
    "require_step",
    "return_questionnaire",
    "route_memo",
    "run_due",
    "send_catalogue",
    "send_comparison",
    "send_comparison_now",
    "send_digest",
    "send_inquiries",
    "start_campaign",
    "start_yearly_if_due",
    "today",
    "utc",
    "waiting_approval",
]
