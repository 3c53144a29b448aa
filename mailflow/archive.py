"""Content-addressed archive of raw messages, attachments and generated documents.

A file is named by the sha256 of its bytes (``ab/cd/abcd…``), written to a temporary file,
fsynced and renamed into place, so a crash leaves either the whole file or none. A file that
exists is never written again: the same bytes always have the same name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import UserError


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ArchiveReport:
    """What ``mailflow doctor`` found: rows without files, files without rows, bad files."""

    missing: list[str]  # referenced from the database, not on disk
    unreferenced: list[str]  # on disk, referenced by no row
    corrupt: list[str]  # on disk, but the bytes no longer hash to the name

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unreferenced or self.corrupt)


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-"):
                pass
        except OSError as error:
            raise UserError(
                f"archive folder {self.root} is not writable: {error.strerror}"
            ) from None

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes, digest: str | None = None) -> str:
        """Store ``data`` (if not already there) and return its sha256.

        ``digest`` is the sha256 the caller has just computed of these very bytes (intake
        hashes every message anyway): passing it saves hashing megabytes twice.
        """
        digest = digest or sha256_hex(data)
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        # The rename is durable only once the directory entry itself is on disk.
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return digest

    def get(self, digest: str) -> bytes:
        return self.path_for(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).exists()

    def digests(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if path.is_file() and not path.name.startswith("."):
                yield path.name

    def check(self, referenced: set[str], verify: bool = False) -> ArchiveReport:
        on_disk = set(self.digests())
        corrupt = []
        if verify:
            corrupt = sorted(d for d in on_disk if sha256_hex(self.get(d)) != d)
        return ArchiveReport(
            missing=sorted(referenced - on_disk),
            unreferenced=sorted(on_disk - referenced),
            corrupt=corrupt,
        )
