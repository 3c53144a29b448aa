"""mailflow as a package index installs it: the wheel, in a fresh venv without the dev extras,
run from a folder outside the source tree. Whatever it reads at run time must be inside the
wheel, and every runtime import a declared dependency.

One build and install (about a minute, most of it pip) is shared by the tests below.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.configs import TEST_ENV

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "dev"
# What the wheel is built from; nothing else of the checkout may be needed.
SOURCES = ("pyproject.toml", "README.md", "mailflow", "web_status")


@dataclass
class Installed:
    venv: Path
    outside: Path  # a working folder outside the source tree
    seconds: dict[str, float] = field(default_factory=dict)

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MAILFLOW_", "PYTHON", "VIRTUAL_ENV"))
        }
        clean.update(env or {})
        started = time.monotonic()
        done = subprocess.run(
            [str(self.venv / "bin" / "mailflow"), *args],
            cwd=self.outside,
            env=clean,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self.seconds[" ".join(args[:1])] = time.monotonic() - started
        return done


def _step(command: list[str], cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
            )
        else:
            shutil.copy2(origin, source / name)
    seconds = {}
    started = time.monotonic()
    dist = work / "dist"
    _step([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."], source)
    [wheel] = dist.glob("mailflow-*.whl")
    seconds["build the wheel"] = time.monotonic() - started
    started = time.monotonic()
    venv = work / "venv"
    _step([sys.executable, "-m", "venv", str(venv)], work)
    _step(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "-c",
            str(ROOT / "constraints.txt"),
            str(wheel),
        ],
        work,
    )
    seconds["venv and pip install"] = time.monotonic() - started
    outside = work / "office"
    outside.mkdir()
    result = Installed(venv, outside, seconds)
    yield result
    print("\nwheel test timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))


def test_the_package_runs_from_the_venv_not_from_the_checkout(installed: Installed) -> None:
    done = subprocess.run(
        [
            str(installed.venv / "bin" / "python"),
            "-c",
            "import mailflow, web_status; print(mailflow.__file__); print(web_status.__file__)",
        ],
        cwd=installed.outside,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stdout.split():
        assert Path(line).is_relative_to(installed.venv), line
    # No dev extras: the SAV reader below must work without pandas.
    pandas = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import pandas"],
        capture_output=True,
        check=False,
    )
    assert pandas.returncode != 0


def test_help_init_and_check_config_work_from_an_office_folder(installed: Installed) -> None:
    helped = installed.run("--help")
    assert helped.returncode == 0, helped.stderr
    for command in ("init", "demo", "backup", "restore", "install-units"):
        assert command in helped.stdout
    first = installed.run("init")
    assert first.returncode == 0, first.stderr
    assert "Wrote config.toml from config.example.toml" in first.stdout
    assert (installed.outside / "data" / "mailflow.sqlite3").is_file()
    checked = installed.run("check-config", env=TEST_ENV)
    assert checked.returncode == 0, checked.stderr
    assert "configuration is valid" in checked.stdout
    templates = installed.run("templates", "check")
    assert templates.returncode == 0, templates.stdout + templates.stderr
    assert "All templates are complete." in templates.stdout


def test_the_demo_plays_the_year_from_the_wheel(installed: Installed) -> None:
    done = installed.run("demo", "--fast", "--keep", str(installed.outside / "demo"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "IN-13 steps done: 0, 1, 2, 3, 4, 5, 6, 7 - campaign finished" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_parse_reads_a_message(installed: Installed) -> None:
    done = installed.run("parse", str(CORPUS / "01_quote_body_outlook_iso88592.eml"), "--json")
    assert done.returncode == 0, done.stderr
    assert '"kind": "quote"' in done.stdout


def write_survey_files(folder: Path) -> list[Path]:
    """The same 40 answers as CSV, XLSX, ODS and SPSS (written with the dev venv's tools)."""
    from tests.test_results_table import write_csv, write_ods, write_sav, write_xlsx

    rng = random.Random(7)
    header = ["Nr ankiety", "P1. Uprzejmość pracowników", "P2. Czas oczekiwania"]
    rows: list[list[object]] = [
        [f"2027/{i:03d}", rng.choice([3, 4, 4, 5, 5]), rng.choice([2, 3, 4, 4, 5])]
        for i in range(1, 41)
    ]
    labels = {
        1.0: "zdecydowanie niezadowolony",
        2.0: "raczej niezadowolony",
        3.0: "ani zadowolony, ani niezadowolony",
        4.0: "raczej zadowolony",
        5.0: "zdecydowanie zadowolony",
    }
    return [
        write_csv(folder / "wyniki.csv", [header, *rows]),
        write_xlsx(folder / "wyniki.xlsx", {"Dane": [header, *rows]}),
        write_ods(folder / "wyniki.ods", {"Dane": [header, *rows]}),
        write_sav(
            folder / "wyniki.sav",
            {
                "id": [float(i) for i in range(1, 41)],
                "p1": [float(str(r[1])) for r in rows],
                "p2": [float(str(r[2])) for r in rows],
            },
            {"p1": labels, "p2": labels},
            column_labels={"id": "Nr ankiety", "p1": header[1], "p2": header[2]},
        ),
    ]


def test_results_reads_csv_xlsx_ods_and_sav_alike(installed: Installed) -> None:
    outputs = []
    for path in write_survey_files(installed.outside):
        done = installed.run("results", str(path))
        assert done.returncode == 0, f"{path.name}: {done.stderr}"
        outputs.append(done.stdout)
    assert outputs[0].startswith("40 respondents\nQ1 Uprzejmość pracowników: n=40 mean=")
    assert outputs == [outputs[0]] * 4


def test_the_units_and_a_backup_come_from_the_wheel_too(installed: Installed) -> None:
    if not (installed.outside / "config.toml").exists():
        assert installed.run("init").returncode == 0
    units = installed.outside / "units"
    units.mkdir()
    done = installed.run("install-units", "--dest", str(units))
    assert done.returncode == 0, done.stderr
    text = (units / "mailflow.service").read_text()
    assert f"ExecStart={installed.venv / 'bin' / 'mailflow'} run" in text
    saved = installed.run("backup", str(installed.outside / "backup"))
    assert saved.returncode == 0, saved.stderr
    assert (installed.outside / "backup" / "manifest.json").is_file()


def test_the_status_page_serves_its_templates_static_files_and_polish_from_the_wheel(
    installed: Installed,
) -> None:
    import socket
    import urllib.request

    if not (installed.outside / "config.toml").exists():
        assert installed.run("init").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILFLOW_", "PYTHON"))}
    # Its own key only: no IMAP or SMTP password in the page's environment.
    env |= {"MAILFLOW_WEB_SECRET": TEST_ENV["MAILFLOW_WEB_SECRET"], "MAILFLOW_WEB_PORT": str(port)}
    page = subprocess.Popen(
        [str(installed.venv / "bin" / "mailflow"), "web"],
        cwd=installed.outside,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert page.poll() is None, page.communicate()
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                    login = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the status page did not come up"
                time.sleep(0.3)
        assert "Hasło" in login and "Zaloguj" in login  # the template and the translation
        with urllib.request.urlopen(f"{base}/static/app.css", timeout=5) as response:
            assert response.status == 200 and response.read()
    finally:
        page.terminate()
        page.communicate(timeout=10)
