"""Fuzzing the reader: mutated real messages and attachments, and only named refusals escape.

The seeds are messages as the clients of ``test_reading_clients`` write them, with the
attachments of ``test_reading_attachments`` (offer form DOCX, XLSX and ODS estimates, ODT
letter, a text PDF) and a few files of the hostile set. Hypothesis mutates the raw message
(bytes flipped, MIME and encoding tokens spliced in, pieces cut or repeated) or the
attachment before it is wrapped. Each result goes through the reader without its last safety
net (``parse._parse_message``): a :class:`~mailflow.errors.ReadingRefused` may come out, any
other exception is a bug. The run is deterministic and bounded; set MAILFLOW_FUZZ_EXAMPLES
(and MAILFLOW_FUZZ_RANDOM=1) to fuzz longer. A failure found is committed below as a test.
"""

from __future__ import annotations

import contextlib
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.errors import ReadingRefused
from mailflow.mail.parse import _parse_message, parse_message
from mailflow.reading import Attachment
from tests.hostile import make_hostile
from tests.test_reading_attachments import (
    DOCX_TYPE,
    ESTIMATE,
    FILLED,
    ODS_TYPE,
    ODT_TYPE,
    XLSX_TYPE,
    ods_bytes,
    odt_bytes,
    offer_form,
    xlsx_bytes,
)
from tests.test_reading_clients import CLIENTS, raw_message

EXAMPLES = int(os.environ.get("MAILFLOW_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("MAILFLOW_FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BODY = "Dzień dobry,\n\nnasza cena: 12 300,00 zł netto (15 129,00 zł brutto), NIP 584-161-68-25."
# Pieces of MIME and of the formats inside it, spliced in at random places.
TOKENS = [
    b"\r\n\r\n",
    b"\r\n--",
    b"\n\n",
    b"=?utf-8?b?",
    b"=?zlib_codec?q?x?=",
    b"?=",
    b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n',
    b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Type: text/html; charset=hex\r\n\r\n<blockquote><p>",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"; format=flowed; delsp=yes",
    b"; charset=\x00",
    b"filename*=utf-8''%C5%81",
    b"\x00",
    b"\xff\xfe\x00",
    b"=\r\n",
    b"NIP      ",
    b" " * 64,
    b"PK\x03\x04",
    b"%PDF-1.4\n",
    b"winmail.dat",
]


def _pdf() -> bytes:
    return make_hostile._pdf(b"BT /F1 12 Tf 72 720 Td (Cena netto 12 300,00 zl) Tj ET\n")


def attachments() -> list[Attachment]:
    return [
        Attachment("Oferta.docx", DOCX_TYPE, offer_form(FILLED)),
        Attachment("Kosztorys.xlsx", XLSX_TYPE, xlsx_bytes(ESTIMATE)),
        Attachment("Kosztorys.ods", ODS_TYPE, ods_bytes([["Razem netto", 16800.0]])),
        Attachment("Oferta.odt", ODT_TYPE, odt_bytes(["Cena 12 300 zł netto"], [["a", "b"]])),
        Attachment("oferta.pdf", "application/pdf", _pdf()),
    ]


def seeds() -> list[bytes]:
    found = [raw_message(write(BODY)) for write in CLIENTS.values()]
    found += [raw_message(BODY, attachments=(attachment,)) for attachment in ATTACHMENTS]
    found.append(raw_message(BODY, charset="iso-8859-2"))
    for name in ("nested-eml", "filename-bad-charset", "tnef-oddity", "msg-oddity"):
        hostile = make_hostile.BY_NAME[name]
        found.append(hostile.build(min(hostile.n, 20)))
    return found


# Built once, outside the strategies: the builders use ``random`` (MIME boundaries).
ATTACHMENTS = attachments()
SEEDS = seeds()


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(out)))
        operation = draw(st.sampled_from(["flip", "splice", "cut", "repeat", "bytes"]))
        if operation == "flip" and out:
            at = min(at, len(out) - 1)
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "splice":
            out[at:at] = draw(st.sampled_from(TOKENS))
        elif operation == "cut":
            del out[at : at + draw(st.integers(1, 400))]
        elif operation == "repeat":
            piece = out[at : at + draw(st.integers(1, 200))]
            out[at:at] = piece * draw(st.integers(1, 50))
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=40))
    return bytes(out)


def assert_only_named_refusals(raw: bytes) -> None:
    with contextlib.suppress(ReadingRefused):
        _parse_message(raw, None, None, None, None)


@FUZZ
@given(st.sampled_from(SEEDS).flatmap(mutations))
def test_mutated_messages_give_a_reading_or_a_named_refusal(raw: bytes) -> None:
    assert_only_named_refusals(raw)


@FUZZ
@given(st.sampled_from(ATTACHMENTS).flatmap(lambda a: st.tuples(st.just(a), mutations(a.data))))
def test_mutated_attachments_give_a_reading_or_a_named_refusal(
    case: tuple[Attachment, bytes],
) -> None:
    attachment, data = case
    raw = raw_message(
        BODY, attachments=(Attachment(attachment.filename, attachment.content_type, data),)
    )
    assert_only_named_refusals(raw)
    parsed = parse_message(raw)
    assert all(refusal.code != "reader_failed" for refusal in parsed.refusals), parsed.reasons
