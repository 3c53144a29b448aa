"""Benchmark: the status page under 20 concurrent logged-in clients, on ten years of history.

    .venv/bin/python bench/web.py [--folder DIR] [--requests 400] [--concurrency 20]

It builds (once; kept in ``--folder``) a database of ten campaign years through the models
(bench/history.py: about 3 000 messages in, 8 000 out, 500 quarantine entries), serves it with
the production server (waitress, as ``mailflow web`` does), logs in as a viewer, and drives
every page with ApacheBench (``ab``; Debian's ``apache2-utils``), a real HTTP load generator
written in C, so the clients do not steal the server's interpreter. For each page it prints
p50/p95/p99 and requests/s beside the baseline measured in the same run: a static file from
the same server, which is what waitress and the login check cost with no page work at all.

Target (issue 22): on 2 cores, every page's p95 < 100 ms with 20 concurrent clients.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.history import Scale, build_history, open_bench_app
from mailflow import accounts
from mailflow.app import App

PASSWORD = "bench-viewer-Pass-2027"


def pages(app: App) -> list[tuple[str, str]]:
    from sqlalchemy import func, select

    from mailflow.db import models

    with app.sessions() as s:
        message = s.scalar(select(func.max(models.Message.id)))
        outbox = s.scalar(select(func.max(models.OutboxMessage.id)))
        document = s.scalar(select(func.max(models.Document.id)))
    return [
        ("static file (baseline)", "/static/app.css"),
        ("dashboard", "/"),
        ("campaign 2027", "/campaigns/2027"),
        ("campaign 2019", "/campaigns/2019"),
        ("messages", "/messages"),
        ("message", f"/messages/{message}"),
        ("outbox e-mail", f"/outbox/{outbox}"),
        ("quarantine", "/quarantine"),
        ("document", f"/documents/{document}"),
        ("api status", "/api/status"),
        ("api messages", "/api/messages"),
        ("healthz", "/healthz"),
    ]


def login(port: int) -> str:
    """The session cookie of a viewer, got through the real login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert token, "no CSRF token on the login page"
    form = f"csrf_token={token.group(1)}&username=benchviewer&password={PASSWORD}&next="
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    connection.request("POST", "/login", body=form, headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 302, f"login failed: {response.status}"
    return response.getheader("Set-Cookie", "").split(";")[0]


def run_ab(port: int, path: str, cookie: str, requests: int, concurrency: int) -> dict[str, float]:
    url = f"http://127.0.0.1:{port}{path}"
    done = subprocess.run(
        ["ab", "-q", "-k", "-n", str(requests), "-c", str(concurrency), "-C", cookie, url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    percent = {int(p): float(ms) for p, ms in re.findall(r"^\s+(\d+)%\s+(\d+)", out, re.M)}
    return {
        "p50": percent[50],
        "p95": percent[95],
        "p99": percent[99],
        "rps": rps,
        "errors": failed + (int(non2xx.group(1)) if non2xx else 0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="status page under load")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args(argv)
    if shutil.which("ab") is None:
        print("bench/web.py needs ApacheBench: apt-get install apache2-utils", file=sys.stderr)
        return 1
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mailflow-bench-web-"))
    fresh = not (folder / "data" / "mailflow.sqlite3").exists()
    app = open_bench_app(folder)
    if fresh:
        build_history(app, Scale(years=args.years))
        os.environ["MAILFLOW_NEW_PASSWORD"] = PASSWORD
        accounts.add_user(app, "benchviewer", "viewer", PASSWORD)
    from web_status import create_server

    # waitress warns of every queued task: that queue is what this benchmark measures.
    logging.getLogger("waitress").setLevel(logging.ERROR)

    server = create_server(app, host="127.0.0.1", port=0)
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
    cookie = login(port)
    print(f"{args.years} years of history, {args.concurrency} clients, {args.requests} requests")
    print(f"{'page':24} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>8} {'errors':>6}")
    worst = 0.0
    for name, path in pages(app):
        run_ab(port, path, cookie, min(40, args.requests), args.concurrency)  # warm up
        r = run_ab(port, path, cookie, args.requests, args.concurrency)
        if not path.startswith("/static"):
            worst = max(worst, r["p95"])
        print(
            f"{name:24} {r['p50']:7.0f} {r['p95']:7.0f} {r['p99']:7.0f} {r['rps']:8.1f}"
            f" {r['errors']:6.0f}"
        )
    print(f"worst page p95: {worst:.0f} ms (target < 100 ms)")
    app.close()
    # No server.close(): waitress' worker threads would write to its closed trigger pipe.
    return 0


if __name__ == "__main__":
    sys.exit(main())
