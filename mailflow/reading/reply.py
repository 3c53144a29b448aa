"""read_reply: one reply in, one Reading out, as a careful clerk would read it.

Order of questions: is it bulk mail; is it an official's decision on a routed item; results;
a progress report; a decline; a quote (from the most trusted source that has a price); a
question; anything else. Whatever is unclear sets ``needs_review`` with a reason.
"""

from __future__ import annotations

import re

from mailflow.reading import kinds
from mailflow.reading.documents import DocumentText, Refusal, read_document
from mailflow.reading.figures import table_lines
from mailflow.reading.model import Attachment, Progress, Quote, Reading, ReplyText
from mailflow.reading.money import normalize_spaces
from mailflow.reading.nip import office_nips, vendor_nip
from mailflow.reading.offer_form import form_fields
from mailflow.reading.quote import SourceQuote, quote_from_form, quote_from_lines
from mailflow.reading.safety import ReadingLimits
from mailflow.reading.text import amounts_worth_a_look, price_lines, split_quoted
from mailflow.tokens import find_tag

SOURCE_ORDER = ("offer_form", "docx", "pdf", "xlsx", "body")
CORRECTION_RE = re.compile(
    r"korekt\w*\s+ofert\w*|ofert\w*\s+(?:po\s+korekcie|skorygowan\w*|poprawion\w*)|"
    r"skorygowan\w*\s+ofert\w*|corrected\s+(?:offer|quote)",
    re.IGNORECASE,
)
OFFER_SENT_RE = re.compile(
    r"(?:w\s+załącz\w*|przesyłam\w*|składam\w*|przedstawiam\w*|załączam\w*|oferujemy|attached)"
    r"[^.\n]{0,60}\b(?:ofert\w*|formularz\w*|kosztorys\w*|offer|quote)"
    r"|\b(?:ofert\w*|formularz\w*)[^.\n]{0,30}\bw\s+załącz",
    re.IGNORECASE,
)
__all__ = ["ReadingLimits", "read_reply"]


def read_reply(
    reply: ReplyText, *, office_nip: str | None = None, limits: ReadingLimits | None = None
) -> Reading:
    """Read one reply. Pure: no I/O, never raises on bad input.

    ``office_nip`` is the office's own NIP (10 digits), never taken as the vendor's; without
    it, NIPs on "Zamawiający"/office lines are recognised as the office's. ``limits`` bounds
    the text and attachment sizes (defaults: :class:`ReadingLimits`).
    """
    return _read(reply, office_nip, limits or ReadingLimits(), depth=0)


def _read(reply: ReplyText, office_nip: str | None, limits: ReadingLimits, depth: int) -> Reading:
    reading = Reading()
    new_text, quoted = _new_text(reply, limits, reading)
    subject = normalize_spaces(reply.subject or "")
    thread_code = reply.thread_code or _code_in(subject)

    if kinds.is_bulk(subject, new_text):
        reading.reasons.append("bulk mail (newsletter): not a reply")
        return reading
    if kinds.is_routing_reply(thread_code):
        return _decision(reading, new_text)
    is_results, has_data = kinds.results_delivery(subject, new_text, reply.attachments)
    if is_results and thread_code != "ZO":  # a reply to a price inquiry is never results
        reading.kind = "results"
        names = ", ".join(a.filename for a in reply.attachments)
        reading.reasons.append(f"results delivered: {names}")
        if not has_data:
            _flag(reading, "results without a data file (XLSX, CSV, SAV...)")
        return reading
    # In the contractor's thread a progress report comes first; elsewhere "we did 12 000
    # interviews last year" in an offer is a reference, so prices are looked for first.
    progress = kinds.read_progress(new_text) if thread_code != "ZO" else None
    if progress is not None and thread_code == "REA":
        return _progress(reading, progress)

    documents, refusals = _documents(reply.attachments, limits)
    for refusal in refusals:
        _flag(reading, refusal.reason)
    reading.refusals += refusals
    found = _quote(reply, new_text, quoted, documents, office_nip, limits, reading, depth)
    declined = kinds.is_decline(new_text)
    if declined:
        reading.kind = "decline"
        reading.reasons.append("the vendor declines to quote")
        if found is not None:
            _flag(reading, "declines but also states a price")
        if kinds.is_question(new_text) or kinds.is_conditional_decline(new_text):
            _flag(reading, "the decline is conditional or asks a question")
        return reading
    if found is not None:
        reading.kind = "quote"
        reading.quote = found
        if kinds.is_question(new_text):
            _flag(reading, "the quote also asks a question")
        return reading
    if progress is not None:
        return _progress(reading, progress)
    if kinds.is_question(new_text):
        reading.kind = "question"
        reading.reasons.append("a question to the office")
        return reading
    if refusals or OFFER_SENT_RE.search(new_text):
        reading.kind = "quote"
        reading.quote = Quote(source="body", confidence=0.0)
        _flag(reading, "an offer is mentioned but no price could be read")
        return reading
    reading.reasons.append("no quote, decline, question, decision, progress or results")
    if amounts_worth_a_look(new_text):
        # Money in a message that is none of the above: a person decides what it is.
        _flag(reading, "amounts in the text that were not read as a quote")
    elif reply.attachments:
        # A scan or a format we do not read may be the offer itself.
        names = ", ".join(a.filename for a in reply.attachments)
        _flag(reading, f"attachments not read: {names}")
    elif thread_code == "REA":
        # The contractor's correspondence always matters to the procedure: a person reads it.
        _flag(reading, "contractor message not understood")
    return reading


def _progress(reading: Reading, progress: Progress) -> Reading:
    reading.kind = "progress"
    reading.progress = progress
    target = f" of {progress.target}" if progress.target else ""
    reading.reasons.append(f"progress report: {progress.done}{target} interviews")
    return reading


def _flag(reading: Reading, reason: str) -> None:
    reading.needs_review = True
    reading.reasons.append(reason)


def _code_in(subject: str) -> str | None:
    tag = find_tag(subject)
    return tag.code if tag else None


def _new_text(reply: ReplyText, limits: ReadingLimits, reading: Reading) -> tuple[str, str]:
    """The new text, bounded, with any quoted history the splitter missed moved out."""
    text = normalize_spaces(reply.new_text or "")
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        _flag(reading, f"text longer than {limits.max_text_chars} characters, cut")
    new_text, missed_quote = split_quoted(text)
    quoted = "\n".join(part for part in (reply.quoted_text, missed_quote) if part)
    return new_text, normalize_spaces(quoted)


def _decision(reading: Reading, new_text: str) -> Reading:
    reading.kind = "decision"
    decision, reasons = kinds.read_decision(new_text)
    reading.decision = decision
    reading.reasons.extend(reasons)
    if decision.verdict is None:
        reading.needs_review = True
    return reading


def _documents(
    attachments: tuple[Attachment, ...], limits: ReadingLimits
) -> tuple[list[DocumentText], list[Refusal]]:
    documents: list[DocumentText] = []
    refusals: list[Refusal] = []
    if len(attachments) > limits.max_attachments:
        refusals.append(
            Refusal(
                f"{len(attachments)} attachments, only the first read",
                f"Wiadomość ma {len(attachments)} załączników; odczytano tylko pierwsze "
                f"{limits.max_attachments}.",
                "too_complex",
            )
        )
    for attachment in attachments[: limits.max_attachments]:
        result = read_document(attachment, limits)
        if isinstance(result, Refusal):
            refusals.append(result)
        elif result is not None:
            documents.append(result)
            # A partly read document is not refused, but nothing from it is sure.
            refusals.extend(
                Refusal(
                    note, f"Załącznik „{result.filename}” odczytano tylko częściowo.", "partial"
                )
                for note in result.notes
            )
    return documents, refusals


def _document_lines(document: DocumentText) -> list[str]:
    lines = list(document.lines)
    for table in document.tables:
        lines.extend(table_lines(table))
    return lines


def _candidates(
    reply: ReplyText, new_text: str, documents: list[DocumentText]
) -> list[tuple[str, SourceQuote, list[str]]]:
    """(source, quote, texts for the NIP) for every source with a price, in order of trust."""
    found: list[tuple[str, SourceQuote, list[str]]] = []
    for document in documents:
        fields = form_fields(document.tables) if document.kind == "docx" else {}
        raw = _document_lines(document)
        nip_texts = ["\n".join(raw)]
        if fields:
            form = quote_from_form(fields)
            if form is not None:
                found.append(("offer_form", form, [f"NIP {fields.get('NIP', '')}", *nip_texts]))
                continue
        if document.kind == "xlsx":
            # Only table rows: a cost estimate's figures are its totals, read from rows.
            raw = [line for table in document.tables for line in table_lines(table)]
        result = quote_from_lines(price_lines("\n".join(raw)), raw, document.kind)
        if result is not None:
            found.append((document.kind, result, nip_texts))
    body_lines = new_text.split("\n")
    body = quote_from_lines(price_lines(new_text), body_lines, "body")
    if body is not None:
        found.append(("body", body, [new_text, reply.signature]))
    found.sort(key=lambda item: SOURCE_ORDER.index(item[0]))
    return found


def _quote(
    reply: ReplyText,
    new_text: str,
    quoted: str,
    documents: list[DocumentText],
    office_nip: str | None,
    limits: ReadingLimits,
    reading: Reading,
    depth: int,
) -> Quote | None:
    candidates = _candidates(reply, new_text, documents)
    if not candidates and depth == 0:
        return _forwarded_quote(reply, office_nip, limits, reading)
    if not candidates:
        return None
    source, best, nip_texts = candidates[0]
    for other_source, other, _ in candidates[1:]:
        if (other.quote.net, other.quote.gross) != (best.quote.net, best.quote.gross) and (
            other.quote.net is not None or other.quote.gross is not None
        ):
            best.flag(f"the {other_source} states other figures than the {source}")
    quote = best.quote
    quote.source = source
    quote.is_correction = bool(
        CORRECTION_RE.search(reply.subject) or CORRECTION_RE.search(new_text)
    )
    if quote.is_correction:
        best.reasons.append("correction of an earlier offer: supersedes it")
    office = office_nips([quoted, *(_all_text(d) for d in documents)], office_nip)
    every_text = [*nip_texts, *(_all_text(d) for d in documents), new_text, reply.signature]
    quote.vendor_nip, nip_reasons = vendor_nip(every_text, office)
    for reason in nip_reasons:
        if reason.startswith("several"):
            best.flag(reason)
        else:
            best.reasons.append(reason)
    reading.reasons.append(f"quote read from the {source.replace('_', ' ')}")
    reading.reasons.extend(best.reasons)
    reading.needs_review = reading.needs_review or best.needs_review
    return quote


def _all_text(document: DocumentText) -> str:
    return "\n".join(_document_lines(document))


def _forwarded_quote(
    reply: ReplyText, office_nip: str | None, limits: ReadingLimits, reading: Reading
) -> Quote | None:
    """A vendor's message forwarded as an attached .eml: read the inner message as the reply."""
    from mailflow.reading.simple_eml import reply_from_bytes

    for attachment in reply.attachments:
        if attachment.content_type != "message/rfc822" and not attachment.filename.lower().endswith(
            ".eml"
        ):
            continue
        if len(attachment.data) > limits.max_attachment_bytes:
            _flag(reading, f"{attachment.filename}: forwarded message too large, not read")
            continue
        inner = _read(reply_from_bytes(attachment.data), office_nip, limits, depth=1)
        if inner.quote is not None:
            reading.reasons.append(f"quote read from the forwarded message {attachment.filename}")
            reading.reasons.extend(inner.reasons)
            reading.needs_review = reading.needs_review or inner.needs_review
            return inner.quote
    return None
