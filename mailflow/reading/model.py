"""The values reply reading works with: what arrives (ReplyText) and what it says (Reading)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KINDS = ("quote", "decline", "question", "decision", "results", "progress", "other")
QUOTE_SOURCES = ("offer_form", "docx", "pdf", "xlsx", "body")


@dataclass(frozen=True)
class Attachment:
    """One real attachment (not an inline image), already decoded from its transfer encoding."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ReplyText:
    """What the sender wrote now, separated from what they quoted."""

    sender: str  # lower-case address of the author (the inner message's author for forwards)
    subject: str  # decoded subject
    new_text: str  # the text the author wrote now (no quoted history, no signature)
    quoted_text: str = ""  # quoted history (our inquiry etc.): never a source of values
    signature: str = ""  # the signature block: never a source of prices (NIP may be read)
    attachments: tuple[Attachment, ...] = ()
    # The subject-tag code of the thread this reply answers ("ZO", "POR", "KW", "WYN", "REA"...),
    # when correlation found it anywhere (References, quoted header); None when unknown.
    thread_code: str | None = None


@dataclass
class Quote:
    net: Decimal | None = None
    gross: Decimal | None = None
    vat_rate: str | None = None  # "23", "8", "zw" (exempt) or None when not stated
    currency: str = "PLN"
    vendor_nip: str | None = None  # 10 digits, validated
    valid_until: str | None = None  # ISO date
    completion: str | None = None  # free text or ISO date of the completion term
    source: str = "body"
    confidence: float = 0.0
    is_correction: bool = False  # "korekta oferty": supersedes the vendor's earlier quote

    def to_json(self) -> dict[str, object]:
        def money(value: Decimal | None) -> str | None:
            return None if value is None else f"{value.quantize(Decimal('0.01'))}"

        return {
            "net": money(self.net),
            "gross": money(self.gross),
            "vat_rate": self.vat_rate,
            "currency": self.currency,
            "vendor_nip": self.vendor_nip,
            "valid_until": self.valid_until,
            "completion": self.completion,
            "source": self.source,
            "confidence": round(self.confidence, 2),
            "is_correction": self.is_correction,
        }


@dataclass
class Decision:
    verdict: str | None  # "approve", "return" or None when unclear
    comment: str = ""

    def to_json(self) -> dict[str, object]:
        return {"verdict": self.verdict, "comment": self.comment}


@dataclass
class Progress:
    done: int
    target: int | None

    def to_json(self) -> dict[str, object]:
        return {"done": self.done, "target": self.target}


@dataclass
class Reading:
    kind: str = "other"
    quote: Quote | None = None
    decision: Decision | None = None
    progress: Progress | None = None
    needs_review: bool = False
    reasons: list[str] = field(default_factory=list)
    # Attachments (or parts) not read, each with its Polish reason (documents.Refusal).
    refusals: list[Any] = field(default_factory=list)
