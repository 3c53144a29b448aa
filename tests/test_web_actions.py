"""Page actions go through the same procedure and quarantine functions as e-mail replies,
and are recorded the same way (an event with the user as actor and ``via="web"``)."""

# The fixtures come from test_web_support by import; pytest passes them in by name.
# ruff: noqa: F811

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from mailflow.db import models, transaction
from tests.test_web_pages import text_of
from tests.test_web_support import Web, csrf_token, web  # noqa: F401

needs_procedure = pytest.mark.skipif(
    importlib.util.find_spec("mailflow.procedure") is None,
    reason="mailflow.procedure is not written yet",
)
needs_quarantine = pytest.mark.skipif(
    importlib.util.find_spec("mailflow.quarantine") is None,
    reason="mailflow.quarantine is not written yet",
)


def move_campaign(w: Web, step: int, **data: Any) -> None:
    with transaction(w.app.sessions) as session:
        campaign = session.get(models.Campaign, w.data.campaign_id)
        assert campaign is not None
        campaign.step = step
        campaign.data = {**campaign.data, **data}


def web_events(w: Web, action: str) -> list[models.Event]:
    with w.app.sessions() as session:
        return list(session.scalars(select(models.Event).where(models.Event.action == action)))


def post(
    w: Web,
    path: str,
    form: dict[str, str],
    role: str = "coordinator",
    client: FlaskClient | None = None,
) -> str:
    """Post a form the way a browser does and return the page it lands on."""
    client = client or w.client(role)
    token = csrf_token(client, "/quarantine")
    response = client.post(path, data={"csrf_token": token, **form}, follow_redirects=True)
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


@needs_procedure
def test_it_runs_step_actions_through_the_procedure_and_records_who_did_them(web: Web) -> None:
    # At step 5 the procedure refuses, and the page passes its reason on (in Polish).
    landed = post(web, "/campaigns/2027/actions/confirm_catalogue", {}, role="admin")
    assert "Kampania 2027 jest na etapie 5; tę czynność można wykonać tylko na etapie 0." in landed
    assert web_events(web, "catalogue_confirmed") == []

    move_campaign(web, 1, comparison_sent=True)
    page = web.client("coordinator").get("/campaigns/2027").get_data(as_text=True)
    assert "/actions/mark_procurement_started" in page and "/actions/record_contract" in page
    assert "/actions/confirm_catalogue" not in page and "/actions/accept_questionnaire" not in page
    landed = post(web, "/campaigns/2027/actions/mark_procurement_started", {})
    assert "Zarejestrowano uruchomienie procedury zamówienia (2027-07-08)." in landed
    [event] = web_events(web, "procurement_started")
    assert (event.actor, event.via) == ("web:coordinator1", "web")
    assert event.campaign_id == web.data.campaign_id

    path = "/campaigns/2027/actions/record_contract"
    form = {
        "contractor_key": "kwadrant",
        "contract_number": "OS.272.7.2027",
        "survey_term": "10.06.2027",
    }
    assert "Podaj uzgodniony termin badania jako datę (RRRR-MM-DD)." in post(web, path, form)
    assert "Wybierz firmę badawczą" in post(web, path, {**form, "contractor_key": "evil"})
    landed = post(web, path, {**form, "survey_term": "2027-06-10"})
    assert "Umowa OS.272.7.2027 z Kwadrant Badania Społeczne sp. z o.o. zarejestrowana" in landed
    [event] = web_events(web, "contract_recorded")
    assert (event.actor, event.via) == ("web:coordinator1", "web")
    with web.app.sessions() as session:
        campaign = session.get(models.Campaign, web.data.campaign_id)
        assert campaign is not None and campaign.contract_number == "OS.272.7.2027"


@needs_quarantine
def test_it_dismisses_assigns_and_retries_quarantine_entries_and_records_each(web: Web) -> None:
    first, second, third = web.data.quarantine_ids
    assert "Napisz krótko, dlaczego" in post(web, f"/quarantine/{first}/dismiss", {"note": " "})
    assert f"Wpis {first} odrzucono." in post(web, f"/quarantine/{first}/dismiss", {"note": "spam"})
    form = {"campaign_id": str(web.data.campaign_id), "step": "3"}
    assert f"Wpis {third} przypisano do etapu." in post(web, f"/quarantine/{third}/assign", form)
    landed = post(web, f"/quarantine/{second}/retry", {})
    assert "została przetworzona" in landed or "wróciła do kwarantanny" in landed
    with web.app.sessions() as session:
        entries = {e.id: e for e in session.scalars(select(models.QuarantineEntry))}
    assert (entries[first].resolution, entries[first].note) == ("dismissed", "spam")
    assert (entries[second].resolution, entries[third].resolution) == ("retried", "assigned")
    for action in ("quarantine_dismissed", "quarantine_assigned", "quarantine_retried"):
        [event] = web_events(web, action)
        assert (event.actor, event.via) == ("web:coordinator1", "web")
    # Deciding twice is refused with the quarantine's own reason, the resolution named.
    again = post(web, f"/quarantine/{first}/dismiss", {"note": "again"})
    assert f"Wpis {first} został już rozpatrzony: odrzucono." in again


@needs_procedure
@needs_quarantine
def test_a_refusal_is_shown_in_the_language_the_page_is_in(web: Web) -> None:
    client = web.client("coordinator")
    contract = "/campaigns/2027/actions/record_contract"
    form = {"contractor_key": "kwadrant", "contract_number": "OS.1", "survey_term": "2027-06-10"}
    polish = "Kampania 2027 jest na etapie 5; tę czynność można wykonać tylko na etapie 1 lub 2."
    assert polish in post(web, contract, form, client=client)
    first = web.data.quarantine_ids[0]
    assert "Wpis" in post(web, f"/quarantine/{first}/dismiss", {"note": "spam"}, client=client)
    dismiss_again = (f"/quarantine/{first}/dismiss", {"note": "again"})
    assert f"Wpis {first} został już rozpatrzony: odrzucono." in post(web, *dismiss_again)

    token = csrf_token(client, "/")
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/"})
    # The English page says what the CLI says, as a sentence of its own.
    landed = post(web, contract, form, client=client)
    assert "Campaign 2027 is at step 5; this is possible at step 1 or 2" in landed
    assert "Kampania" not in landed
    landed = post(web, *dismiss_again, client=client)
    assert f"Quarantine entry {first} was already dismissed" in landed


def uncertain_outbox_row(w: Web) -> int:
    from mailflow.outbox import enqueue

    with transaction(w.app.sessions) as session:
        row = enqueue(
            w.app,
            session,
            to=["firma@example.com"],
            subject="Zapytanie",
            body="x",
            purpose="inquiry",
        )
        row.status, row.last_error = "uncertain", "no reply to the final dot"
        session.flush()
        return row.id


def test_an_e_mail_of_unknown_fate_is_settled_on_its_page(web: Web) -> None:
    resent, arrived = uncertain_outbox_row(web), uncertain_outbox_row(web)
    page = text_of(web.client("coordinator").get(f"/outbox/{resent}").get_data(as_text=True))
    assert "Wyślij ponownie" in page and "nie wiadomo, czy wysłano" in page
    viewer = web.client("viewer")
    assert "Wyślij ponownie" not in viewer.get(f"/outbox/{resent}").get_data(as_text=True)
    token = csrf_token(viewer, "/quarantine")
    refused = viewer.post(f"/outbox/{resent}/resend", data={"csrf_token": token})
    assert refused.status_code == 403

    assert "zostanie wysłana ponownie" in post(web, f"/outbox/{resent}/resend", {})
    assert "zapisano jako wysłaną" in post(web, f"/outbox/{arrived}/mark-sent", {})
    # Deciding twice is refused, in Polish.
    assert "nie czeka na decyzję" in post(web, f"/outbox/{arrived}/resend", {})
    with web.app.sessions() as session:
        assert session.get(models.OutboxMessage, resent).status == "pending"  # type: ignore[union-attr]
        assert session.get(models.OutboxMessage, arrived).status == "sent"  # type: ignore[union-attr]
    [event] = web_events(web, "outbox_marked_sent")
    assert (event.actor, event.via) == ("web:coordinator1", "web")
    assert [e.details["outbox"] for e in web_events(web, "outbox_resent")] == [resent]
