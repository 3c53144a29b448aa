"""Generator of the unseen corpus (issue 19): realistic replies to the IN-13 campaign 2027.

Written from knowledge of what mail clients and servers produce, independently of mailflow's
reader. Deterministic (fixed seed, fixed timestamps). Writes tuning/ (two thirds) and
holdout/ (every third message of each category) with an expected.json each, then checks
itself: every .eml parses with Python's email package and every expected amount, token and
NIP appears in the message text or its attachments.

    /work/main/.venv/bin/python tests/data/unseen/make_unseen.py
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docs_kit as dk
from base import HERE, ITEMS
from categories import build_part1
from categories2 import build_part2
from mimekit import nip_valid


def main() -> None:
    build_part1()
    build_part2()
    write_out()


def write_out() -> None:
    for sub in ("tuning", "holdout"):
        d = HERE / sub
        if d.exists():
            shutil.rmtree(d)
        d.mkdir()
    records: dict[str, list[dict[str, Any]]] = {"tuning": [], "holdout": []}
    counters: dict[str, int] = {}
    for it in ITEMS:
        n = counters.get(it.category, 0)
        counters[it.category] = n + 1
        folder = "holdout" if n % 3 == 2 else "tuning"
        fname = f"{it.category}_{n + 1:02d}_{it.slug}.eml"
        (HERE / folder / fname).write_bytes(it.raw)
        rec = {"file": fname, "category": it.category, **it.exp}
        records[folder].append(rec)
    for folder, recs in records.items():
        (HERE / folder / "expected.json").write_text(
            json.dumps(recs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    self_check(records)
    summary: dict[str, dict[str, int]] = {}
    for folder, recs in records.items():
        for r in recs:
            summary.setdefault(r["category"], {"tuning": 0, "holdout": 0})[folder] += 1
    print(f"{'category':22} tuning holdout")
    for cat, c in summary.items():
        print(f"{cat:22} {c['tuning']:6} {c['holdout']:7}")
    print(f"{'total':22} {len(records['tuning']):6} {len(records['holdout']):7}")


def _all_text(path: Path) -> str:
    import email
    from email import policy

    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    chunks: list[str] = [str(msg.get("Subject", ""))]

    def walk(m: Any) -> None:
        for part in m.walk():
            ctype = part.get_content_type()
            if part.is_multipart():
                continue
            if ctype == "message/rfc822":
                continue
            payload = part.get_payload(decode=True)
            if payload is None:
                chunks.append(str(part.get_payload()))
                continue
            fn = part.get_filename()
            if fn:
                chunks.append(dk.extract_text(fn, payload))
            else:
                chunks.append(payload.decode("utf-8", "replace"))
                chunks.append(payload.decode("cp1250", "replace"))

    walk(msg)
    return "\n".join(chunks)


def self_check(records: dict[str, list[dict[str, Any]]]) -> None:
    import email
    from email import policy

    problems = []
    for folder, recs in records.items():
        for r in recs:
            p = HERE / folder / r["file"]
            msg = email.message_from_bytes(p.read_bytes(), policy=policy.default)
            if not msg.get("From") or msg.get_content_type() is None:
                problems.append(f"{r['file']}: does not parse")
            text = html.unescape(_all_text(p))
            # "14,5 tys. zł" states 14 500
            text += " " + " ".join(
                str(int(Decimal(f"{a}.{b}") * 1000))
                for a, b in re.findall(r"(\d+),(\d+) tys\.", text)
            )
            flat = re.sub(r"[\s\u00a0\u202f.,']", "", text)
            amounts = [r.get("net"), r.get("gross")]
            for alt in r.get("alternatives", []):
                amounts += [alt.get("net"), alt.get("gross")]
            for a in amounts:
                if a is None:
                    continue
                ip, fp = a.split(".")
                needle = ip + (fp if fp != "00" else "")
                if needle not in flat:
                    problems.append(f"{r['file']}: amount {a} not in the message")
            tok = r.get("token")
            if tok is not None:
                if not re.fullmatch(r"[0-9a-hj-km-np-tv-z]{8,16}", tok):
                    problems.append(f"{r['file']}: bad token {tok}")
                if tok not in p.read_bytes().decode("latin-1"):
                    problems.append(f"{r['file']}: token {tok} not in the message")
            nip = r.get("vendor_nip")
            if nip is not None and not nip_valid(nip) and "invalid_nip" not in r.get("note", ""):
                problems.append(f"{r['file']}: invalid NIP {nip}")
            if nip is not None and nip not in re.sub(r"[-\s]", "", text):
                problems.append(f"{r['file']}: NIP {nip} not in the message")
    if problems:
        print("\n".join(problems))
        raise SystemExit(f"self-check: {len(problems)} problem(s)")
    print("self-check: every message parses; every expected amount, token and NIP is present")


if __name__ == "__main__":
    main()
