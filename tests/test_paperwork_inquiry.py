"""The price inquiry and its offer form built from the configuration, as a firm receives them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from mailflow import paperwork
from mailflow.app import App, open_app
from mailflow.clock import FakeClock
from mailflow.config import load_config
from mailflow.db import models, transaction
from mailflow.offer_form import EXPERIENCE_LABEL, HEADER, LABELS
from tests.configs import TEST_ENV, write_config

NOW = datetime(2027, 1, 27, 8, 0, tzinfo=UTC)
SUMMER_DEADLINE = datetime(2027, 4, 12, 10, 0, tzinfo=UTC)  # 12:00 in Warsaw (CEST)
WINTER_DEADLINE = datetime(2027, 2, 10, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw (CET)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[App]:
    config = load_config(
        write_config(tmp_path, {("database", "url"): f'"{database_url}"'}), env=TEST_ENV
    )
    application = open_app(config, clock=FakeClock(NOW), upgrade=True)
    yield application
    application.close()


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts).replace("\u00a0", " ").replace("\u2011", "-")


def _inquiry(app: App, deadline: datetime) -> tuple[bytes, bytes]:
    with transaction(app.sessions) as session:
        campaign = models.Campaign(
            year=2027, case_ref="OS.0543.3.2027", step=1, started_at=NOW - timedelta(days=10)
        )
        session.add(campaign)
        session.flush()
        return paperwork.price_inquiry(
            app,
            session,
            campaign,
            app.config.vendors["kwadrant"],
            deadline,
            "ankieta+k7m2x9qa@um.example.pl",
            "[IN13-2027-ZO-k7m2x9qa]",
        )


@pytest.mark.parametrize(
    ("deadline", "printed"),
    [
        (WINTER_DEADLINE, "do dnia 10 lutego 2027 r., godz. 12:00,"),
        (SUMMER_DEADLINE, "do dnia 12 kwietnia 2027 r., godz. 12:00,"),
    ],
)
def test_the_inquiry_prints_the_deadline_on_warsaw_time(
    app: App, deadline: datetime, printed: str
) -> None:
    letter, _ = _inquiry(app, deadline)
    assert printed in _text(letter)


def test_the_inquiry_prints_what_the_configuration_says(app: App) -> None:
    letter, _ = _inquiry(app, WINTER_DEADLINE)
    text = _text(letter)
    coordinator = app.config.person_for("coordinator")
    for phrase in (
        "klientów Urzędu Miasta Przykładowo",
        f"{coordinator.name}, {coordinator.position}, tel. {coordinator.phone}",
        "79311000-7 Usługi w zakresie badań ankietowych",
        "Biuro Obsługi Klienta | 160",
        "do 20 lipca 2027 r.",
        "Cena brutto | 80% |",
        "0 – 0 pkt; 1–2 – 5 pkt; 3–4 – 10 pkt; 5 i więcej – 20 pkt",
        "Oferty złożone po upływie terminu nie będą rozpatrywane.",
        "albo w treści odpowiedzi na wiadomość",
        "tj. do dnia 12 marca 2027 r.",
        "art. 2 ust. 1 pkt 1",
    ):
        assert phrase in text, phrase
    assert "Urząd Miasta Przykładowo w 2027" not in text


def test_the_offer_form_asks_for_the_number_the_experience_criterion_scores(app: App) -> None:
    _, form = _inquiry(app, WINTER_DEADLINE)
    document = Document(io.BytesIO(form))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == HEADER[0])
    assert [row.cells[0].text for row in table.rows[1:]] == list(LABELS)
    text = _text(form)
    assert f"Pole „{EXPERIENCE_LABEL}” służy ocenie w kryterium" in text
    assert "co najmniej do dnia 12 marca 2027 r." in text
    assert "klientów Urzędu Miasta Przykładowo w 2027 r." in text


def test_the_rules_the_e_mails_repeat_are_the_inquirys_own_words(app: App) -> None:
    letter, _ = _inquiry(app, WINTER_DEADLINE)
    text = _text(letter)
    assert paperwork.late_offer_rule(app.config) in text
    assert paperwork.offer_form_rule(app.config) in text
