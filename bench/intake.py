"""Intake benchmark on a private Dovecot: three figures, each beside a same-run baseline.

    .venv/bin/python bench/intake.py [--messages 10000] [--big 100000]

1. Messages not ours: triage rate and bytes downloaded, against a raw imaplib
   ``UID FETCH 1:* (BODY.PEEK[HEADER])`` of the same messages.
2. Ours through the whole pipeline (fetch, archive, parse, classify, correlate, commit),
   against imap-tools ``fetch(bulk=True, mark_seen=False)`` of the same messages.
3. One poll with nothing new on a ``--big``-message mailbox (ms, open connection), against a
   bare ``UID SEARCH``; and arrival-to-archived latency with IDLE (p50, p95), against the
   server's own IDLE notification latency. Dovecot waits a fixed 500 ms before it tells an
   IDLE client of new mail (NOTIFY_DELAY_MSECS in src/lib-storage/mailbox-watch.c, not a
   setting), so no client of it gets under 500 ms; "mailflow's own share" is the latency
   after that notice, the part this code controls.
"""

from __future__ import annotations

import argparse
import imaplib
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imap_tools import MailBoxUnencrypted  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from mailflow import tokens  # noqa: E402
from mailflow.app import App, open_app  # noqa: E402
from mailflow.db import models  # noqa: E402
from mailflow.intake import Intake, imap_login, run_intake_loop  # noqa: E402
from tests.rig.dovecot import Dovecot  # noqa: E402
from tests.test_intake import OWN, rig_config  # noqa: E402

FOLDERS = {"foreign": "bench/foreign", "ours": "bench/ours", "big": "bench/big"}


def _message(subject: str, to: str, sender: str, body: str, attachment: bytes | None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Tue, 02 Mar 2027 10:00:00 +0100"
    message["Message-ID"] = f"<{random.getrandbits(64):x}.{time.monotonic_ns()}@example.com>"
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(
            attachment, maintype="application", subtype="pdf", filename="oferta cenowa.pdf"
        )
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def foreign_messages(count: int, rng: random.Random) -> list[bytes]:
    words = [
        "sprawa",
        "wniosek",
        "urząd",
        "mieszkaniec",
        "decyzja",
        "termin",
        "opłata",
        "podatek",
        "budowa",
    ]
    result = []
    for n in range(count):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(200, 4000))) + "\n"
        result.append(
            _message(
                f"Sprawa nr {n}", "sekretariat@um.example.pl", f"osoba{n}@example.com", body, None
            )
        )
    return result


def our_messages(count: int, rng: random.Random) -> list[bytes]:
    result = []
    for n in range(count):
        token = tokens.new_token()
        attachment = rng.randbytes(rng.randint(50_000, 200_000))
        result.append(
            _message(
                f"Re: Zapytanie o cenę [IN13-2027-ZO-{token}]",
                tokens.plus_address(OWN, token),
                f"oferty{n}@firma.example.pl",
                "Dzień dobry,\nw załączeniu oferta: 12 300,00 zł netto.\n",
                attachment,
            )
        )
    return result


def raw_header_fetch(dovecot: Dovecot, folder: str) -> tuple[float, int]:
    client = imaplib.IMAP4(dovecot.host, dovecot.imap_port)
    client.login("ankieta", "secret")
    client.select(f'"{folder}"', readonly=True)
    started = time.perf_counter()
    _, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER])")
    elapsed = time.perf_counter() - started
    size = sum(len(item[1]) for item in data if isinstance(item, tuple))
    client.logout()
    return elapsed, size


def imap_tools_fetch(dovecot: Dovecot, folder: str) -> float:
    with MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login("ankieta", "secret") as box:
        box.folder.set(folder)
        uids = box.uids()
        started = time.perf_counter()
        for start in range(0, len(uids), 1000):
            list(
                box.fetch(
                    f"{uids[start]}:{uids[min(start + 999, len(uids) - 1)]}",
                    bulk=True,
                    mark_seen=False,
                )
            )
        return time.perf_counter() - started


def bench_app(folder: Path, dovecot: Dovecot, imap_folder: str) -> App:
    folder.mkdir(parents=True, exist_ok=True)
    config = rig_config(
        folder,
        dovecot,
        f"sqlite:///{folder / 'mailflow.sqlite3'}",
        changes={
            "imap.folder": f'"{imap_folder}"',
            "imap.move_processed": "false",
            "imap.batch_size": "1000",
        },
    )
    return open_app(config, upgrade=True)


def no_act(*_: object) -> None:
    return None


def run_pipeline(app: App) -> tuple[float, object]:
    with imap_login(app.config) as connection:
        intake = Intake(app, no_act, connection)
        # SELECT (and our folders and ledger state) before the clock starts, as the baselines
        # log in and SELECT before theirs.
        intake.open_folder()
        started = time.perf_counter()
        stats = intake.poll()
        return time.perf_counter() - started, stats


def figure_1_and_2(dovecot: Dovecot, work: Path, total: int, rng: random.Random) -> None:
    foreign, ours = foreign_messages(total * 9 // 10, rng), our_messages(total // 10, rng)
    t = time.perf_counter()
    dovecot.append_many("ankieta", foreign, folder=FOLDERS["foreign"])
    dovecot.append_many("ankieta", ours, folder=FOLDERS["ours"], batch=50)
    print(f"filled {len(foreign)} + {len(ours)} messages in {time.perf_counter() - t:.1f} s")

    raw_s, raw_bytes = raw_header_fetch(dovecot, FOLDERS["foreign"])
    app = bench_app(work / "f1", dovecot, FOLDERS["foreign"])
    ours_s, stats = run_pipeline(app)
    app.close()
    total_bytes = sum(len(m) for m in foreign)
    downloaded = stats.header_bytes + stats.body_bytes  # type: ignore[attr-defined]
    raw_rate, our_rate = len(foreign) / raw_s, len(foreign) / ours_s
    print(
        f"1. not ours: triage {our_rate:,.0f} msg/s vs raw header fetch {raw_rate:,.0f} msg/s "
        f"({our_rate / raw_rate:.0%}); downloaded {downloaded / 1e6:.1f} MB of "
        f"{total_bytes / 1e6:.1f} MB ({downloaded / total_bytes:.1%}; raw headers "
        f"{raw_bytes / 1e6:.1f} MB); not ours={stats.not_ours}"  # type: ignore[attr-defined]
    )

    tools_s = imap_tools_fetch(dovecot, FOLDERS["ours"])
    app = bench_app(work / "f2", dovecot, FOLDERS["ours"])
    ours_s, stats = run_pipeline(app)
    app.close()
    tools_rate, our_rate = len(ours) / tools_s, len(ours) / ours_s
    print(
        f"2. ours, whole pipeline: {our_rate:,.0f} msg/s vs imap-tools bulk fetch "
        f"{tools_rate:,.0f} msg/s ({our_rate / tools_rate:.2f}x); processed="
        f"{stats.processed}"  # type: ignore[attr-defined]
    )


def figure_3(dovecot: Dovecot, work: Path, big: int, rng: random.Random) -> None:
    if big:
        small = [
            _message(
                f"Sprawa {n}", "sekretariat@um.example.pl", f"o{n}@example.com", "Treść.\n", None
            )
            for n in range(big)
        ]
        t = time.perf_counter()
        dovecot.append_many("ankieta", small, folder=FOLDERS["big"], batch=1000)
        print(f"filled {big} messages in {time.perf_counter() - t:.1f} s")
        app = bench_app(work / "f3", dovecot, FOLDERS["big"])
        with imap_login(app.config) as connection:
            intake = Intake(app, no_act, connection)
            t = time.perf_counter()
            first = intake.poll()
            print(f"   first pass over {first.seen} messages: {time.perf_counter() - t:.1f} s")
            polls, searches = [], []
            for _ in range(50):
                t = time.perf_counter()
                intake.poll()
                polls.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                connection.uids_above(big)
                searches.append((time.perf_counter() - t) * 1000)
        app.close()
        print(
            f"3a. empty poll on {big} messages: median {statistics.median(polls):.2f} ms "
            f"(max {max(polls):.2f}) vs bare UID SEARCH {statistics.median(searches):.2f} ms"
        )
    latency(dovecot, work, rng)


def latency(dovecot: Dovecot, work: Path, rng: random.Random) -> None:
    app = bench_app(work / "f3b", dovecot, "INBOX")
    stop = threading.Event()
    loop = threading.Thread(target=run_intake_loop, args=(app, no_act, stop), daemon=True)
    loop.start()
    time.sleep(1.0)
    ours_latency, idle_latency = [], []
    with MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login("ankieta", "secret") as box:
        for _ in range(30):
            raw = our_messages(1, rng)[0]
            before = _count(app)
            box.idle.start()
            t = time.perf_counter()
            dovecot.append_many("ankieta", [raw])
            box.idle.poll(timeout=5)
            idle_latency.append((time.perf_counter() - t) * 1000)
            box.idle.stop()
            while _count(app) == before:
                time.sleep(0.002)
            ours_latency.append((time.perf_counter() - t) * 1000)
            time.sleep(0.1)
    stop.set()
    loop.join(timeout=10)
    app.close()

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    ours_share = [ours - idle for ours, idle in zip(ours_latency, idle_latency, strict=True)]
    print(
        f"3b. arrival to archived with IDLE: p50 {p(ours_latency, 50):.0f} ms, p95 "
        f"{p(ours_latency, 95):.0f} ms vs server IDLE notice p50 {p(idle_latency, 50):.0f} ms, "
        f"p95 {p(idle_latency, 95):.0f} ms; mailflow's own share p50 "
        f"{p(ours_share, 50):.0f} ms, p95 {p(ours_share, 95):.0f} ms"
    )


def _count(app: App) -> int:
    with app.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(models.Message)) or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000, help="0 skips the big mailbox")
    parser.add_argument("--only-3", action="store_true", help="figure 3 alone")
    args = parser.parse_args()
    os.environ.setdefault("MAILFLOW_IMAP_PASSWORD", "secret")
    rng = random.Random(42)
    dovecot = Dovecot()
    dovecot.start()
    from mailflow.mail import imap

    with imap.connect(dovecot.host, dovecot.imap_port, "none", "ankieta", password="secret") as c:
        for folder in FOLDERS.values():
            c.ensure_folder(folder)
    try:
        with tempfile.TemporaryDirectory(prefix="mailflow-bench-") as work:
            if not args.only_3:
                figure_1_and_2(dovecot, Path(work), args.messages, rng)
            figure_3(dovecot, Path(work), args.big, rng)
    finally:
        dovecot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
