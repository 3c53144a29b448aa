"""The daemon: mailbox intake, outbox, the procedure's timers and the status page.

Intake runs in its own thread (IDLE blocks a connection); everything periodic runs under an
APScheduler 3 ``BackgroundScheduler`` whose jobs are stored in the same database, so a job
that should have run while the daemon was down runs once (coalesced) after the restart.
Every job runs one instance at a time.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import Any

from mailflow.app import App, open_app
from mailflow.config import Config
from mailflow.errors import MailflowError, UserError
from mailflow.intake import Act, IntakeStats, poll_once, run_intake_loop
from mailflow.logs import log_context, setup_logging
from mailflow.outbox import flush_outbox

log = logging.getLogger(__name__)

AppJob = Callable[[App], Any]
# A job late by less than this after downtime still runs (once: coalesce).
MISFIRE_GRACE_S = 7 * 24 * 3600
YEARLY_EVERY_S = 3600

# Jobs kept in the database are stored by reference ("mailflow.daemon:job_outbox") and so
# cannot carry the App; the running daemon puts it here.
_runtime: dict[str, Any] = {}
_outbox_lock = threading.Lock()


def _no_job(_: App) -> None:
    return None


def procedure_handlers() -> tuple[Act, AppJob, AppJob]:
    """The procedure's handle_message, run_due and start_yearly_if_due, wired to the intake."""
    from mailflow.intake import on_quarantine
    from mailflow.procedure import handle_message, run_due, start_yearly_if_due
    from mailflow.procedure import on_quarantine as tell_coordinator

    on_quarantine(tell_coordinator)
    return handle_message, run_due, start_yearly_if_due


def _timed(name: str, work: Callable[[], object]) -> bool:
    """Run one unit of work and log one line about it; False when it failed."""
    started = time.monotonic()
    try:
        result = work()
    except MailflowError as error:
        log.warning("%s failed: %s", name, error, extra=log_context(job=name))
        return False
    except Exception:
        log.exception("%s crashed", name, extra=log_context(job=name))
        return False
    ms = round((time.monotonic() - started) * 1000, 1)
    if result:
        shown = result if isinstance(result, int | str) else type(result).__name__
        log.info("%s done", name, extra=log_context(job=name, result=shown, ms=ms))
    return True


def flush(app: App) -> int:
    """One outbox flush at a time in this process (the row update guards other processes)."""
    with _outbox_lock:
        return flush_outbox(app)


def job_outbox() -> None:
    _timed("outbox", lambda: flush(_runtime["app"]))


def job_due() -> None:
    _timed("due", lambda: _runtime["due"](_runtime["app"]))


def job_yearly() -> None:
    _timed("yearly", lambda: _runtime["yearly"](_runtime["app"]))


def _intervals(config: Config) -> dict[str, int]:
    poll = max(1, config.imap.poll_seconds)
    return {
        "outbox": max(1, min(poll, 30)),
        "due": max(1, min(poll * 5, 300)),
        "yearly": max(1, min(poll * 60, YEARLY_EVERY_S)),
    }


def build_scheduler(app: App) -> Any:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S},
        timezone="UTC",
    )
    return scheduler


def _ensure_jobs(scheduler: Any, config: Config) -> None:
    """Add the periodic jobs once; keep their stored next run time across restarts."""
    from apscheduler.triggers.interval import IntervalTrigger

    functions = {"outbox": job_outbox, "due": job_due, "yearly": job_yearly}
    for name, seconds in _intervals(config).items():
        job = scheduler.get_job(name)
        wanted = timedelta(seconds=seconds)
        if job is None:
            scheduler.add_job(functions[name], IntervalTrigger(seconds=seconds), id=name, name=name)
        elif getattr(job.trigger, "interval", None) != wanted:
            job.reschedule(IntervalTrigger(seconds=seconds))


def stop_scheduler(scheduler: Any) -> None:
    """Stop without consuming a due run: APScheduler 3 processes the job store once more
    after its executor is gone, which would mark an overdue job as run. Detaching the store
    first (its rows stay in the database) avoids that."""
    scheduler.pause()
    scheduler.remove_jobstore("default", shutdown=True)
    scheduler.shutdown(wait=True)


def _web_server(app: App, threads: int) -> Any:
    """The one door from the core to the status page (ImportError: it is not installed)."""
    from web_status import create_server

    # waitress's own thread count and Server header, as before the page had its door.
    return create_server(app, threads=threads, ident="waitress")


def _serve_web(app: App) -> Any | None:
    """The status page in a thread (waitress); None when it cannot be loaded."""
    try:
        server = _web_server(app, threads=4)
    except ImportError as error:
        log.warning("status page not available: %s", error)
        return None
    threading.Thread(target=server.run, name="web", daemon=True).start()
    log.info(
        "status page listening",
        extra=log_context(bind=app.config.web.bind, port=app.config.web.port),
    )
    return server


def run_once(app: App, act: Act, due: AppJob, yearly: AppJob) -> int:
    """One full pass: the yearly start, all new mail, what is due, the outbox."""
    stats = IntakeStats()

    def intake() -> str:
        stats.add(poll_once(app, act))
        return (
            f"seen={stats.seen} ours={stats.ours} processed={stats.processed} "
            f"quarantined={stats.quarantined}"
        )

    results = [
        _timed("yearly", lambda: yearly(app)),
        _timed("intake", intake),
        _timed("due", lambda: due(app)),
        _timed("outbox", lambda: flush(app)),
    ]
    return 0 if all(results) else 1


def run_daemon(
    config: Config,
    once: bool = False,
    act: Act | None = None,
    due: AppJob | None = None,
    yearly: AppJob | None = None,
) -> int:
    """``mailflow run``: until SIGTERM/SIGINT (exit 0), or one pass with ``once``."""
    setup_logging(config.logging.level, config.logging.format, config.secrets)
    if act is None or due is None or yearly is None:
        default_act, default_due, default_yearly = procedure_handlers()
        act, due, yearly = act or default_act, due or default_due, yearly or default_yearly
    app = open_app(config)
    try:
        if once:
            return run_once(app, act, due, yearly)
        return _run_forever(app, act, due, yearly)
    finally:
        app.close()


def _run_forever(app: App, act: Act, due: AppJob, yearly: AppJob) -> int:
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping on signal %s", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    _runtime.update(app=app, due=due, yearly=yearly)
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    _ensure_jobs(scheduler, app.config)
    scheduler.resume()

    def after_poll(stats: IntakeStats) -> None:
        # A processed message may have queued a reply: send it now, not at the next tick.
        if stats.processed or stats.quarantined:
            job = scheduler.get_job("outbox")
            if job is not None:
                job.modify(next_run_time=app.clock.now())

    intake = threading.Thread(
        target=run_intake_loop, args=(app, act, stop, after_poll), name="intake", daemon=True
    )
    intake.start()
    web = _serve_web(app) if app.config.web.enabled else None
    log.info("daemon started", extra=log_context(folder=app.config.imap.folder))
    try:
        while not stop.wait(1.0):
            if not intake.is_alive():
                log.error("intake thread ended unexpectedly; stopping")
                break
    finally:
        stop.set()
        stop_scheduler(scheduler)
        intake.join(timeout=30)
        if web is not None:
            web.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _runtime.clear()
        log.info("daemon stopped")
    return 0


def run_web(config: Config) -> int:
    """``mailflow web``: the status page alone, until interrupted."""
    setup_logging(config.logging.level, config.logging.format, config.secrets)
    app = open_app(config)
    try:
        try:
            server = _web_server(app, threads=4)
        except ImportError as error:
            raise UserError(f"the status page is not installed: {error}") from None
        server.print_listen("Serving on http://{}:{}")
        server.run()
    finally:
        app.close()
    return 0
