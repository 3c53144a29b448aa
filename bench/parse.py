"""Benchmark: reading replies over the dev corpus, and a 20 MB text PDF attachment.

    .venv/bin/python bench/parse.py [--rounds N] [--pdf-mb MB] [--corpus DIR]

1. messages/s over every .eml of the corpus, through ``mailflow.mail.parse.parse_message``
   when it exists (else the stdlib fallback reader + ``read_reply``), beside a baseline
   measured in the same run: the stdlib ``email`` parse of the same messages (headers, body
   text and attachments decoded), which any reader has to do anyway. Prints the ratio.
2. a text PDF of about 20 MB generated with reportlab, read as a quote attachment by
   ``read_reply``: wall time and peak Python memory (tracemalloc), once with the default
   limits (the 100-page cap refuses it from the catalog's page count, before any page is
   parsed) and once with the cap lifted, reading pages until a 60 000-character budget is spent
   (pdfplumber needs about 2 s per page of this dense 4-point text).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import io
import time
import tracemalloc
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from mailflow.reading import Attachment, ReadingLimits, ReplyText, read_reply
from mailflow.reading.simple_eml import reply_from_bytes

MB = 1024 * 1024
DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev"


def stdlib_parse(raw: bytes) -> object:
    """The baseline: what the stdlib does for one message (parse, body text, attachments)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    data = [part.get_payload(decode=True) for part in message.iter_attachments()]
    return text, data


def our_reader() -> tuple[str, Callable[[bytes], object]]:
    try:
        from mailflow.mail.parse import parse_message
    except ImportError:
        return "read_reply(stdlib fallback)", lambda raw: read_reply(reply_from_bytes(raw))
    return "mailflow.mail.parse.parse_message", parse_message


def rate(function: Callable[[bytes], object], messages: list[bytes], rounds: int) -> float:
    function(messages[0])  # warm-up: imports and caches are not the steady state
    start = time.perf_counter()
    for _ in range(rounds):
        for raw in messages:
            function(raw)
    return rounds * len(messages) / (time.perf_counter() - start)


def text_pdf(pages: int) -> bytes:
    """A text-only PDF of ``pages`` dense pages (uncompressed streams), the quote on page 1."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    filler = "Zakres badania: kwestionariusz, realizacja wywiadow PAPI, raport, zbior danych. " * 2
    quote = [
        "OFERTA  NIP 725-048-38-88",
        "Cena netto 10 900,00 PLN",
        "Podatek VAT (23%) 2 507,00 PLN",
        "Cena brutto 13 407,00 PLN",
    ]
    for number in range(pages):
        page.setFont("Helvetica", 4)
        y = 820
        for line in quote if number == 0 else []:
            page.drawString(20, y, line)
            y -= 6
        while y > 20:
            page.drawString(20, y, f"{number:04d} {filler}")
            y -= 5
        page.showPage()
    page.save()
    return out.getvalue()


def big_text_pdf(target_bytes: int) -> tuple[bytes, int]:
    """About ``target_bytes`` of text PDF: the page count comes from a 10-page sample."""
    per_page = len(text_pdf(10)) / 10
    pages = max(1, round(target_bytes / per_page))
    return text_pdf(pages), pages


def read_pdf(data: bytes, limits: ReadingLimits) -> tuple[float, float, list[str]]:
    """Wall time (without tracing) and peak Python memory (a second, traced run)."""
    reply = ReplyText(
        sender="v@x.example.pl",
        subject="Oferta",
        new_text="W załączeniu przesyłamy ofertę.",
        attachments=(Attachment("oferta.pdf", "application/pdf", data),),
    )
    start = time.perf_counter()
    reading = read_reply(reply, limits=limits)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    read_reply(reply, limits=limits)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    quote = reading.quote
    summary = [f"kind={reading.kind}", f"needs_review={reading.needs_review}"]
    if quote is not None:
        summary.append(f"net={quote.net} gross={quote.gross} source={quote.source}")
    return seconds, peak / MB, summary + reading.reasons[:2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pdf-mb", type=float, default=20.0)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()

    messages = [path.read_bytes() for path in sorted(args.corpus.glob("*.eml"))]
    name, reader = our_reader()
    baseline = rate(stdlib_parse, messages, args.rounds)
    ours = rate(reader, messages, args.rounds)
    print(f"corpus: {len(messages)} messages x {args.rounds} rounds")
    print(f"  baseline stdlib email parse : {baseline:8.1f} messages/s")
    print(f"  {name:<28}: {ours:8.1f} messages/s")
    print(
        f"  ratio (ours / baseline)     : {ours / baseline:8.3f}  ({baseline / ours:.1f}x slower)"
    )
    replies = {id(raw): reply_from_bytes(raw) for raw in messages}
    alone = rate(lambda raw: read_reply(replies[id(raw)]), messages, args.rounds)
    print(f"  read_reply alone (prepared) : {alone:8.1f} messages/s")

    data, pages = big_text_pdf(int(args.pdf_mb * MB))
    print(f"PDF: {len(data) / MB:.1f} MB, {pages} pages of text")
    for label, limits in (
        ("default limits", ReadingLimits()),
        # The page cap lifted: pages are read until the text budget (3 dense pages) is spent.
        ("page cap lifted", ReadingLimits(max_pdf_pages=pages + 1, max_pdf_chars=60_000)),
    ):
        seconds, peak, summary = read_pdf(data, limits)
        print(
            f"  {label}: {seconds:6.2f} s, peak Python memory {peak:7.1f} MB "
            f"({peak * MB / len(data):.1f}x the file)"
        )
        print(f"    {'; '.join(summary)}")


if __name__ == "__main__":
    main()
