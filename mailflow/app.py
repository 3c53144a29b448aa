"""Wiring: the config, the database, the archive and the clock, built once and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from mailflow import db
from mailflow.archive import Archive, ArchiveReport
from mailflow.clock import Clock, SystemClock
from mailflow.config import Config
from mailflow.db import models
from mailflow.errors import UserError


@dataclass
class App:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    archive: Archive
    clock: Clock = field(default_factory=SystemClock)

    def close(self) -> None:
        self.engine.dispose()


def open_app(config: Config, clock: Clock | None = None, upgrade: bool = False) -> App:
    """Connect to the database (creating or upgrading it when ``upgrade``) and the archive."""
    if upgrade:
        try:
            config.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(
                f"cannot create data folder {config.data_dir}: {error.strerror}"
            ) from None
    archive = Archive(config.data_dir / "archive")
    sqlite_file = db.sqlite_path(config.database_url)
    if not upgrade and sqlite_file is not None and not sqlite_file.exists():
        raise UserError(f"no database at {sqlite_file} yet: run `mailflow init`")
    engine = db.make_engine(config.database_url)
    db.check_connection(engine)
    if upgrade:
        archive.ensure()
        db.upgrade(engine)
    elif not db.has_schema(engine):
        engine.dispose()
        raise UserError(
            f"the database {config.database_url} has no schema yet: run `mailflow init`"
        )
    return App(config, engine, db.session_factory(engine), archive, clock or SystemClock())


def referenced_files(session: Session) -> set[str]:
    return set(session.scalars(select(models.StoredFile.sha256)))


def check_archive(app: App, verify: bool = False) -> ArchiveReport:
    with app.sessions() as session:
        return app.archive.check(referenced_files(session), verify=verify)


def store_file(app: App, session: Session, data: bytes) -> str:
    """Archive ``data`` on disk and record it in the same transaction as its first user."""
    digest = app.archive.put(data)
    if session.get(models.StoredFile, digest) is None:
        session.add(models.StoredFile(sha256=digest, size=len(data), created_at=app.clock.now()))
        session.flush()
    return digest
