"""pytest plugin: real Dovecot, a real SMTP relay into it, and fresh databases.

Load with ``pytest_plugins = ["tests.rig.fixtures"]`` in ``tests/conftest.py``.

- ``dovecot`` (session): a running :class:`~tests.rig.dovecot.Dovecot` with users ankieta and
  coordinator in ``um.example.pl``.
- ``smtp_relay`` (session): an SMTP server delivering into that Dovecot.
- ``mailbox`` (function): ankieta's mailbox, emptied before the test; an ``Account``.
- ``postgres_url`` (session): a fresh PostgreSQL database for this run, dropped after.
- ``database_url`` (function, parametrised ``sqlite``/``postgresql``): an empty database
  for one test, so every test that touches the database runs on both engines.

With ``CI=true`` a missing binary or service fails the test with the reason; elsewhere the
test is skipped with the reason, so a laptop without Dovecot can still run the rest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.rig import postgres
from tests.rig.dovecot import Account, Dovecot, RigUnavailable, reap_orphans
from tests.rig.smtp_relay import SmtpRelay


def unavailable(reason: str) -> NoReturn:
    """Fail under CI (a missing service there is a broken build), skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"test rig unavailable under CI=true: {reason}", pytrace=False)
    pytest.skip(f"test rig unavailable: {reason}")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot for the whole run (users ankieta and coordinator).

    A test that stops or restarts it must leave it running (``try``/``finally``); the
    ``mailbox`` fixture also starts it again if needed.
    """
    reap_orphans()
    try:
        server = Dovecot()
    except RigUnavailable as error:
        unavailable(str(error))
    try:
        server.start()
    except RigUnavailable as error:
        server.close()
        unavailable(str(error))
    yield server
    server.close()


@pytest.fixture(scope="session")
def smtp_relay(dovecot: Dovecot) -> Iterator[SmtpRelay]:
    """An SMTP server on loopback delivering into ``dovecot``; ``.accepted`` records mail.

    Shared by the run: call ``smtp_relay.clear()`` before asserting on ``accepted``, and
    ``start()``/``accept()`` again after taking it down.
    """
    relay = SmtpRelay(dovecot.host, dovecot.lmtp_port)
    try:
        relay.start()
    except Exception as error:  # aiosmtpd raises several kinds; all mean "no relay"
        unavailable(f"SMTP relay did not start: {error}")
    yield relay
    relay.stop()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Account:
    """ankieta@um.example.pl with every folder empty (UIDs start again at 1)."""
    dovecot.start()
    dovecot.wipe("ankieta")
    return dovecot.account("ankieta")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database created for this test run (shared by the run's tests)."""
    try:
        url = postgres.create_database()
    except postgres.PostgresUnavailable as error:
        unavailable(str(error))
    yield url
    postgres.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for one test: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mailflow.sqlite3'}"
        return
    try:
        url = postgres.create_database()
    except postgres.PostgresUnavailable as error:
        unavailable(str(error))
    yield url
    postgres.drop_database(url)
