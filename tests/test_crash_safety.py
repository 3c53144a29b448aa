"""SIGKILL the daemon again and again while mail arrives and replies go out: nothing lost,
nothing done twice.

Twice: once with an SMTP server that files each accepted message in the Sent folder itself
before its 250, as Gmail and Microsoft 365 do (``[smtp] server_files_sent = true``), where
every kill is settled automatically; and once with mailflow's own copy after the 250, where a
kill between the final dot and that copy leaves a reply whose fate nobody can know: it must
then be shown as ``uncertain`` (never resent blindly), and a person settles it.

This file is also the test daemon: ``python -m tests.test_crash_safety CONFIG`` runs
``mailflow run`` with an ``act`` that queues a reply for every message whose subject asks
for one, so the outbox is exercised by the same crashes.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow import tokens
from mailflow.app import App, open_app
from mailflow.config import load_config
from mailflow.db import models
from mailflow.mail.parse import ParsedMessage
from mailflow.outbox import enqueue
from tests.rig.dovecot import Account, Dovecot, append_many
from tests.rig.smtp_relay import SmtpRelay
from tests.test_intake import OWN, folder_snapshot, mail, rig_config_path, rig_env

ROOT = Path(__file__).resolve().parent.parent
REPLY_MARK = "[prosze-o-odpowiedz]"
REPLY_TO = "coordinator@um.example.pl"
MESSAGES = 500
REPLIES = 100
KILLS = 20


def reply_act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
    """The test procedure: answer the messages that ask for it, in the same transaction."""
    if REPLY_MARK in message.subject:
        enqueue(
            app,
            session,
            to=[REPLY_TO],
            subject=f"Re: {message.subject}",
            body=f"Otrzymaliśmy wiadomość {message.message_id_header}.\n",
            purpose="test_reply",
            in_reply_to=message.message_id_header,
        )


def _no_job(_: App) -> None:
    return None


def main(config_path: str) -> int:
    from mailflow.daemon import run_daemon

    config = load_config(Path(config_path))
    return run_daemon(config, act=reply_act, due=_no_job, yearly=_no_job)


def incoming(number: int) -> bytes:
    token = tokens.new_token()
    mark = f" {REPLY_MARK}" if number % (MESSAGES // REPLIES) == 0 else ""
    return mail(
        f"Wiadomość {number}{mark}",
        to=tokens.plus_address(OWN, token),
        message_id=f"<crash-{number}@example.com>",
    )


class SequentialSmtpServer:
    """A minimal SMTP receiver that, like Postfix, reads what the client sent before noticing
    that it hung up: a message whose final dot was sent is delivered even if the sender dies
    right after sending it. (aiosmtpd, under the shared relay, drops a message when the
    client disconnects within milliseconds of the dot, which no real MTA does; that would
    make a crash right after the dot look like a lost message.) Delivery into Dovecot goes
    through the rig relay's LMTP code.
    """

    def __init__(self, relay: SmtpRelay, sent_account: Account | None = None) -> None:
        self.relay = relay
        self.sent_account = sent_account
        self.accepted: list[bytes] = []
        self._lock = threading.Lock()
        handler = self._handler()
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[socketserver.StreamRequestHandler]:
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                write = self.wfile.write
                write(b"220 test ESMTP\r\n")
                sender, rcpts = "", list[str]()
                for line in iter(self.rfile.readline, b""):
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        write(b"250 test\r\n")
                    elif verb == b"MAIL":
                        sender, rcpts = line.split(b":", 1)[1].strip().strip(b"<>").decode(), []
                        write(b"250 OK\r\n")
                    elif verb == b"RCPT":
                        rcpts.append(line.split(b":", 1)[1].strip().strip(b"<>").decode())
                        write(b"250 OK\r\n")
                    elif verb == b"DATA":
                        write(b"354 go ahead\r\n")
                        lines = []
                        while (part := self.rfile.readline()) != b".\r\n":
                            if not part:
                                return  # hung up before the dot: nothing was sent
                            lines.append(part)
                        data = re.sub(rb"(?m)^\.\.", b".", b"".join(lines))
                        for rcpt in rcpts:
                            outer.relay.deliver(sender, rcpt, data)
                        if outer.sent_account is not None:
                            # Filed before the 250, as a server that keeps Sent itself does.
                            append_many(outer.sent_account, [data], "Sent", ["\\Seen"])
                        with outer._lock:
                            outer.accepted.append(data)
                        write(b"250 OK delivered\r\n")
                    elif verb == b"QUIT":
                        write(b"221 bye\r\n")
                        return
                    else:  # RSET, NOOP
                        write(b"250 OK\r\n")

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_daemon(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **rig_env(), "PYTHONPATH": str(ROOT)}
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.test_crash_safety", str(config)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )


def wait_for_log(log: Path, text: str, times: int, daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while log.read_text(errors="replace").count(text) < times:
        assert daemon.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the daemon did not connect"
        time.sleep(0.02)


def scalar(app: App, query: object) -> int:
    with app.sessions() as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def done(app: App) -> bool:
    processed = scalar(app, select(func.count()).where(models.Message.status == "processed"))
    sent = scalar(
        app,
        select(func.count()).where(
            models.OutboxMessage.status == "sent", models.OutboxMessage.copied_to_sent
        ),
    )
    uncertain = scalar(app, select(func.count()).where(models.OutboxMessage.status == "uncertain"))
    return processed == MESSAGES and sent + uncertain == REPLIES


def settle_uncertain(app: App, receiver: SequentialSmtpServer, server_files_sent: bool) -> int:
    """What a person does with ``mailflow outbox``: asks the recipient, then resends or not."""
    from mailflow.outbox import resolve_uncertain

    with app.sessions() as session:
        rows = session.execute(
            select(models.OutboxMessage.id, models.OutboxMessage.message_id_header).where(
                models.OutboxMessage.status == "uncertain"
            )
        ).all()
    assert not (rows and server_files_sent)  # with the server's own copy nothing is unknown
    relayed = {message_from_bytes(m)["Message-ID"] for m in receiver.accepted}
    for row_id, message_id in rows:
        resolve_uncertain(app, row_id, resend=message_id not in relayed, actor="test")
    return len(rows)


@pytest.mark.slow
@pytest.mark.parametrize("server_files_sent", [True, False], ids=["server_files_sent", "own_copy"])
def test_it_loses_nothing_and_sends_nothing_twice_through_20_sigkills(
    tmp_path: Path,
    dovecot: Dovecot,
    mailbox: Account,
    smtp_relay: SmtpRelay,
    server_files_sent: bool,
) -> None:
    dovecot.wipe("ankieta")
    receiver = SequentialSmtpServer(smtp_relay, sent_account=mailbox if server_files_sent else None)
    dovecot.wipe("coordinator")
    url = f"sqlite:///{tmp_path / 'mailflow.sqlite3'}"
    config = rig_config_path(
        tmp_path,
        dovecot,
        url,
        receiver.port,
        changes={
            "smtp.max_per_recipient_per_hour": "10000",
            "smtp.server_files_sent": "true" if server_files_sent else "false",
            "logging.level": '"INFO"',
        },
    )
    app = open_app(load_config(config, rig_env()), upgrade=True)
    log = tmp_path / "daemon.log"
    log.touch()
    messages = [incoming(n) for n in range(MESSAGES)]
    burst = MESSAGES // KILLS
    rng = random.Random(1234)
    for cycle in range(KILLS):
        daemon = start_daemon(config, log)
        # Kill it while it works: wait until its intake is connected, let a burst of mail
        # arrive, and strike at a random moment of the processing and sending.
        wait_for_log(log, "intake connected", cycle + 1, daemon)
        dovecot.append_many("ankieta", messages[cycle * burst : (cycle + 1) * burst])
        time.sleep(rng.uniform(0.02, 1.2))
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()
    dovecot.append_many("ankieta", messages[KILLS * burst :])
    daemon = start_daemon(config, log)
    deadline = time.monotonic() + 120
    while not done(app) and time.monotonic() < deadline:
        time.sleep(0.2)
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=60) == 0
    try:
        assert done(app), log.read_text()[-3000:]
        uncertain = settle_uncertain(app, receiver, server_files_sent)
        if uncertain:
            daemon = start_daemon(config, log)  # it sends what the person said to resend
            deadline = time.monotonic() + 60
            while not done(app) and time.monotonic() < deadline:
                time.sleep(0.2)
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=60) == 0
        assert scalar(app, select(func.count()).where(models.OutboxMessage.status != "sent")) == 0
        # Received: every message recorded once, processed once (one reply row each).
        with app.sessions() as session:
            ids = list(session.scalars(select(models.Message.message_id_header)))
            assert sorted(ids) == sorted(f"<crash-{n}@example.com>" for n in range(MESSAGES))
            replies = list(session.scalars(select(models.OutboxMessage.subject)))
            assert len(replies) == REPLIES == len(set(replies))
            assert session.scalar(select(func.count()).select_from(models.QuarantineEntry)) == 0
        # Sent: the relay saw each reply exactly once, and the recipient has each once.
        relayed = Counter(message_from_bytes(m)["Message-ID"] for m in receiver.accepted)
        assert len(relayed) == REPLIES and max(relayed.values()) == 1, relayed.most_common(3)
        delivered = folder_snapshot(dovecot.account("coordinator"))
        delivered_ids = Counter(
            message_from_bytes(raw)["Message-ID"] for raw, _ in delivered.values()
        )
        assert len(delivered_ids) == REPLIES and max(delivered_ids.values()) == 1
        assert len(folder_snapshot(mailbox, "Sent")) == REPLIES
        # The server: the inbox is empty, each message is in the processed folder once.
        assert folder_snapshot(mailbox) == {}
        processed = folder_snapshot(mailbox, "mailflow/processed")
        assert len(processed) == MESSAGES
    finally:
        app.close()
        receiver.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
