"""``check-config --connect``: logging in to the rig's IMAP and SMTP servers."""

from __future__ import annotations

from pathlib import Path

from mailflow.config import load_config
from mailflow.connectivity import check_connections
from tests.rig.dovecot import Account, Dovecot
from tests.rig.smtp_relay import SmtpRelay
from tests.test_intake import rig_config, rig_config_path, rig_env


def test_it_logs_in_to_both_servers_and_says_so(
    tmp_path: Path, dovecot: Dovecot, mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    smtp_relay.start()
    config = rig_config(tmp_path, dovecot, f"sqlite:///{tmp_path / 'x.sqlite3'}", smtp_relay.port)

    results = check_connections(config)

    assert [(name, ok) for name, ok, _ in results] == [("imap", True), ("smtp", True)]
    assert "IDLE" in results[0][2]


def test_it_says_what_failed_in_one_line(
    tmp_path: Path, dovecot: Dovecot, mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    smtp_relay.start()
    path = rig_config_path(tmp_path, dovecot, f"sqlite:///{tmp_path / 'x.sqlite3'}", 1)
    config = load_config(path, {**rig_env(), "MAILFLOW_IMAP_PASSWORD": "wrong-password"})

    results = check_connections(config)

    (_, imap_ok, imap_text), (_, smtp_ok, smtp_text) = results
    assert not imap_ok and "refused" in imap_text and "\n" not in imap_text
    assert "wrong-password" not in imap_text
    assert not smtp_ok and "SMTP 127.0.0.1" in smtp_text
