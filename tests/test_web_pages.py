"""What the pages show: the dashboard, a campaign, messages, the quarantine, downloads.

Hostile input (script in a subject, event handlers and javascript: links in an HTML body, a
right-to-left override in a filename) must arrive on the page as plain, visible text.
"""

# The fixtures come from test_web_support by import; pytest passes them in by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

from tests.test_web_access import active_content
from tests.test_web_support import HOSTILE_FILENAME, Web, csrf_token, shared_web, web  # noqa: F401


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_shows_each_campaign_on_the_in13_timeline(shared_web: Web) -> None:
    page = shared_web.client("viewer").get("/").get_data(as_text=True)
    assert page.count('class="timeline"') == 2
    assert re.search(
        r'<li class="tl-current" aria-current="step">\s*<span class="tl-num"[^>]*>5<', page
    )
    assert page.count("tl-done") == 5 + 8  # 2027 finished steps 0-4, 2026 all eight
    text = text_of(page)
    assert "Badanie 2027" in text and "etap 5: Wyniki" in text
    assert "Badanie 2026" in text and "zakończone" in text


def test_the_dashboard_shows_progress_deadlines_and_who_is_awaited(shared_web: Web) -> None:
    page = shared_web.client("viewer").get("/").get_data(as_text=True)
    assert '<progress id="steps2027" max="8" value="5">' in page
    assert '<progress id="offers2027" max="3" value="2">' in page
    assert '<progress id="survey2027" max="400" value="400">' in page
    text = text_of(page)
    # Due 2027-07-12, today 2027-07-08 (Thursday): Friday and Monday are left.
    assert "akceptacja (etap 5) Elżbieta Sowa 2027-07-12 zostały 2 dni robocze" in text
    assert "po terminie o 3 dni robocze" in text
    assert "Elżbieta Sowa (Pełnomocnik ds. ZSZ) – akceptacja wyników" in text
    assert "3 w kwarantannie, do przejrzenia" in text


def test_the_campaign_page_shows_firms_quotes_and_the_estimated_value(shared_web: Web) -> None:
    text = text_of(shared_web.client("viewer").get("/campaigns/2027").get_data(as_text=True))
    assert "DataPol Badania sp. z o.o. oferty@datapol.example.pl nie doręczono" in text
    assert "Sonda Instytut Badawczy S.A. biuro@sonda.example.pl odmowa" in text
    assert "oferty@kwadrant.example.pl odpowiedziano" in text
    assert "11 500,00 zł netto" in text and "14 145,00 zł brutto, VAT 23%" in text
    assert "najniższa ważna oferta" in text
    assert "9 800,00 zł netto" in text and "po terminie" in text
    # The late offer does not count: the estimate is the one offer received in time.
    assert (
        "Szacunkowa wartość zamówienia (netto): 11 500,00 zł średnia z 1 oferty złożonej w terminie"
        in text
    )


def test_the_campaign_page_shows_the_routing_chain_round_by_round(shared_web: Web) -> None:
    page = shared_web.client("viewer").get("/campaigns/2027").get_data(as_text=True)
    text = text_of(page[page.index('id="routing-h"') : page.index('id="survey-h"')])
    order = [
        text.index(t)
        for t in ("Zestawienie ofert", "Ankieta ", "Ankieta (runda 2)", "Informacja o wynikach")
    ]
    assert order == sorted(order)
    assert "Tomasz Lis Kierownik OS zwrócono" in text and "Pytanie 4 jest niejasne." in text
    assert "Elżbieta Sowa Pełnomocnik ds. ZSZ oczekuje wysłano 2027-07-06" in text
    assert "Jan Kowalski Prezydent Miasta jeszcze nie wysłano" in text


def test_the_campaign_page_shows_survey_progress_indicators_and_the_audit(shared_web: Web) -> None:
    page = shared_web.client("viewer").get("/campaigns/2027").get_data(as_text=True)
    text = text_of(page)
    assert "400 z 400, raport z 2027-06-13" in text
    assert page.count('<svg role="img"') == 4  # two charts, each drawn for desk and phone
    assert page.count('class="ch-bar ch-bar-low"') == 2  # Q2 under the 60% threshold, twice
    assert "Q2 Czas oczekiwania w kolejce 395 3,21 3,10–3,32 52,0% 47,0%–57,0%" in text
    assert "Q2 Czas oczekiwania: 52% dobrych ocen (próg 60%)" in text
    assert "Skrócić czas oczekiwania w BOK" in text and "po terminie" in text
    assert f'href="/documents/{shared_web.data.document_id}"' in page
    assert "wysłano wyniki do akceptacji system" in text


def test_unknown_campaigns_and_messages_are_not_found(shared_web: Web) -> None:
    client = shared_web.client("viewer")
    for path in [
        "/campaigns/1999",
        "/messages/999999",
        "/outbox/999999",
        "/attachments/999999",
        "/documents/999999",
        "/messages/999999/raw",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.get("/api/campaigns/1999").get_json()["status"] == 404


def test_the_messages_page_lists_mail_in_and_out_with_classification(shared_web: Web) -> None:
    text = text_of(shared_web.client("viewer").get("/messages").get_data(as_text=True))
    # Tokens are capabilities: the page shows them masked (issue 14).
    assert "Re: Zapytanie o cenę [IN13-2027-ZO-k3••••••]" in text
    assert "k3m9x2qa" not in text and "p4r7x2ka" not in text
    assert "oferta 2027 · etap 1 przetworzono" in text
    assert "inna do sprawdzenia 2027 w kwarantannie" in text
    assert (
        "Wyniki badania 2027 do akceptacji [IN13-2027-WYN-p4••••••] "
        "do akceptacji 2027 · etap 5 wysłano" in text
    )


def test_a_message_page_shows_reasons_correlation_text_and_attachments(shared_web: Web) -> None:
    data = shared_web.data
    page = (
        shared_web.client("viewer").get(f"/messages/{data.plain_message_id}").get_data(as_text=True)
    )
    text = text_of(page)
    assert "price stated in the body" in text and "token in the subject" in text
    assert "k3••••••" in text and "k3m9x2qa" not in page
    # Plain text stays text: markup in it is shown, not applied.
    assert "&lt;b&gt;bez HTML&lt;/b&gt;" in page
    assert "odrzucono" in text and "web:coordinator1" in text  # its old quarantine entry


def test_hostile_subjects_bodies_and_filenames_render_inert(shared_web: Web) -> None:
    data = shared_web.data
    client = shared_web.client("coordinator")
    for path in [
        f"/messages/{data.hostile_message_id}",
        "/messages",
        "/quarantine",
        "/campaigns/2027",
        "/",
    ]:
        page = client.get(path).get_data(as_text=True)
        assert active_content(page) == [], path
        assert "<script>alert" not in page, path
        assert "\u202e" not in page, path
    page = client.get(f"/messages/{data.hostile_message_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;" in page
    assert "&#34;onerror=alert(1)&#34;@sonda.example.pl" in page
    assert "oferta[U+202E]fdp.exe" in page  # the override made visible, not obeyed
    assert "Cena <b>12 300 zł</b> netto." in page  # harmless formatting survives
    assert "javascript:" not in page and "evil.example" not in page and "<img" not in page
    assert "Treść [U+202E]eulav" in page


def test_downloads_are_attachments_with_names_that_cannot_disguise_themselves(
    shared_web: Web,
) -> None:
    data = shared_web.data
    client = shared_web.client("viewer")
    response = client.get(f"/attachments/{data.hostile_attachment_id}")
    assert response.data == b"%PDF-1.4 not really"
    assert response.mimetype == "application/octet-stream"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "%E2%80%AE" not in disposition and "\u202e" not in disposition
    assert "ofertafdp.exe" in disposition
    document = client.get(f"/documents/{data.document_id}")
    assert document.data == b"PK docx bytes"
    assert "zestawienie_ofert_2027.docx" in document.headers["Content-Disposition"]
    raw = client.get(f"/messages/{data.plain_message_id}/raw")
    assert raw.data.startswith(b"From: ") or b"\nFrom: " in raw.data
    assert HOSTILE_FILENAME not in disposition


def test_the_quarantine_page_lists_open_entries_with_their_actions(shared_web: Web) -> None:
    data = shared_web.data
    page = shared_web.client("coordinator").get("/quarantine").get_data(as_text=True)
    text = text_of(page)
    assert "Do decyzji (3)" in text
    assert "Powód: offer after the deadline" in text
    assert "</strong> <bdi>&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;</bdi>" in page
    for entry in data.quarantine_ids:
        for action in ("retry", "dismiss", "assign"):
            assert f'action="/quarantine/{entry}/{action}"' in page
    assert "odrzucono: sent twice web:coordinator1" in text


def test_the_accounts_page_lists_accounts_for_an_administrator(shared_web: Web) -> None:
    text = text_of(shared_web.client("admin").get("/users").get_data(as_text=True))
    assert "admin1 administrator" in text and "viewer1 podgląd" in text and "aktywne" in text


def test_the_interface_is_polish_until_english_is_chosen(shared_web: Web) -> None:
    client = shared_web.client("viewer")
    page = client.get("/", headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    assert '<html lang="pl">' in page and "Pulpit" in page
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"csrf_token": token, "lang": "en", "next": "/messages"}
    )
    assert response.headers["Location"] == "/messages"
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english and "Dashboard" in english
    assert "2 working days left" in text_of(english)
    client.post("/language", data={"csrf_token": token, "lang": "pl"})
    assert "Pulpit" in client.get("/").get_data(as_text=True)


def test_every_interface_text_has_a_polish_translation() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "web_status"
    with (root / "translations/pl/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    found = extract_from_dir(
        str(root),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None},
    )
    missing = []
    for _filename, _line, message, _comments, _context in found:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        if (
            entry is None
            or not entry.string
            or (isinstance(entry.string, tuple) and not all(entry.string))
        ):
            missing.append(key)
    assert missing == []


def test_the_dashboard_tells_coordinators_plainly_when_approvals_are_not_authenticated(
    shared_web: Web,
) -> None:
    assert not shared_web.app.config.procedure.require_dmarc
    coordinator = text_of(shared_web.client("coordinator").get("/").get_data(as_text=True))
    assert "zatwierdzenia przesyłane e-mailem nie są uwierzytelniane" in coordinator
    viewer = text_of(shared_web.client("viewer").get("/").get_data(as_text=True))
    assert "nie są uwierzytelniane" not in viewer


def test_a_message_nested_thousands_deep_gets_a_page_that_says_so(web: Web) -> None:
    from mailflow.app import store_file
    from mailflow.db import models, transaction

    depth = 3000
    raw = b"".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n".encode()
        for i in range(depth)
    )
    raw = (
        b"From: a@example.pl\r\nSubject: deep\r\n" + raw + b"Content-Type: text/plain\r\n\r\nx\r\n"
    )
    with transaction(web.app.sessions) as s:
        row = models.Message(
            message_id_header="<deep@example.pl>",
            sha256=store_file(web.app, s, raw),
            size=len(raw),
            received_at=web.app.clock.now(),
            folder="INBOX",
            subject="deep",
            status="quarantined",
        )
        s.add(row)
        s.flush()
        message_id = row.id
    response = web.client("viewer").get(f"/messages/{message_id}")
    assert response.status_code == 200
    assert "zagnieżdżona zbyt głęboko" in response.get_data(as_text=True)
