"""``mailflow backup DIR`` and ``mailflow restore DIR``: a snapshot IT can take while the daemon
runs, and a restore that checks every byte before it touches anything.

A backup folder holds::

    manifest.json          what is in it: sha256 and size of every file, the schema revision
    database.sqlite3       SQLite, copied with SQLite's online backup API, or
    database.pgdump        PostgreSQL, ``pg_dump --format=custom``
    archive/ab/cd/abcd...  every archived file the database refers to

Consistency: the database is copied first, as of one moment (SQLite's backup reads one
snapshot; PostgreSQL's dump runs in an exported snapshot, in which the list of archived files
is read too). Every archived file is fsynced before the row naming it commits, so each file
that snapshot refers to is already on disk; files written later belong to later rows and are
left out. The folder is written as ``DIR.partial`` and renamed to ``DIR`` when complete.

Restore verifies the manifest and every hash first, refuses a backup made by a newer schema,
and refuses to replace a database that holds data unless forced (what it replaces is moved
aside, never deleted, for SQLite and the archive). It then migrates the schema to this
version's and asks the Sent folder about every e-mail the snapshot had not sent yet: the
outbox may have sent it after the snapshot was taken, and nothing is ever sent twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from mailflow import __version__, db
from mailflow.archive import Archive
from mailflow.config import Config
from mailflow.db import models
from mailflow.errors import UserError

FORMAT = "mailflow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHUNK = 1024 * 1024
# Outbox rows a snapshot had not finished sending: the outbox may have sent them since.
UNSENT = ("pending", "sending", "final_dot")


@dataclass
class BackupResult:
    folder: Path
    database: str  # "sqlite" or "postgresql"
    schema: str | None
    files: int  # archived files copied
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    database: str
    schema_before: str | None  # the backup's schema revision
    schema_after: str | None  # after migrating to this version's
    files: int
    moved_aside: Path | None  # what --force replaced (SQLite file, archive), kept here
    rechecked: int  # outbox rows the Sent folder will be asked about
    created_at: str


# ------------------------------------------------------------------------------ helpers


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def database_kind(url: str) -> str:
    try:
        backend = make_url(url).get_backend_name()
    except Exception:  # SQLAlchemy raises ArgumentError, and ValueError for a bad port
        raise UserError(f"database.url is not a database URL: {url!r}") from None
    if backend not in ("sqlite", "postgresql"):
        raise UserError(f"database.url: cannot back up a {backend} database")
    return backend


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password for pg_dump/pg_restore, and the environment for it.

    The password goes in ``PGPASSWORD``, not on the command line where ``ps`` shows it.
    """
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise UserError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise UserError(f"{what} failed: {lines[0] if lines else f'exit {done.returncode}'}")


def _revision(connection: Connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def _known_revisions() -> tuple[set[str], str | None]:
    """Every schema revision this version of mailflow knows, and the newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}, script.get_current_head()


# ------------------------------------------------------------------------------ backup


def backup(config: Config, folder: Path) -> BackupResult:
    """A consistent snapshot of the database and the archive into the new folder ``folder``."""
    kind = database_kind(config.database_url)
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"{folder} already exists and is not empty: back up into a new folder")
    partial = folder.with_name(folder.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)  # an earlier backup into this name that was interrupted
    engine = db.make_engine(config.database_url)
    try:
        db.check_connection(engine)
        if not db.has_schema(engine):
            raise UserError(
                f"the database {config.database_url} has no schema yet: nothing to back up"
            )
        try:
            partial.mkdir(parents=True)
        except OSError as error:
            raise UserError(f"cannot create {partial}: {error.strerror}") from None
        if kind == "sqlite":
            schema, digests = _backup_sqlite(engine, partial / SQLITE_FILE)
        else:
            schema, digests = _backup_postgresql(engine, partial / PG_FILE)
    except BaseException:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        engine.dispose()
    try:
        return _finish_backup(config, partial, folder, kind, schema, digests)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _backup_sqlite(engine: Engine, target: Path) -> tuple[str | None, list[str]]:
    source_path = db.sqlite_path(str(engine.url))
    assert source_path is not None
    try:
        with (
            closing(sqlite3.connect(source_path, timeout=30)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)  # one read transaction: a single consistent moment
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            schema = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            digests = [row[0] for row in copy.execute("SELECT sha256 FROM stored_files")]
    except sqlite3.Error as error:
        raise UserError(f"cannot back up the SQLite database {source_path}: {error}") from None
    _fsync_file(target)
    return (schema[0] if schema else None), digests


def _backup_postgresql(engine: Engine, target: Path) -> tuple[str | None, list[str]]:
    pg_dump = _tool("pg_dump")
    url, env = _libpq(engine)
    # The dump and the list of archived files come from one exported snapshot: pg_dump sees
    # exactly the rows this transaction sees, whatever the daemon commits meanwhile.
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        schema = _revision(connection)
        digests = list(connection.execute(text("SELECT sha256 FROM stored_files")).scalars())
        _run_tool(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                f"--dbname={url}",
            ],
            env,
            "pg_dump",
        )
    _fsync_file(target)
    return schema, digests


def _finish_backup(
    config: Config,
    partial: Path,
    folder: Path,
    kind: str,
    schema: str | None,
    digests: list[str],
) -> BackupResult:
    archive = Archive(config.data_dir / "archive")
    warnings: list[str] = []
    entries: dict[str, dict[str, Any]] = {}
    database_file = partial / (SQLITE_FILE if kind == "sqlite" else PG_FILE)
    entries[database_file.name] = {
        "sha256": file_sha256(database_file),
        "size": database_file.stat().st_size,
    }
    copied = 0
    for digest in sorted(set(digests)):
        source = archive.path_for(digest)
        relative = source.relative_to(archive.root)
        target = partial / "archive" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            warnings.append(f"archive file {digest} is referenced but missing: not in the backup")
            continue
        actual = file_sha256(target)
        if actual != digest:
            target.unlink()
            warnings.append(f"archive file {digest} is corrupt (sha256 differs): not in the backup")
            continue
        _fsync_file(target)
        entries[PurePosixPath("archive", *relative.parts).as_posix()] = {
            "sha256": digest,
            "size": target.stat().st_size,
        }
        copied += 1
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mailflow_version": __version__,
        "database": kind,
        "schema_revision": schema,
        "files": entries,
    }
    manifest_path = partial / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8")
    _fsync_file(manifest_path)
    for directory in sorted({p.parent for p in partial.rglob("*")}, key=lambda p: -len(p.parts)):
        _fsync_dir(directory)
    if folder.exists():
        folder.rmdir()  # it was empty (checked above)
    os.replace(partial, folder)
    _fsync_dir(folder.parent)
    return BackupResult(folder, kind, schema, copied, warnings)


# ------------------------------------------------------------------------------ verify


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, or a one-line error saying why ``folder`` is not a backup."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    path = folder / MANIFEST
    if not path.is_file():
        raise UserError(f"{folder} is not a mailflow backup (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path} is not a mailflow backup manifest: {error}") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
        or manifest.get("database") not in ("sqlite", "postgresql")
    ):
        raise UserError(f"{path} is not a mailflow backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise UserError(
            f"{folder}: backup format {manifest.get('format_version')} is not one this "
            f"mailflow reads ({FORMAT_VERSION})"
        )
    return manifest


def _safe_relative(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def verify_backup(folder: Path) -> dict[str, Any]:
    """Check every file against the manifest; raise naming the first file that differs."""
    manifest = read_manifest(folder)
    files: dict[str, Any] = manifest["files"]
    database_file = SQLITE_FILE if manifest["database"] == "sqlite" else PG_FILE
    if database_file not in files:
        raise UserError(f"{folder}: the manifest lists no {database_file}")
    problems: list[str] = []
    for name, entry in sorted(files.items()):
        if not _safe_relative(name) or not isinstance(entry, dict) or "sha256" not in entry:
            problems.append(f"{name}: not a valid manifest entry")
            continue
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != entry.get("size") or file_sha256(path) != entry["sha256"]:
            problems.append(f"{name} changed since the backup (sha256 differs)")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    problems += [f"{name} is not in the manifest" for name in sorted(present - set(files))]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(f"backup {folder} is damaged, nothing restored: {problems[0]}{more}")
    return manifest


# ------------------------------------------------------------------------------ restore


def _holds_data(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names())


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = db.make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _stage_archive(folder: Path, files: dict[str, Any], staging: Path) -> None:
    """The backup's archive, copied beside the live one, to be swapped in at the end."""
    if staging.exists():
        shutil.rmtree(staging)  # left by an interrupted restore
    staging.mkdir()
    for name in files:
        target = staging / PurePosixPath(name).relative_to("archive")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / name, target)
        _fsync_file(target)


def _restore_sqlite(source: Path, target: Path, move_aside: Callable[[Path], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, incoming)
    _fsync_file(incoming)
    for suffix in ("", "-wal", "-shm", "-journal"):
        move_aside(target.with_name(target.name + suffix))
    os.replace(incoming, target)


def _restore_postgresql(source: Path, database_url: str) -> None:
    with _engine(database_url) as engine:
        url, env = _libpq(engine)
    _run_tool(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(source),
        ],
        env,
        "pg_restore",
    )


def _refuse_live_data(database_url: str, sqlite_file: Path | None, archive_root: Path) -> None:
    """A one-line refusal when the database or the archive already holds something."""
    with _engine(database_url) as engine:
        if sqlite_file is None:
            db.check_connection(engine)
            live = _holds_data(engine)
        else:  # never connect to a missing file: that would create it
            live = sqlite_file.exists() and sqlite_file.stat().st_size > 0 and _holds_data(engine)
    archive_used = archive_root.is_dir() and any(p.is_file() for p in archive_root.rglob("*"))
    if live or archive_used:
        where = database_url if live else str(archive_root)
        raise UserError(
            f"{where} already holds data; restoring replaces it: stop mailflow and "
            "add --force (SQLite's file and the archive are kept aside, not deleted)"
        )


def restore(config: Config, folder: Path, force: bool = False) -> RestoreResult:
    """Put the backup in ``folder`` back as ``config``'s database and archive.

    Nothing is touched until every hash matched, the schema is one this version knows and,
    without ``force``, the target holds no data.
    """
    folder = folder.resolve()
    manifest = verify_backup(folder)
    kind = database_kind(config.database_url)
    if manifest["database"] != kind:
        raise UserError(
            f"{folder} holds a {manifest['database']} database; the configuration uses {kind}"
        )
    known, head = _known_revisions()
    schema = manifest.get("schema_revision")
    if schema is not None and schema not in known:
        raise UserError(
            f"the backup's schema {schema} is newer than this mailflow's ({head}): install "
            f"mailflow {manifest.get('mailflow_version', '?')} or later to restore it"
        )
    archive_root = config.data_dir / "archive"
    sqlite_file = db.sqlite_path(config.database_url)
    if not force:
        _refuse_live_data(config.database_url, sqlite_file, archive_root)
    elif sqlite_file is None:
        with _engine(config.database_url) as engine:
            db.check_connection(engine)  # a wrong URL fails here, before anything is staged
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot create data folder {config.data_dir}: {error.strerror}") from None
    aside = config.data_dir / ("before-restore-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    moved = False

    def move_aside(path: Path) -> None:
        nonlocal moved
        if path.exists():
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
            moved = True

    files = {
        name: entry for name, entry in manifest["files"].items() if name.startswith("archive/")
    }
    staging = config.data_dir / ".restore-archive"
    try:
        _stage_archive(folder, files, staging)
        if kind == "sqlite":
            assert sqlite_file is not None
            _restore_sqlite(folder / SQLITE_FILE, sqlite_file, move_aside)
        else:
            _restore_postgresql(folder / PG_FILE, config.database_url)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    move_aside(archive_root)
    os.replace(staging, archive_root)
    with _engine(config.database_url) as engine:
        db.upgrade(engine)  # a backup of an older schema is brought up to this version's
        with engine.begin() as connection:
            after = _revision(connection)
            # Sent after the snapshot, or not? The outbox's crash recovery asks the Sent
            # folder about final_dot rows before it would ever send one again.
            rechecked = connection.execute(
                update(models.OutboxMessage)
                .where(models.OutboxMessage.status.in_(UNSENT))
                .values(status="final_dot")
            ).rowcount
    return RestoreResult(
        kind,
        schema,
        after,
        len(files),
        aside if moved else None,
        rechecked or 0,
        str(manifest.get("created_at", "")),
    )
