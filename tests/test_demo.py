"""``mailflow demo --fast --keep DIR``, run as a newcomer runs it: the installed command.

One run of the demo (about a minute) is shared by the tests below: its exit status and time,
the summary it prints, the database it keeps, ``mailflow status`` on its config, and every
document it produced opened by LibreOffice.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from mailflow.db import models

BIN = Path(sys.executable).parent
MAX_SECONDS = 180
pytestmark = pytest.mark.slow
# Events that show each IN-13 step really happened, by step.
STEP_EVIDENCE = {
    0: {"campaign_started", "topics_requested", "topics_received", "catalogue_confirmed"},
    1: {"inquiry_sent", "quote_received", "inquiry_declined", "quote_corrected"}
    | {"inquiry_reminded", "comparison_sent", "comparison_approved", "procurement_started"},
    2: {"contract_recorded"},
    3: {"questionnaire_received", "questionnaire_returned", "questionnaire_accepted"},
    4: {"progress_reported", "digest_sent"},
    5: {"results_received", "memo_sent", "memo_approved", "memo_returned"},
    6: {"audit_order_drafted", "audit_ordered", "action_recorded", "action_done"},
    7: {"results_published"},
}


@dataclass(frozen=True)
class DemoRun:
    folder: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def command(name: str) -> str:
    """The console script installed next to this Python (the venv's ``mailflow``)."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: install the package (pip install -e .)", pytrace=False)
    return str(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    folder = tmp_path_factory.mktemp("demo") / "kept"
    started = time.monotonic()
    done = subprocess.run(
        [command("mailflow"), "demo", "--fast", "--keep", str(folder)],
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS + 120,
        check=False,
    )
    yield DemoRun(folder, done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def test_it_plays_the_whole_year_and_exits_0_in_under_three_minutes(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert demo.seconds < MAX_SECONDS, f"the demo took {demo.seconds:.0f} s"


def test_it_prints_a_summary_a_newcomer_can_follow(demo: DemoRun) -> None:
    out = demo.stdout
    assert re.search(r"^Status page: http://127\.0\.0\.1:\d+/ .*login demo / \S+", out, re.M)
    assert "IN-13 steps done: 0, 1, 2, 3, 4, 5, 6, 7 - campaign finished" in out
    for step in range(8):
        assert re.search(rf"^  step {step} .+ done ", out, flags=re.M), f"step {step}"
    counts = re.search(
        r"E-mails sent by mailflow: (\d+); received and archived: (\d+); "
        r"quarantined for a person: (\d+)",
        out,
    )
    assert counts is not None
    sent, received, quarantined = map(int, counts.groups())
    assert sent > 50 and received > 20 and quarantined == 1  # the forged approval
    listed = re.search(r"Documents produced \((\d+)\):\n((?:  .+\n)+)", out)
    assert listed is not None
    paths = [Path(line.strip()) for line in listed.group(2).splitlines()]
    assert len(paths) == int(listed.group(1)) and len(set(paths)) == len(paths)
    assert all(p.is_file() and p.parent == demo.folder / "documents" for p in paths)
    assert f"mailflow status --config {demo.folder / 'config.toml'}" in out
    assert "Traceback" not in out + demo.stderr


def test_it_keeps_the_config_the_database_and_every_step_recorded(demo: DemoRun) -> None:
    assert (demo.folder / "config.toml").is_file()
    assert any((demo.folder / "data" / "archive").rglob("*"))
    engine = create_engine(f"sqlite:///{demo.folder / 'data' / 'mailflow.sqlite3'}")
    try:
        with Session(engine) as session:
            campaign = session.scalars(select(models.Campaign)).one()
            actions = set(session.scalars(select(models.Event.action)))
            quotes = session.scalars(select(models.QuoteRecord)).all()
            corrective = session.scalars(select(models.CorrectiveAction)).all()
            kinds = set(session.scalars(select(models.Document.kind)))
            failed = session.scalars(
                select(models.OutboxMessage).where(models.OutboxMessage.status != "sent")
            ).all()
    finally:
        engine.dispose()
    assert (campaign.year, campaign.status, campaign.step) == (2027, "finished", 7)
    assert campaign.contractor_key == "kwadrant" and campaign.survey_date is not None
    for step, evidence in STEP_EVIDENCE.items():
        assert evidence <= actions, f"step {step}: missing {evidence - actions}"
    assert any(q.late for q in quotes) and any(q.superseded_by_id for q in quotes)
    assert len(corrective) == 2 and all(a.done_at for a in corrective)
    assert {"katalog_zagadnien", "zapytanie_o_cene", "zestawienie_ofert"} <= kinds
    assert {"informacja_o_wynikach", "polecenie_auditu", "publikacja_wynikow"} <= kinds
    assert failed == []


def test_mailflow_status_shows_the_finished_campaign(demo: DemoRun) -> None:
    done = subprocess.run(
        [command("mailflow"), "status", "--config", str(demo.folder / "config.toml"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    (campaign,) = status["campaigns"]
    assert campaign["year"] == 2027 and campaign["status"] == "finished"
    assert campaign["done"] == list(range(8))
    assert status["outbox"]["failed"] == 0 and status["outbox"]["pending"] == 0
    assert status["messages"]["quarantined"] == 1


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        reason = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"under CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def test_every_document_it_produced_opens_in_libreoffice(demo: DemoRun, tmp_path: Path) -> None:
    office = soffice()
    documents = sorted((demo.folder / "documents").glob("*.docx"))
    assert len(documents) >= 10
    profile = tmp_path / "lo-profile"
    converted = tmp_path / "pdf"
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(converted),
            *map(str, documents),
        ],
        capture_output=True,
        timeout=240,
        check=True,
    )
    for document in documents:
        pdf = converted / f"{document.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice could not open {document.name}"
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        assert len(text.split()) > 10, f"{document.name} converted to an empty PDF"


def test_the_html_publication_is_well_formed(demo: DemoRun) -> None:
    (page,) = (demo.folder / "documents").glob("*.html")
    parser = HTMLParser()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    assert "<h1" in page.read_text(encoding="utf-8").lower()


# The year's trace: the ordered (step, action, via) of every event and the (step, code,
# purpose, recipients) of every e-mail. A restructure must leave it as recorded; a change that
# means to alter behaviour re-records it (MAILFLOW_RECORD_TRACE=1) and the diff shows what moved.
TRACE = Path(__file__).parent / "data" / "demo_trace.json"


def demo_trace(folder: Path) -> dict[str, list[list[object]]]:
    engine = create_engine(f"sqlite:///{folder / 'data' / 'mailflow.sqlite3'}")
    try:
        with Session(engine) as session:
            events = session.scalars(select(models.Event).order_by(models.Event.id)).all()
            outbox = session.scalars(
                select(models.OutboxMessage).order_by(models.OutboxMessage.id)
            ).all()
            return {
                "events": [[e.step, e.action, e.via] for e in events],
                "outbox": [[o.step, o.code, o.purpose, sorted(o.recipients)] for o in outbox],
            }
    finally:
        engine.dispose()


def trace_text(trace: dict[str, list[list[object]]]) -> str:
    """One row a line, so a re-recorded trace reads as a diff of steps."""
    parts = []
    for part, rows in trace.items():
        lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
        parts.append(f' "{part}": [\n{lines}\n ]')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def test_the_year_plays_the_recorded_sequence_of_events_and_e_mails(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr[-2000:]
    trace = demo_trace(demo.folder)
    if os.environ.get("MAILFLOW_RECORD_TRACE") == "1":
        TRACE.write_text(trace_text(trace), encoding="utf-8")
    recorded = json.loads(TRACE.read_text(encoding="utf-8"))
    for part in ("events", "outbox"):
        got = [json.dumps(row, ensure_ascii=False) for row in trace[part]]
        want = [json.dumps(row, ensure_ascii=False) for row in recorded[part]]
        diff = "\n".join(difflib.unified_diff(want, got, "recorded", "this run", lineterm=""))
        assert got == want, f"the demo year's {part} differ from {TRACE.name}:\n{diff}"
