"""The ``mailflow`` command line.

Exit codes: 0 ok, 1 user error (one line on stderr, no traceback), 2 internal error (logged
with its traceback). Each command is a small function taking the parsed arguments.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mailflow import __version__
from mailflow.config import Config, config_path, load_config
from mailflow.errors import ConfigError, UserError
from mailflow.logs import setup_logging
from mailflow.resources import EXAMPLE_CONFIG

log = logging.getLogger("mailflow")


def _config(
    args: argparse.Namespace, require_secrets: bool = True, mail_secrets: bool = True
) -> Config:
    config = load_config(
        config_path(args.config, os.environ),
        require_secrets=require_secrets,
        mail_secrets=mail_secrets,
    )
    setup_logging(config.logging.level, config.logging.format, config.secrets)
    return config


def cmd_init(args: argparse.Namespace) -> int:
    from mailflow.app import open_app

    path = config_path(args.config, os.environ)
    if not path.exists():
        if not EXAMPLE_CONFIG.exists():
            raise UserError(f"no {path} and no config.example.toml to copy it from")
        try:
            shutil.copyfile(EXAMPLE_CONFIG, path)
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror}") from None
        print(f"Wrote {path} from config.example.toml: edit it for your office.")
    config = _config(args, require_secrets=False)
    app = open_app(config, upgrade=True)
    app.close()
    print(f"Database ready at {config.database_url}; data folder {config.data_dir}.")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    config = _config(args)
    print(f"{config.path}: configuration is valid.")
    if not config.procedure.require_dmarc:
        # Not an error (internal mail often carries no Authentication-Results), but a reader
        # of this output should know what a forged From would need.
        print(
            "RISK: procedure.require_dmarc = false: an approval is trusted on its sender "
            "address and token alone, and a From address is easy to forge. Set it true (with "
            "procedure.authserv_id) if your mail server adds Authentication-Results."
        )
    if args.connect:
        from mailflow.connectivity import check_connections

        failures = 0
        for service, ok, detail in check_connections(config):
            print(f"{service}: {'ok' if ok else 'FAILED'} - {detail}")
            failures += not ok
        return 1 if failures else 0
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mailflow.app import check_archive, open_app
    from mailflow.queries import format_status, status_summary

    app = open_app(_config(args, require_secrets=False))
    try:
        with app.sessions() as session:
            summary = status_summary(session)
        report = check_archive(app)
        summary["archive"] = {"missing": report.missing, "unreferenced": report.unreferenced}
    finally:
        app.close()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(format_status(summary))
        if not report.ok:
            print(
                f"Archive: {len(report.missing)} missing, {len(report.unreferenced)} unreferenced "
                "(run `mailflow doctor` for the list)"
            )
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from mailflow.app import check_archive, open_app

    app = open_app(_config(args, require_secrets=False))
    try:
        report = check_archive(app, verify=args.verify)
    finally:
        app.close()
    for digest in report.missing:
        print(f"missing: {digest} is referenced in the database but not in the archive")
    for digest in report.unreferenced:
        print(f"unreferenced: {digest} is in the archive but no row refers to it")
    for digest in report.corrupt:
        print(f"corrupt: {digest} no longer matches its sha256")
    if report.ok:
        print("Archive and database agree.")
        return 0
    return 1


def cmd_parse(args: argparse.Namespace) -> int:
    from mailflow.mail.parse import parse_file

    parsed = parse_file(args.file)
    data = parsed.to_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"kind: {data['kind']}\nfrom: {data['from']}\nsubject: {data['subject']}")
        print(f"token: {data['token']}\nneeds review: {data['needs_review']}")
        for reason in parsed.reasons:
            print(f"  - {reason}")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    from mailflow.results import analyse_file

    report = analyse_file(args.file, codebook=args.codebook)
    data = report.to_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"{data['respondents']} respondents")
        for q in data["questions"]:
            if q.get("mean") is None:  # too few answers, or a scale of unknown direction
                print(f"{q['id']} {q['label']}: n={q['n']} (no figures; see the warnings)")
                continue
            print(
                f"{q['id']} {q['label']}: n={q['n']} mean={q['mean']:.2f} "
                f"[{q['ci95'][0]:.2f}, {q['ci95'][1]:.2f}] top2={q['top2_share']:.1%}"
            )
        for warning in data["warnings"]:
            print(f"warning: {warning}")
    return 0


def cmd_templates_check(args: argparse.Namespace) -> int:
    from mailflow.documents import check_templates

    override = None
    if args.config or os.environ.get("MAILFLOW_CONFIG") or Path("config.toml").exists():
        override = _config(args, require_secrets=False).template_dir
    problems = check_templates(override)
    for problem in problems:
        print(problem)
    if not problems:
        print("All templates are complete.")
    return 1 if problems else 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from mailflow.accounts import add_user
    from mailflow.app import open_app

    password = os.environ.get("MAILFLOW_NEW_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise UserError("no password: set MAILFLOW_NEW_PASSWORD or run in a terminal")
        password = getpass.getpass(f"Password for {args.name}: ")
        if password != getpass.getpass("Repeat it: "):
            raise UserError("the two passwords differ")
    app = open_app(_config(args, require_secrets=False))
    try:
        add_user(app, args.name, args.role, password)
    finally:
        app.close()
    print(f"User {args.name} ({args.role}) created.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from mailflow.daemon import run_daemon

    return run_daemon(_config(args), once=args.once)


def cmd_web(args: argparse.Namespace) -> int:
    from mailflow.daemon import run_web

    # The page alone never holds the mailbox passwords: only the daemon needs them.
    return run_web(_config(args, mail_secrets=False))


def cmd_demo(args: argparse.Namespace) -> int:
    from mailflow.demo.run import run_demo

    return run_demo(fast=args.fast, keep=Path(args.keep) if args.keep else None)


def cmd_backup(args: argparse.Namespace) -> int:
    from mailflow.backup import backup

    result = backup(_config(args, require_secrets=False), Path(args.dir))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"Backup of the {result.database} database (schema {result.schema}) and "
        f"{result.files} archived files written to {result.folder}."
    )
    return 1 if result.warnings else 0


def cmd_restore(args: argparse.Namespace) -> int:
    from mailflow.backup import restore

    config = _config(args, require_secrets=False)
    result = restore(config, Path(args.dir), force=args.force)
    print(
        f"Restored the {result.database} database of {result.created_at} (schema "
        f"{result.schema_before}, now {result.schema_after}) and {result.files} archived files."
    )
    if result.moved_aside:
        print(f"What it replaced is kept in {result.moved_aside}.")
    if result.rechecked:
        print(
            f"{result.rechecked} e-mails the backup had not sent yet are looked up in the Sent "
            "folder before any is sent (`mailflow outbox list` shows those a person decides)."
        )
    if config.imap.move_processed:
        print(
            f"Mail read after {result.created_at} was moved to {config.imap.processed_folder}: "
            f"move it back to {config.imap.folder} and mailflow reads it again (copies it "
            "already has are recognised)."
        )
    return 0


def cmd_install_units(args: argparse.Namespace) -> int:
    from mailflow.units import UnitSettings, install_units, installed_command

    config = _config(args, require_secrets=False)
    settings = UnitSettings(
        mailflow=installed_command(),
        config=config.path,
        data_dir=config.data_dir,
        user=args.user,
        web_user=args.web_user,
        env_dir=Path(args.env_dir),
    )
    written = install_units(settings, Path(args.dest), force=args.force)
    web_user = args.web_user or args.user
    print(f"Wrote {', '.join(str(p) for p in written)}; nothing was started.")
    print("Next, as root (see README, 'Running it in production'):")
    for user in dict.fromkeys((args.user, web_user)):
        print(f"  useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin {user}")
    print(f"  chown -R {args.user}:{web_user} {config.data_dir}")
    print(
        f"  {args.env_dir}/mailflow.env (mode 0600): the IMAP and SMTP passwords, "
        "as the variables named by password_env"
    )
    print(
        f"  {args.env_dir}/mailflow-web.env (mode 0600): the page's key, "
        "as the variable named by secret_key_env"
    )
    print("  systemctl daemon-reload && systemctl enable --now mailflow mailflow-web")
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from mailflow.app import open_app
    from mailflow.quarantine import dismiss, list_open, retry

    if args.action != "list" and args.id is None:
        raise UserError(
            f"quarantine {args.action} needs the entry's number (see `quarantine list`)"
        )
    app = open_app(_config(args))
    try:
        if args.action == "list":
            for entry in list_open(app):
                print(
                    f"{entry['id']}: {entry['received_at']} {entry['from']} "
                    f"{entry['subject']!r}: {entry['reason']}"
                )
        elif args.action == "retry":
            print(retry(app, args.id, actor="cli"))
        else:
            print(dismiss(app, args.id, actor="cli", note=args.note))
    finally:
        app.close()
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from mailflow.app import open_app
    from mailflow.db import models
    from mailflow.outbox import resolve_uncertain

    if args.action != "list" and args.id is None:
        raise UserError(f"outbox {args.action} needs the row's number (see `outbox list`)")
    app = open_app(_config(args))
    try:
        if args.action == "list":
            # What needs a person: refused, sent to some only, or fate unknown.
            with app.sessions() as session:
                rows = session.scalars(
                    select(models.OutboxMessage)
                    .where(models.OutboxMessage.status.in_(("failed", "partial", "uncertain")))
                    .order_by(models.OutboxMessage.id)
                ).all()
            for row in rows:
                print(
                    f"{row.id}: {row.status} to {', '.join(row.recipients)} "
                    f"{row.subject!r}: {row.last_error or ''}"
                )
        else:
            print(resolve_uncertain(app, args.id, args.action == "resend", actor="cli"))
    finally:
        app.close()
    return 0


def cmd_campaign(args: argparse.Namespace) -> int:
    from mailflow.app import open_app
    from mailflow.procedure_cli import campaign_command

    # `campaign show 2027 --config X`: the options after the action belong to mailflow too.
    if "--config" in args.rest:
        at = args.rest.index("--config")
        if at + 1 >= len(args.rest):
            raise UserError("--config needs a file name")
        args.config = args.rest[at + 1]
        args.rest = args.rest[:at] + args.rest[at + 2 :]

    app = open_app(_config(args))
    try:
        print(campaign_command(app, args))
    finally:
        app.close()
    return 0


def cmd_export_case(args: argparse.Namespace) -> int:
    from mailflow.app import open_app
    from mailflow.casefile.export import check_target, export_case

    folder = Path(args.dir)
    check_target(folder, args.force)  # before opening anything: a refused export touches nothing
    app = open_app(_config(args, require_secrets=False))
    try:
        result = export_case(app, args.year, folder, force=args.force, pdf=not args.no_pdf)
    finally:
        app.close()
    print(
        f"Case {result.mark}: {result.files} files, each with its NES metadata, and the case "
        f"register written to {result.folder}."
    )
    if result.bip_page is not None:
        print(f"BIP page with its metryczka: {result.bip_page}")
    for note in result.notes:
        print(f"note: {note}")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from mailflow.app import open_app
    from mailflow.casefile.retention import dispose, format_listing, listing

    app = open_app(_config(args, require_secrets=False))
    try:
        if args.action == "list":
            with app.sessions() as session:
                rows = listing(app, session)
            if args.json:
                print(json.dumps([row.to_json() for row in rows], ensure_ascii=False, indent=2))
            else:
                print(format_listing(rows))
            return 0
        if args.item is None:
            raise UserError("retention dispose needs the item, YEAR:CLASS (see `retention`)")
        if not args.confirm:
            raise UserError(
                f"nothing disposed: add --confirm to dispose of {args.item} (it cannot be undone)"
            )
        print(dispose(app, args.item, actor=args.actor or "cli", assessment=args.assessment))
    finally:
        app.close()
    return 0


class _Parser(argparse.ArgumentParser):
    """Argument mistakes are user errors: one line and exit 1, as for any other bad input."""

    def error(self, message: str) -> Any:
        print(f"error: {self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(1)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mailflow", description="IN-13 customer-satisfaction survey automation.")
    parser.add_argument("--version", action="version", version=f"mailflow {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str, config: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if config:
            p.add_argument(
                "--config", help="config file (default: $MAILFLOW_CONFIG, then ./config.toml)"
            )
        p.set_defaults(handler=handler)
        return p

    command("init", cmd_init, "create config.toml (if missing), the data folder and the database")
    p = command("check-config", cmd_check_config, "validate the configuration")
    p.add_argument("--connect", action="store_true", help="also log in to IMAP and SMTP")
    p = command("run", cmd_run, "the daemon: intake, outbox, scheduler and status page")
    p.add_argument("--once", action="store_true", help="one full pass, then exit")
    command("web", cmd_web, "the status page alone")
    p = command(
        "demo", cmd_demo, "play a whole campaign year on built-in mail servers", config=False
    )
    p.add_argument("--fast", action="store_true", help="run to the end at full speed and exit")
    p.add_argument(
        "--keep", metavar="DIR", help="keep config, database, archive and documents here"
    )
    p = command("parse", cmd_parse, "read one message offline", config=False)
    p.add_argument("file", help="an .eml file")
    p.add_argument("--json", action="store_true")
    p = command("results", cmd_results, "analyse one survey result data file offline", config=False)
    p.add_argument("file", help="CSV, XLSX, ODS or SPSS .sav")
    p.add_argument("--codebook", help="codebook (CSV/XLSX table or TOML)")
    p.add_argument("--json", action="store_true")
    p = command("status", cmd_status, "campaigns, steps, mail and outbox counts")
    p.add_argument("--json", action="store_true")
    p = command("doctor", cmd_doctor, "check that the archive and the database agree")
    p.add_argument("--verify", action="store_true", help="also re-hash every archived file")
    p = command("templates", cmd_templates_check, "check the document templates")
    p.add_argument("action", choices=["check"])
    p = command("user", cmd_user_add, "manage status-page accounts")
    p.add_argument("action", choices=["add"])
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["coordinator", "viewer", "admin"])
    p = command("backup", cmd_backup, "a consistent snapshot of the database and the archive")
    p.add_argument("dir", help="a new folder for this backup")
    p = command("restore", cmd_restore, "restore a backup made by `mailflow backup`")
    p.add_argument("dir", help="the backup folder")
    p.add_argument(
        "--force", action="store_true", help="replace a database and archive that hold data"
    )
    p = command(
        "install-units",
        cmd_install_units,
        "write systemd units for the daemon and the status page (starts nothing)",
    )
    p.add_argument("--user", default="mailflow", help="system user of the daemon")
    p.add_argument("--web-user", help="system user of the status page (default: --user)")
    p.add_argument("--dest", default="/etc/systemd/system", help="where the units go")
    p.add_argument(
        "--env-dir", default="/etc/mailflow", help="folder of the secrets' environment files"
    )
    p.add_argument("--force", action="store_true", help="replace units that differ")
    p = command("quarantine", cmd_quarantine, "list, retry or dismiss quarantined messages")
    p.add_argument("action", choices=["list", "retry", "dismiss"])
    p.add_argument("id", nargs="?", type=int)
    p.add_argument("--note", default="")
    p = command("outbox", cmd_outbox, "list e-mails that need a person; resend or mark sent")
    p.add_argument("action", choices=["list", "resend", "mark-sent"])
    p.add_argument("id", nargs="?", type=int)
    p = command(
        "export-case",
        cmd_export_case,
        "write a year's case as an archival package (NES metadata, case register, BIP page)",
    )
    p.add_argument("year", type=int, help="the campaign's year")
    p.add_argument("dir", help="an empty folder for the package")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF copies (LibreOffice)")
    p = command(
        "retention",
        cmd_retention,
        "list what may be disposed of and when; dispose of it when a person confirms",
    )
    p.add_argument("action", nargs="?", default="list", choices=["list", "dispose"])
    p.add_argument("item", nargs="?", help="YEAR:CLASS, as the list shows it")
    p.add_argument("--json", action="store_true")
    p.add_argument("--confirm", action="store_true", help="really dispose of it")
    p.add_argument("--assessment", help="BE only: the reference of the state archive's assessment")
    p.add_argument("--actor", help="who confirms (default: cli)")
    p = command("campaign", cmd_campaign, "act on a campaign as the coordinator would by e-mail")
    p.add_argument("action", help="start | show | approve | return | record-contract | ...")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], Any] = args.handler
    try:
        return int(handler(args) or 0)
    except ConfigError as error:
        for problem in error.problems:
            print(f"config error: {problem}", file=sys.stderr)
        return 1
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        if not logging.getLogger().handlers:
            setup_logging()
        log.exception("internal error in `mailflow %s`", args.command)
        print("internal error: see the log above; please report it", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
