"""The comparison of offers built from the database: points under the published criteria,
receipt hours on Warsaw's clock, corrections, earlier years and the configured rules."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy.orm import Session

from mailflow import paperwork
from mailflow.app import App, open_app, store_file
from mailflow.clock import FakeClock
from mailflow.config import load_config
from mailflow.db import models, transaction
from mailflow.documents import render_document
from mailflow.documents.examples import example_documents
from mailflow.offer_form import EXPERIENCE_LABEL, HEADER
from tests.configs import TEST_ENV, write_config

DEADLINE = datetime(2027, 2, 10, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw
NOW = DEADLINE + timedelta(hours=2)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _app(tmp_path: Path, database_url: str, changes: dict[tuple[str, str], str]) -> App:
    edits = {("database", "url"): f'"{database_url}"', **changes}
    config = load_config(write_config(tmp_path, edits), env=TEST_ENV)
    return open_app(config, clock=FakeClock(NOW), upgrade=True)


def _filled_form(answers: dict[str, str]) -> bytes:
    blank = render_document(
        "formularz_ofertowy", example_documents()["formularz_ofertowy"].context()
    )
    document = Document(io.BytesIO(blank))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == HEADER[0])
    for row in table.rows[1:]:
        if row.cells[0].text in answers:
            row.cells[1].paragraphs[0].add_run(answers[row.cells[0].text])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _message(app: App, session: Session, sender: str, text: str, form: bytes | None) -> int:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "ankieta+abcdefgh@um.example.pl"
    mail["Subject"] = "Re: Zapytanie o cenę [IN13-2027-ZO-abcdefgh]"
    mail["Message-ID"] = f"<{sender.split('@')[0]}-{len(text)}@example.pl>"
    mail.set_content(text)
    if form is not None:
        maintype, subtype = DOCX.split("/")
        mail.add_attachment(form, maintype=maintype, subtype=subtype, filename="Formularz.docx")
    raw = mail.as_bytes()
    digest = store_file(app, session, raw)
    row = models.Message(
        message_id_header=mail["Message-ID"],
        sha256=digest,
        size=len(raw),
        received_at=NOW,
        folder="INBOX",
        from_addr=sender,
        subject=mail["Subject"],
    )
    session.add(row)
    session.flush()
    return row.id


def _quote(
    campaign: models.Campaign,
    vendor: str,
    net: str,
    received: datetime,
    message_id: int | None,
    source: str,
    late: bool = False,
) -> models.QuoteRecord:
    value = Decimal(net)
    return models.QuoteRecord(
        campaign_id=campaign.id,
        vendor_key=vendor,
        message_id=message_id,
        received_at=received,
        net=value,
        gross=(value * Decimal("1.23")).quantize(Decimal("0.01")),
        vat_rate="23",
        currency="PLN",
        source=source,
        late=late,
    )


def _year(app: App, changes_late: bool = False) -> tuple[bytes, Decimal, int]:
    with transaction(app.sessions) as session:
        before = models.Campaign(
            year=2026, case_ref="OS.0543.3.2026", step=7, started_at=NOW - timedelta(days=365)
        )
        before.contractor_key, before.data = "datapol", {}
        campaign = models.Campaign(
            year=2027,
            case_ref="OS.0543.3.2027",
            step=1,
            started_at=NOW - timedelta(days=20),
            data={"offers_deadline": DEADLINE.isoformat()},
        )
        session.add_all([before, campaign])
        session.flush()
        session.add(_quote(before, "datapol", "10900", NOW - timedelta(days=365), None, "body"))
        config = app.config
        for key, vendor in config.vendors.items():
            session.add(
                models.Inquiry(
                    campaign_id=campaign.id,
                    vendor_key=key,
                    vendor_email=vendor.email,
                    token="abcdefgh",
                    status="late" if key == "datapol" and changes_late else "answered",
                    sent_at=DEADLINE - timedelta(days=14),
                    answered_at=NOW - timedelta(days=1),
                )
            )
        kwadrant = _message(
            app,
            session,
            "oferty@kwadrant.example.pl",
            "W załączeniu formularz.",
            _filled_form({"Cena netto [zł]": "11 500,00", EXPERIENCE_LABEL: "6"}),
        )
        sonda_first = _message(app, session, "biuro@sonda.example.pl", "Cena netto 12 300 zł", None)
        sonda_second = _message(
            app, session, "biuro@sonda.example.pl", "Korekta: cena netto 11 900 zł.", None
        )
        datapol = _message(
            app,
            session,
            "oferty@datapol.example.pl",
            f"Cena netto: 13 900,00 zł\nStawka VAT: 23%\n{EXPERIENCE_LABEL}: 2\n",
            None,
        )
        # 09:14 UTC on 5 February is 10:14 in Warsaw.
        session.add(
            _quote(
                campaign,
                "kwadrant",
                "11500",
                datetime(2027, 2, 5, 9, 14, tzinfo=UTC),
                kwadrant,
                "offer_form",
            )
        )
        first = _quote(
            campaign, "sonda", "12300", datetime(2027, 2, 3, 8, 0, tzinfo=UTC), sonda_first, "body"
        )
        session.add(first)
        session.flush()
        second = _quote(
            campaign,
            "sonda",
            "11900",
            datetime(2027, 2, 8, 13, 2, tzinfo=UTC),
            sonda_second,
            "body",
        )
        session.add(second)
        session.flush()
        first.superseded_by_id = second.id
        session.add(
            _quote(
                campaign,
                "datapol",
                "13900",
                DEADLINE + timedelta(minutes=30) if changes_late else DEADLINE - timedelta(hours=1),
                datapol,
                "body",
                late=changes_late,
            )
        )
        session.flush()
        data, value, scored = paperwork.comparison(app, session, campaign)
    return data, value, scored


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts).replace("\u00a0", " ").replace("\u200b", "")


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[App]:
    application = _app(tmp_path, database_url, {})
    yield application
    application.close()


def test_the_comparison_scores_every_offer_under_the_published_criteria(app: App) -> None:
    data, value, scored = _year(app)
    text = _text(data)
    assert scored == 3
    assert value == Decimal("12433.33")  # (11 500 + 11 900 + 13 900) / 3
    # Kwadrant: lowest gross (80 pkt) and 6 surveys (20 pkt); Sonda stated nothing.
    assert "1. | Kwadrant Badania Społeczne sp. z o.o. |" in text
    assert "Doświadczenie w badaniach dla administracji publicznej (20%): 6 – 20,00 pkt" in text
    assert "(20%): nie podano – 0,00 pkt" in text
    # DataPol wrote the number in its e-mail: "label: value" is read, 2 surveys → 5 pkt.
    assert "(20%): 2 – 5,00 pkt" in text
    assert "Rekomenduję wybór oferty złożonej przez: Kwadrant Badania Społeczne sp. z o.o." in text
    assert "100,00" in text


def test_receipt_hours_are_warsaw_time_and_a_correction_shows_both_offers(app: App) -> None:
    data, _, _ = _year(app)
    text = _text(data)
    assert "05.02.2027, godz. 10:14" in text
    assert "Termin składania ofert upłynął 10 lutego 2027 r., godz. 12:00." in text
    assert "3 lutego 2027 r., godz. 09:00 | 12 300,00 zł / 15 129,00 zł" in text
    assert "8 lutego 2027 r., godz. 14:02 | 11 900,00 zł / 14 637,00 zł" in text


def test_the_estimate_is_dated_with_earlier_years_the_eur_source_and_the_threshold(
    app: App,
) -> None:
    text = _text(_year(app)[0])
    assert "Wartość ustalono w dniu 10 lutego 2027 r." in text
    assert "2026 r.: 10 900,00 zł netto (DataPol Badania sp. z o.o.)" in text
    assert "art. 3 ust. 3" in text and "art. 35" not in text
    assert "obowiązującego od 1 stycznia 2026 r." in text
    assert "nie przekracza kwoty 130 000,00 zł netto" in text
    assert "klientów Urzędu Miasta Przykładowo" in text and "klientów Urząd " not in text


def test_a_late_offer_is_listed_but_not_scored_under_the_rejection_rule(app: App) -> None:
    data, value, scored = _year(app, changes_late=True)
    text = _text(data)
    assert scored == 2
    assert value == Decimal("11700.00")
    assert "oferta po terminie; nie podlega ocenie" in text
    assert "Oferty złożone po upływie terminu nie będą rozpatrywane." in text


def test_a_late_offer_is_scored_when_the_rule_accepts_it_before_the_comparison(
    tmp_path: Path, database_url: str
) -> None:
    application = _app(
        tmp_path, database_url, {("procurement", "late_offers"): '"accepted_until_comparison"'}
    )
    try:
        data, _, scored = _year(application, changes_late=True)
    finally:
        application.close()
    assert scored == 3
    assert "rozpatrzona: wpłynęła przed sporządzeniem zestawienia" in _text(data)


def test_an_offer_in_the_mail_body_is_not_scored_when_the_form_is_required(
    tmp_path: Path, database_url: str
) -> None:
    application = _app(tmp_path, database_url, {("procurement", "offer_form"): '"form_required"'})
    try:
        data, _, scored = _year(application)
    finally:
        application.close()
    assert scored == 1
    assert "bez formularza ofertowego – nie podlega ocenie" in _text(data)
