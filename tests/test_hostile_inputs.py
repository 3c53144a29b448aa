"""The hostile set through ``mailflow parse --json``: each file ends in time, in memory, cleanly.

Every file of ``tests/hostile`` (the committed ones, and the big ones written here from the
same script) is parsed by the real CLI in a child process limited to 1 GB of address space,
and must exit with 0 or 1, print no traceback and finish in under 10 s. The slowest file and
the peak memory are printed (``pytest -s``) for the issue's closing note.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.make_hostile import COMMIT_LIMIT, FILES, HOSTILE, write_all

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE = 1024 * 1024 * 1024
TIME_LIMIT = 10.0


@dataclass(frozen=True)
class Outcome:
    path: Path
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float
    max_rss_kb: int


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_parse(path: Path, tmp: Path) -> Outcome:
    """``mailflow parse PATH --json`` in a limited child; its own peak memory from wait4."""
    out, err = tmp / f"{path.name}.out", tmp / f"{path.name}.err"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "mailflow.cli", "parse", str(path), "--json"],
            stdout=stdout,
            stderr=stderr,
            cwd=ROOT,
            env=env,
            preexec_fn=_limit_memory,
        )
        status, usage = 0, None
        while usage is None:
            pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                usage = rusage
            elif time.monotonic() - started > TIME_LIMIT:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                status = -1
            else:
                time.sleep(0.01)
        seconds = time.monotonic() - started
        child.returncode = 0  # reaped here, not by Popen
    code = None if status == -1 else os.waitstatus_to_exitcode(status)
    return Outcome(
        path,
        code,
        out.read_text("utf-8", errors="replace"),
        err.read_text("utf-8", errors="replace"),
        seconds,
        usage.ru_maxrss,
    )


def problems_of(outcome: Outcome) -> list[str]:
    name = outcome.path.name
    if outcome.returncode is None:
        return [f"{name}: killed after {TIME_LIMIT:.0f} s"]
    found = []
    if outcome.returncode not in (0, 1):
        found.append(f"{name}: exit code {outcome.returncode}")
    if "Traceback" in outcome.stderr:
        found.append(f"{name}: traceback on stderr")
    if outcome.seconds >= TIME_LIMIT:
        found.append(f"{name}: {outcome.seconds:.1f} s")
    if outcome.returncode == 0:
        reasons = json.loads(outcome.stdout)["reasons"]
        if any("reader failed" in reason for reason in reasons):
            found.append(f"{name}: an unforeseen reader failure: {reasons}")
    return found


def test_the_committed_hostile_files_are_what_the_script_makes(tmp_path: Path) -> None:
    written = write_all(tmp_path, big=False)
    committed = sorted(path.name for path in FILES.glob("*.eml"))
    assert committed == sorted(path.name for path in written)
    for path in written:
        assert (FILES / path.name).read_bytes() == path.read_bytes(), path.name
        assert path.stat().st_size <= COMMIT_LIMIT


@pytest.mark.timeout(900)
def test_every_hostile_file_ends_in_time_in_memory_and_without_a_traceback(
    tmp_path: Path,
) -> None:
    files = sorted(FILES.glob("*.eml")) + write_all(tmp_path / "big", big=True)
    assert len(files) == len(HOSTILE)
    outcomes = [run_parse(path, tmp_path) for path in files]
    slowest = max(outcomes, key=lambda outcome: outcome.seconds)
    hungriest = max(outcomes, key=lambda outcome: outcome.max_rss_kb)
    print(
        f"\nhostile set: {len(outcomes)} files, "
        f"{sum(o.returncode not in (0, 1) for o in outcomes)} crashes; "
        f"slowest {slowest.path.name} {slowest.seconds:.2f} s; "
        f"peak memory {hungriest.max_rss_kb / 1024:.0f} MB ({hungriest.path.name})"
    )
    problems = [problem for outcome in outcomes for problem in problems_of(outcome)]
    assert problems == []
