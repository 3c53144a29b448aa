"""Recognising automatic replies (out-of-office, vacation responders, read receipts).

An automatic reply is never read as a quote or a decision and never answered. Headers that
only automatic mail carries (RFC 3834 ``Auto-Submitted``, ``X-Autoreply``, ``Precedence:
auto_reply``, the "Automatic reply:" subject Exchange writes) decide on their own. Weaker signs
(``X-Auto-Response-Suppress``, which Exchange also puts on some ordinary mail, or a vacation
sentence in the text) count only when two agree: taking a real quote for an auto-reply would
silently lose it.
"""

from __future__ import annotations

import re
from email.message import Message

from mailflow.mail.decode import header_param, header_text

_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|autoreply|auto-response|out of (the )?office|"
    r"odpowiedź automatyczna|automatyczna odpowiedź|autoodpowiedź|nieobecność|poza biurem|"
    r"jestem poza biurem|abwesenheitsnotiz|réponse automatique|auto)\s*:",
    re.IGNORECASE,
)
_VACATION_SUBJECT = re.compile(
    r"\b(out of (the )?office|nieobecn\w*|poza biurem|urlop\w*|vacation|autoreply)\b",
    re.IGNORECASE,
)
_VACATION_TEXT = re.compile(
    r"\b(jestem (obecnie )?(na urlopie|poza biurem|nieobecn\w*)|przebywam na (urlopie|"
    r"zwolnieniu)|będę nieobecn\w*|do dnia .{0,30} (jestem|będę) nieobecn|"
    r"out of (the )?office|on (annual )?leave|on vacation|limited access to e-?mail|"
    r"nie mam dostępu do poczty|odpowiem po powrocie|wiadomość wygenerowana automatycznie)",
    re.IGNORECASE,
)


def _auto_submitted(message: Message) -> str:
    return header_text(message, "Auto-Submitted").split(";")[0].strip().lower()


def autoreply_reasons(message: Message, subject: str, text: str) -> list[str]:
    """Why this message is an automatic reply; empty when it is not one."""
    strong = []
    auto_submitted = _auto_submitted(message)
    if auto_submitted and auto_submitted != "no":
        strong.append(f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Mailer-Autoreply"):
        if header_text(message, name):
            strong.append(f"{name} header")
    if header_text(message, "Precedence").lower() == "auto_reply":
        strong.append("Precedence: auto_reply")
    if message.get_content_type() == "multipart/report" and (
        header_param(message, "report-type").lower() == "disposition-notification"
    ):
        strong.append("read receipt (disposition notification)")
    if _AUTO_SUBJECT.match(subject or ""):
        strong.append(f"automatic-reply subject: {subject.split(':')[0]}")
    if strong:
        return strong
    weak = []
    suppress = header_text(message, "X-Auto-Response-Suppress")
    if suppress:
        weak.append(f"X-Auto-Response-Suppress: {suppress}")
    if _VACATION_SUBJECT.search(subject or ""):
        weak.append("out-of-office words in the subject")
    if _VACATION_TEXT.search(text or ""):
        weak.append("out-of-office sentence in the text")
    if header_text(message, "Return-Path").strip() == "<>":
        weak.append("empty Return-Path")
    return weak if len(weak) >= 2 else []


def is_bulk(message: Message) -> bool:
    """Mass mail (newsletters, lists): not an auto-reply, but never answered automatically."""
    precedence = header_text(message, "Precedence").lower()
    return precedence in ("bulk", "list", "junk") or bool(header_text(message, "List-Id"))
