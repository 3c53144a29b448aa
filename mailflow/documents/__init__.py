"""Every IN-13 document as a Polish .docx template (``doc_templates/``) and one renderer.

Typical use::

    inquiry = PriceInquiry(office=..., vendor=..., ...)
    data = render_document("zapytanie_o_cene", inquiry.context(), override_dir)
"""

from mailflow.documents.charts import Chart, ChartBar, score_chart
from mailflow.documents.check import check_templates, template_placeholders
from mailflow.documents.contexts import (
    CONTEXT_TYPES,
    DOCUMENT_NAMES,
    Action,
    Addressee,
    AuditGuideline,
    AuditOrder,
    CallForTopics,
    Criterion,
    Document,
    EurRate,
    Indicator,
    Irregularity,
    LetterToContractor,
    OfferForm,
    Office,
    Person,
    PriceInquiry,
    Publication,
    QuoteComparison,
    ResultsMemo,
    Topic,
    TopicCatalogue,
    Vendor,
    VendorOutcome,
    eur_equivalent,
)
from mailflow.documents.formatting import (
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    money_in_words,
    working_day_deadline,
)
from mailflow.documents.publication_html import render_publication_html
from mailflow.documents.render import TEMPLATES_DIR, render_document
from mailflow.offer_form import read_offer_form

__all__ = [
    "CONTEXT_TYPES",
    "DOCUMENT_NAMES",
    "TEMPLATES_DIR",
    "Action",
    "Addressee",
    "AuditGuideline",
    "AuditOrder",
    "CallForTopics",
    "Chart",
    "ChartBar",
    "Criterion",
    "Document",
    "EurRate",
    "Indicator",
    "Irregularity",
    "LetterToContractor",
    "OfferForm",
    "Office",
    "Person",
    "PriceInquiry",
    "Publication",
    "QuoteComparison",
    "ResultsMemo",
    "Topic",
    "TopicCatalogue",
    "Vendor",
    "VendorOutcome",
    "check_templates",
    "eur_equivalent",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "format_percent",
    "money_in_words",
    "read_offer_form",
    "render_document",
    "render_publication_html",
    "score_chart",
    "template_placeholders",
    "working_day_deadline",
]
