"""Engine, sessions and migrations. The schema lives in :mod:`mailflow.db.models`.

Does: the rows and how they are written (``events``, ``statuses``, ``campaign_data``). Must
not: decide anything about the procedure or send mail; a schema change is a migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, create_engine, event, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.errors import UserError
from mailflow.resources import MIGRATIONS


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the status page read while the daemon writes; the busy timeout makes a writer
    # wait for another instead of failing at once; SQLite enforces foreign keys only if asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a malformed URL is a one-line user error."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 10})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, ImportError, ValueError) as error:
        raise UserError(f"database.url is not usable: {error}") from None
    return engine


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        first_line = str(error.orig or error).strip().splitlines()[0]
        raise UserError(f"cannot connect to the database {engine.url!r}: {first_line}") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits at the end of the block, or rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def lock_rows(session: Session, model: Any, *where: ColumnElement[bool]) -> None:
    """Lock the rows of ``model`` matching ``where`` until the transaction ends.

    Read them after this: a second writer of the same rows waits here, then sees what the
    first one committed. PostgreSQL locks the rows (``SELECT ... FOR UPDATE``). SQLite has no
    row locks and ignores FOR UPDATE: there an UPDATE that changes nothing takes the
    database's write lock. pysqlite sends BEGIN only before a write, so on SQLite this is also
    what starts the transaction: make it the transaction's first statement.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(model)
            .where(*where)
            .values(id=model.id)
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(select(model.id).where(*where).with_for_update())


def alembic_config(url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema up to the newest migration (harmless when it already is)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as error:
        first_line = str(error.orig or error).strip().splitlines()[0]
        raise UserError(f"cannot upgrade the database: {first_line}") from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return None


def has_schema(engine: Engine) -> bool:
    return "alembic_version" in inspect(engine).get_table_names()
