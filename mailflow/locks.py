"""One holder at a time: across threads and processes, and with PostgreSQL across hosts.

The intake of a mailbox and the outbox sender must each run once. A lock file beside the data
folder is enough while everything runs on one machine; two machines sharing one PostgreSQL
database (a standby started by mistake, two containers) do not share that folder, so there
the database's own advisory lock is taken as well. It belongs to the connection holding it:
a process that dies releases it with its connection.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from mailflow.app import App


@contextlib.contextmanager
def file_lock(path: Path, wait_s: float = 0.0) -> Iterator[bool]:
    """An exclusive lock across threads and processes (released when a process dies).

    Yields True when taken, False when someone else still holds it after ``wait_s``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    with open(path, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _key(name: str) -> int:
    """A stable signed 64-bit number for ``name`` (advisory locks are keyed by numbers)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive(app: App, name: str, wait_s: float = 0.0) -> Iterator[bool]:
    """Hold the lock called ``name``; yields False when another holder keeps it ``wait_s``."""
    deadline = time.monotonic() + wait_s
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    with file_lock(Path(app.config.data_dir) / f"{safe}.lock", wait_s) as local:
        if not local or app.engine.dialect.name != "postgresql":
            yield local
            return
        key = _key(f"mailflow:{name}")
        with app.engine.connect() as connection:
            while True:
                taken = connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                connection.commit()
                if taken or time.monotonic() >= deadline:
                    break
                time.sleep(0.1)
            try:
                yield bool(taken)
            finally:
                if taken:
                    try:
                        connection.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        connection.commit()
                    except Exception:
                        # Never hand a connection that may still hold the lock back to the
                        # pool: closing it makes PostgreSQL release the lock.
                        connection.invalidate()
