"""The status page's read functions that need no web server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

from mailflow.db import models
from web_status import queries as web_queries

NOW = datetime(2027, 7, 8, 10, 0, tzinfo=UTC)


def mail(plain: str | None = None, html: str | None = None) -> bytes:
    message = EmailMessage()
    message["Subject"] = "x"
    if plain is not None:
        message.set_content(plain)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message.as_bytes()


def test_it_prefers_the_plain_text_of_a_message() -> None:
    body = web_queries.body_text(mail(plain="Cena: <b>100</b>", html="<p>inna</p>"))
    assert body.plain is not None and body.plain.strip() == "Cena: <b>100</b>"
    assert body.html is None


def test_it_keeps_only_structural_tags_of_an_html_only_message() -> None:
    html = (
        '<p onclick="x()" style="color:red">Oferta <b>tak</b></p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">link</a><img src="http://tracker.example/p.gif">'
        "<iframe src=x></iframe><form action=x><input></form>"
    )
    body = web_queries.body_text(mail(html=html))
    assert body.html is not None
    assert body.html.strip() == "<p>Oferta <b>tak</b></p>link"


def test_it_makes_direction_overrides_visible() -> None:
    assert web_queries.defuse_bidi("faktura\u202efdp.exe") == "faktura[U+202E]fdp.exe"
    assert web_queries.defuse_bidi("a\u2066b\u2069c\u200fd") == "a[U+2066]b[U+2069]c[U+200F]d"
    body = web_queries.body_text(mail(plain="abc\u202edef"))
    assert body.plain is not None and "[U+202E]" in body.plain


def test_it_cuts_very_long_texts_and_says_so() -> None:
    body = web_queries.body_text(mail(plain="a" * (web_queries.MAX_TEXT_CHARS + 10)))
    assert body.truncated and body.plain is not None
    assert len(body.plain) == web_queries.MAX_TEXT_CHARS


def test_it_calls_a_service_failing_when_its_last_error_is_newer_than_its_last_success() -> None:
    def state(ok: datetime | None, error: datetime | None) -> str:
        row = models.ServiceStatus(name="imap", last_ok_at=ok, last_error_at=error)
        return str(web_queries.service_state(row, NOW)["state"])

    assert state(NOW - timedelta(minutes=1), None) == "ok"
    assert state(NOW - timedelta(minutes=1), NOW) == "failing"
    assert state(NOW, NOW - timedelta(minutes=1)) == "ok"
    assert state(NOW - timedelta(hours=1), None) == "stale"
    assert state(None, None) == "unknown"
    assert web_queries.service_state(None, NOW)["state"] == "unknown"


def test_it_reads_naive_database_times_as_utc() -> None:
    assert web_queries.utc(datetime(2027, 1, 1, 8)) == datetime(2027, 1, 1, 8, tzinfo=UTC)
    assert web_queries.utc(None) is None


def test_it_turns_money_into_two_decimal_strings_and_dates_into_iso_for_json() -> None:
    value = {"net": Decimal("11500"), "due": date(2027, 6, 15), "at": NOW, "list": [Decimal("1.5")]}
    assert web_queries.to_json(value) == {
        "net": "11500.00",
        "due": "2027-06-15",
        "at": "2027-07-08T10:00:00+00:00",
        "list": ["1.50"],
    }


def test_it_shows_a_finished_campaign_with_every_step_done() -> None:
    campaign = models.Campaign(year=2026, step=7, status="finished")
    assert {s["state"] for s in web_queries.timeline(campaign)} == {"done"}
    running = models.Campaign(year=2027, step=2, status="active")
    assert [s["state"] for s in web_queries.timeline(running)][:4] == [
        "done",
        "done",
        "current",
        "todo",
    ]
