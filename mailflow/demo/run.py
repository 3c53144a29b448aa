"""``mailflow demo``: a whole IN-13 year on this machine, with no servers to install.

Starts the in-process IMAP and SMTP servers, writes a real ``config.toml`` pointing at them,
creates the database and plays the year through the real intake, outbox, procedure, reading
and documents code, with the status page open alongside.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailflow.accounts import add_user
from mailflow.app import App, open_app
from mailflow.clock import FakeClock
from mailflow.config import load_config
from mailflow.demo import script
from mailflow.demo.people import MailWorld
from mailflow.demo.play import START, Summary, Year
from mailflow.demo.servers import DemoMailServers
from mailflow.errors import UserError
from mailflow.logs import setup_logging
from mailflow.resources import EXAMPLE_CONFIG

DEMO_USER = "demo"
MAIL_PASSWORD = "demo-mail-password"
SECRET_VARIABLES = {
    "MAILFLOW_DEMO_IMAP_PASSWORD": MAIL_PASSWORD,
    "MAILFLOW_DEMO_SMTP_PASSWORD": MAIL_PASSWORD,
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# How e-mails address the demo's officials (see [people] in config.example.toml).
ADDRESSING = {
    "anna_wrona": ("f", ""),
    "tomasz_lis": ("m", "Kierowniku"),
    "ewa_kruk": ("f", "Kierownik"),
    "marek_sikora": ("m", ""),
    "elzbieta_sowa": ("f", "Pełnomocnik"),
    "jan_kowalski": ("m", "Prezydencie"),
    "piotr_zieba": ("m", "Prezydencie"),
    "halina_nowak": ("f", "Naczelnik"),
    "robert_mazur": ("m", "Naczelniku"),
}


def _person_entry(key: str, name: str, email: str) -> str:
    gender, title = ADDRESSING.get(key, ("", ""))
    return (
        f'[people.{key}]\nname = "{name}"\nemail = "{email}"\n'
        + (f'gender = "{gender}"\n' if gender else "")
        + (f'title = "{title}"\n' if title else "")
    )


def demo_config(
    folder: Path,
    imap_port: int,
    smtp_port: int,
    web_port: int,
    *,
    login: str = script.MAILBOX,
    smtp_login: str | None = script.MAILBOX,
    password_env: tuple[str, str] = (
        "MAILFLOW_DEMO_IMAP_PASSWORD",
        "MAILFLOW_DEMO_SMTP_PASSWORD",
    ),
    shared_mailbox: bool = False,
    database_url: str | None = None,
    web_enabled: bool = True,
) -> str:
    """The example configuration, pointed at the given mail servers and the demo's people.

    The end-to-end test reuses it against the Dovecot rig (its own login, a shared mailbox
    that mailflow must sort, PostgreSQL); the demo takes the defaults.
    """
    example = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    head, _, _ = example.partition("[imap]")
    people = "\n".join(_person_entry(m.key, m.name, m.email) for m in script.OFFICIALS)
    vendors = "\n".join(
        f'[vendors.{key}]\nname = "{name}"\nemail = "{email}"\n'
        + (f'nip = "{nip}"\n' if nip else "")
        for key, name, email, _kind, nip in script.VENDORS
    )
    office = example[example.index("[office]") : example.index("# Every person mailflow writes to")]
    procedure = example[example.index("[procedure]") : example.index("[web]")]
    head = head.replace('data_dir = "data"', f'data_dir = "{folder / "data"}"')
    if database_url:
        head = head.replace('# url = "sqlite:///data/mailflow.sqlite3"', f'url = "{database_url}"')
    smtp_auth = (
        f'username = "{smtp_login}"\npassword_env = "{password_env[1]}"' if smtp_login else ""
    )
    return f"""{head}
[imap]
host = "127.0.0.1"
port = {imap_port}
security = "none"
username = "{login}"
password_env = "{password_env[0]}"
folder = "INBOX"
shared_mailbox = {"true" if shared_mailbox else "false"}
use_idle = false
poll_seconds = 5

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
{smtp_auth}
from_address = "{script.MAILBOX}"
sent_folder = "Sent"
max_per_recipient_per_hour = 100

{office}
{people}
[roles]
coordinator = "anna_wrona"
os_manager = "tomasz_lis"
bok_manager = "ewa_kruk"
complaints_officer = "marek_sikora"
plenipotentiary = "elzbieta_sowa"
mayor = "jan_kowalski"
unit_heads = ["halina_nowak", "robert_mazur"]
audit_team = ["zespol_zsz"]

[roles.deputies]
os_manager = "piotr_zieba"
plenipotentiary = "piotr_zieba"
mayor = "piotr_zieba"

{vendors}
{procedure}
[web]
enabled = {"true" if web_enabled else "false"}
bind = "127.0.0.1"
port = {web_port}
secret_key_env = "MAILFLOW_DEMO_WEB_SECRET"
secure_cookies = false
base_url = "http://127.0.0.1:{web_port}/"
"""


def _serve_status_page(app: App) -> Any:
    try:
        from web_status import create_server
    except ImportError:
        return None
    server = create_server(app, threads=2, ident="waitress")
    threading.Thread(target=server.run, name="demo-web", daemon=True).start()
    return server


def export_documents(app: App, target: Path) -> list[Path]:
    """Copy every generated document out of the archive into ``target`` under its name."""
    from sqlalchemy import select

    from mailflow.db import models

    target.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with app.sessions() as session:
        for document in session.scalars(select(models.Document).order_by(models.Document.id)):
            path = _unused_name(target / document.filename, paths)
            path.write_bytes(app.archive.get(document.sha256))
            paths.append(path)
    return paths


def _unused_name(path: Path, taken: list[Path]) -> Path:
    """The same file name twice (a catalogue sent again) must not overwrite the first."""
    candidate, number = path, 1
    while candidate in taken:
        number += 1
        candidate = path.with_name(f"{path.stem}_{number}{path.suffix}")
    return candidate


def _create_sent_folder(servers: DemoMailServers) -> None:
    """mailflow keeps a copy of what it sends in Sent, as a mail client does."""
    from imap_tools import MailBoxUnencrypted

    with MailBoxUnencrypted("127.0.0.1", servers.imap_port).login(
        script.MAILBOX, MAIL_PASSWORD
    ) as box:
        if not box.folder.exists("Sent"):
            box.folder.create("Sent")


STEP_TITLES = {
    0: "topics from the office",
    1: "price inquiry to survey firms",
    2: "contract with the chosen firm",
    3: "questionnaire and survey date",
    4: "monitoring the survey",
    5: "results routed for approval",
    6: "internal audit",
    7: "publication of the results",
}


# Which IN-13 step an action belongs to, by its name; an event also records the campaign's
# step at the time (a late quote arrives during step 3), which reads oddly in a summary.
ACTION_STEPS = [
    (("campaign_", "topics_", "catalogue_"), 0),
    (("inquiry_", "quote_", "bounce_", "comparison_", "procurement_"), 1),
    (("contract_",), 2),
    (("questionnaire_",), 3),
    (("digest_", "progress_", "behind_schedule"), 4),
    (("results_received", "memo_"), 5),
    (("audit_", "action_"), 6),
    (("results_published", "publication"), 7),
]


def step_of(action: str, recorded_at_step: int | None) -> int | None:
    for prefixes, step in ACTION_STEPS:
        if action.startswith(prefixes):
            return step
    return recorded_at_step


def step_lines(summary: Summary) -> list[str]:
    """One line per IN-13 step: done or not, and what was recorded there (the evidence)."""
    lines = []
    for step, title in STEP_TITLES.items():
        counts = Counter(action for at, action in summary.events if step_of(action, at) == step)
        what = ", ".join(f"{a} x{n}" if n > 1 else a for a, n in counts.items()) or "-"
        state = "done" if step in summary.steps_done else "not reached"
        lines.append(f"  step {step} {title:<31} {state:<11} {what}")
    return lines


def print_summary(summary: Summary, documents: list[Path], folder: Path) -> None:
    span = ""
    if summary.started and summary.ended:
        span = f" ({summary.started:%Y-%m-%d} to {summary.ended:%Y-%m-%d} in simulated time)"
    print(f"\nDemo finished after {summary.rounds} rounds of mail{span}.")
    print(
        f"IN-13 steps done: {', '.join(str(s) for s in summary.steps_done)}"
        f"{' - campaign finished' if summary.finished else ' - campaign NOT finished'}"
    )
    print("\n".join(step_lines(summary)))
    print(
        f"E-mails sent by mailflow: {summary.sent}; received and archived: {summary.received}; "
        f"quarantined for a person: {summary.quarantined}"
    )
    print(f"Documents produced ({len(documents)}):")
    for path in documents:
        print(f"  {path}")
    print(f"Everything is in {folder} (config.toml, data/ with the database and the archive).")
    print(f"See it again: mailflow status --config {folder / 'config.toml'}")


def run_demo(fast: bool = False, keep: Path | None = None) -> int:
    folder = keep.resolve() if keep else Path(tempfile.mkdtemp(prefix="mailflow-demo-"))
    if keep and (folder / "data").exists():
        raise UserError(f"{folder} already holds a demo; choose an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(SECRET_VARIABLES)
    os.environ.setdefault("MAILFLOW_DEMO_WEB_SECRET", secrets.token_urlsafe(32))
    servers = DemoMailServers(unknown_recipients="bounce")
    for address in script.people_addresses():
        servers.add_user(address, MAIL_PASSWORD)
    servers.start()
    _create_sent_folder(servers)
    summary: Summary | None = None
    web: Any = None
    try:
        web_port = _free_port()
        config_file = folder / "config.toml"
        config_file.write_text(
            demo_config(folder, servers.imap_port, servers.smtp_port, web_port), encoding="utf-8"
        )
        config = load_config(config_file)
        setup_logging("WARNING", "text", config.secrets)
        clock = FakeClock(START)
        app = open_app(config, clock=clock, upgrade=True)
        password = secrets.token_urlsafe(9)
        add_user(app, DEMO_USER, "coordinator", password)
        web = _serve_status_page(app)
        if web is not None:
            note = " - open while the demo runs" if fast else ""
            print(
                f"Status page: http://127.0.0.1:{web_port}/  (login {DEMO_USER} / {password}){note}"
            )
        print(f"Playing the 2027 campaign in {folder} ...", flush=True)
        world = MailWorld(
            "127.0.0.1",
            servers.imap_port,
            servers.smtp_port,
            lambda address: (address, MAIL_PASSWORD),
        )
        year = Year(app, world, clock, _daemon_pass(app), on_round=None if fast else _progress_line)
        summary = year.play(pace_s=0.0 if fast else 1.0)
        documents = export_documents(app, folder / "documents")
        print_summary(summary, documents, folder)
        if not fast and web is not None:
            print("The status page stays open; press Ctrl+C to stop.", flush=True)
            threading.Event().wait()
        app.close()
    except KeyboardInterrupt:
        pass
    finally:
        if web is not None:
            web.close()
        servers.stop()
    return 0 if summary is not None and summary.finished else 1


def _daemon_pass(app: App) -> Callable[[], object]:
    """The daemon's ``--once`` pass with the procedure wired in, on this app and its clock."""
    from mailflow.daemon import procedure_handlers, run_once

    act, due, yearly = procedure_handlers()
    return lambda: run_once(app, act, due, yearly)


def _progress_line(year: Year) -> None:
    step, status, _ = year.campaign_state()
    when = year.clock.now().date().isoformat()
    what = "finished" if status == "finished" else STEP_TITLES.get(step, status)
    sys.stdout.write(f"\r{when} (simulated): IN-13 step {step}, {what}".ljust(79))
    sys.stdout.flush()
