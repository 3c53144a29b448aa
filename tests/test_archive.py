from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mailflow.archive import Archive
from mailflow.errors import UserError


def test_it_stores_bytes_under_their_sha256(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    digest = archive.put(b"raw message")
    assert digest == hashlib.sha256(b"raw message").hexdigest()
    assert archive.get(digest) == b"raw message"
    assert archive.path_for(digest).parent.parent.parent == tmp_path / "archive"


def test_it_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    digest = archive.put(b"x")
    path = archive.path_for(digest)
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    archive.put(b"x")
    assert path.stat().st_mtime_ns == before - 10**9


def test_it_leaves_no_temporary_files(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    for i in range(5):
        archive.put(f"message {i}".encode())
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_check_lists_missing_unreferenced_and_corrupt_files(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    kept = archive.put(b"kept")
    stray = archive.put(b"stray")
    archive.path_for(kept).write_bytes(b"changed")
    report = archive.check({kept, "0" * 64}, verify=True)
    assert report.missing == ["0" * 64]
    assert report.unreferenced == [stray]
    assert report.corrupt == [kept]
    assert not report.ok


def test_an_unwritable_folder_is_a_user_error(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    with pytest.raises(UserError, match="not writable"):
        Archive(blocked / "archive").ensure()
