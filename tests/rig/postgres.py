"""Fresh PostgreSQL databases for tests on the machine's server (127.0.0.1:5432, trust auth).

Each test run (and, through the fixtures, each PostgreSQL-parametrised test) gets its own
``mailflow_test_<random>`` database, dropped afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import secrets

import psycopg
from psycopg import sql

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Lets a machine with PostgreSQL elsewhere run the suite without editing code.
SERVER_URL_ENV = "MAILFLOW_TEST_POSTGRES"
CONNECT_TIMEOUT_S = 5


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server cannot be reached; the message says why."""


def server_url() -> str:
    return os.environ.get(SERVER_URL_ENV, DEFAULT_SERVER_URL)


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(server_url(), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise PostgresUnavailable(f"PostgreSQL at {server_url()} unreachable: {reason}") from error


def create_database(prefix: str = "mailflow_test") -> str:
    """Create an empty database and return its SQLAlchemy URL (``postgresql+psycopg://``)."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with _admin_connection() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = server_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    """Drop the database named by ``url``, even if a test left connections open."""
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    with _admin_connection() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
