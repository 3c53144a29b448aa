from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from mailflow import db
from mailflow.db.models import Base


def test_migrations_and_models_agree(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == []


def test_upgrading_twice_is_harmless(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    head = db.current_revision(engine)
    db.upgrade(engine)
    assert db.current_revision(engine) == head
    engine.dispose()


def test_an_older_database_is_upgraded(database_url: str) -> None:
    from alembic import command

    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        config = db.alembic_config(database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    assert "users" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    assert "users" in inspect(engine).get_table_names()
    assert db.current_revision(engine) != "0001"
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()
