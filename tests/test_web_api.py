"""The JSON API mirroring the pages, /healthz and /metrics."""

# The fixtures come from test_web_support by import; pytest passes them in by name.
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from mailflow import db, queries
from mailflow.db import models, transaction
from tests.test_web_support import NOW, Web, shared_web, web  # noqa: F401
from web_status import create_app


def test_the_status_api_is_the_mailflow_status_document(shared_web: Web) -> None:
    with shared_web.app.sessions() as session:
        expected = queries.status_summary(session)
    assert shared_web.client("viewer").get("/api/status").get_json() == expected


def test_the_campaign_api_mirrors_the_campaign_page_with_money_as_strings(shared_web: Web) -> None:
    data = shared_web.client("viewer").get("/api/campaigns/2027").get_json()
    assert data["year"] == 2027 and data["step"] == 5 and data["step_name"] == "results"
    assert data["waiting_for"] == ["plenipotentiary"]
    assert [v["status"] for v in data["vendors"]] == ["answered", "declined", "bounced"]
    offers = data["offers"]
    assert offers["estimated_value_net"] == "11500.00"
    assert [(q["vendor_key"], q["net"], q["late"]) for q in offers["quotes"]] == [
        ("kwadrant", "11500.00", False),
        ("datapol", "9800.00", True),
    ]
    assert [(r["item"], r["round"]) for r in data["routing"]] == [
        ("comparison", 1),
        ("questionnaire", 1),
        ("questionnaire", 2),
        ("memo", 1),
    ]
    assert data["deadlines"][0]["working_days_left"] == -3
    assert data["indicators"]["questions"][1]["top2_share"] == 0.52
    assert data["documents"][0]["filename"] == "zestawienie_ofert_2027.docx"


def test_the_dashboard_api_lists_the_campaigns_newest_first(shared_web: Web) -> None:
    data = shared_web.client("viewer").get("/api/dashboard").get_json()
    assert [c["year"] for c in data["campaigns"]] == [2027, 2026]
    assert data["quarantine_open"] == 3
    assert [s["state"] for s in data["campaigns"][0]["timeline"]] == ["done"] * 5 + [
        "current",
        "todo",
        "todo",
    ]


def test_the_message_apis_carry_sanitised_text_only(shared_web: Web) -> None:
    client = shared_web.client("viewer")
    listing = client.get("/api/messages").get_json()
    assert {m["id"] for m in listing["incoming"]} >= {shared_web.data.hostile_message_id}
    assert listing["outgoing"][0]["to"] == ["elzbieta.sowa@um.example.pl"]
    hostile = client.get(f"/api/messages/{shared_web.data.hostile_message_id}").get_json()
    assert "<script" not in hostile["body"]["html"] and "onerror" not in hostile["body"]["html"]
    assert hostile["attachments"][0]["filename"] == "oferta\u202efdp.exe"  # JSON keeps the data
    outgoing = client.get(f"/api/outbox/{shared_web.data.outbox_id}").get_json()
    assert outgoing["body"]["plain"].startswith("Proszę o akceptację wyników.")
    quarantine = client.get("/api/quarantine").get_json()
    assert [q["reason"] for q in quarantine["open"]] == [
        "<script>alert('q')</script>",
        "offer after the deadline",
        "the sender is not the party this step was sent to",
    ]
    assert quarantine["resolved"][0]["note"] == "sent twice"


def test_healthz_reports_the_database_and_the_last_imap_and_smtp_success(shared_web: Web) -> None:
    response = shared_web.client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["healthy"] is True and body["database"] == "ok"
    assert body["imap"]["state"] == "ok" and body["smtp"]["state"] == "ok"
    assert body["imap"]["last_ok_at"].startswith("2027-07-08T09:58")
    assert "last_error" not in body["imap"]  # error texts are for logged-in people only


def test_healthz_answers_503_when_a_mail_service_fails_or_falls_silent(web: Web) -> None:
    with transaction(web.app.sessions) as session:
        row = session.get(models.ServiceStatus, "smtp")
        assert row is not None
        row.last_error_at = NOW
        row.last_error = "connection refused"
    response = web.client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["smtp"]["state"] == "failing"
    web.app.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    body = web.client().get("/healthz").get_json()
    assert body["imap"]["state"] == "stale" and body["healthy"] is False


def test_healthz_answers_503_when_the_database_is_unreachable(
    shared_web: Web, tmp_path: Path
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'missing' / 'mailflow.sqlite3'}")
    broken = dataclasses.replace(shared_web.app, engine=engine, sessions=db.session_factory(engine))
    response = create_app(broken, testing=True).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    engine.dispose()


def test_metrics_expose_processed_quarantined_queue_and_poll_age(shared_web: Web) -> None:
    response = shared_web.client("viewer").get("/metrics")
    assert response.mimetype == "text/plain"
    metrics = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in response.get_data(as_text=True).splitlines()
        if line and not line.startswith("#")
    }
    assert metrics["mailflow_messages_processed_total"] == 1
    assert metrics["mailflow_messages_quarantined_total"] == 3
    assert metrics["mailflow_quarantine_open"] == 3
    assert metrics["mailflow_outbox_queue_length"] == 0
    assert metrics["mailflow_last_poll_age_seconds"] == 60
