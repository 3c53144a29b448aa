"""Score `mailflow parse --json` on a corpus folder (issue 19), from the JSON contract only.

    PYTHONPATH=$PWD /work/main/.venv/bin/python tests/data/unseen/score.py tests/data/unseen/tuning
    ... score.py FOLDER --json        # the figures, machine-readable
    ... score.py FOLDER --details     # also say, per file, what did not match (tuning only!)

A reading is *right* when the kind matches and, for a quote, net, gross, vat_rate and currency
match (as decimals); for a bounce, recipient and permanent; for a decision, the verdict; and
needs_review equals the expected value (an expected `true` must be flagged; an expected
`false` must not be). `also_ok` in a record lists further accepted values per field.
A reading that is not right is *flagged* when needs_review is true, and a *confident error*
when needs_review is false. A run that exits non-zero or prints no JSON is *failed*.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any


def _money(v: Any) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(str(v)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("-1")  # never equal to a real amount


def _rate(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip().lower().rstrip("%").strip()
    try:
        return str(Decimal(s).normalize())
    except InvalidOperation:
        return s.rstrip(".")


def _same(field: str, got: Any, want: Any) -> bool:
    if field in ("net", "gross"):
        return _money(got) == _money(want)
    if field == "vat_rate":
        return _rate(got) == _rate(want)
    if field == "currency":
        return (got or "").upper() == (want or "").upper() if (got or want) else True
    if field == "recipient":
        return (got or "").strip().lower() == (want or "").strip().lower()
    return got == want


def _accepts(field: str, got: Any, want: Any, also: dict[str, list[Any]]) -> bool:
    return any(_same(field, got, w) for w in [want, *also.get(field, [])])


def judge(exp: dict[str, Any], out: dict[str, Any]) -> tuple[bool, list[str]]:
    """(right, reasons it is not)."""
    also: dict[str, list[Any]] = exp.get("also_ok") or {}
    why: list[str] = []
    kind = out.get("kind")
    if kind != exp["kind"] and kind not in also.get("kind", []):
        why.append(f"kind {kind} (expected {exp['kind']})")
    elif kind == exp["kind"]:
        if kind == "quote":
            qd = out.get("quote") or {}
            got = {f: qd.get(f) for f in ("net", "gross", "vat_rate", "currency")}
            pairs_ok = _accepts("net", got["net"], exp.get("net"), also) and _accepts(
                "gross", got["gross"], exp.get("gross"), also
            )
            for alt in exp.get("alternatives") or []:
                if _same("net", got["net"], alt.get("net")) and _same(
                    "gross", got["gross"], alt.get("gross")
                ):
                    pairs_ok = True
            if not pairs_ok:
                why.append(
                    f"net/gross {got['net']}/{got['gross']} "
                    f"(expected {exp.get('net')}/{exp.get('gross')})"
                )
            for f in ("vat_rate", "currency"):
                if not _accepts(f, got[f], exp.get(f), also):
                    why.append(f"{f} {got[f]} (expected {exp.get(f)})")
        elif kind == "bounce":
            b = out.get("bounce") or {}
            want = exp.get("bounce") or {
                "recipient": exp.get("recipient"),
                "permanent": exp.get("permanent"),
            }
            if not _accepts("recipient", b.get("recipient"), want.get("recipient"), also):
                why.append(f"recipient {b.get('recipient')} (expected {want.get('recipient')})")
            if not _accepts("permanent", b.get("permanent"), want.get("permanent"), also):
                why.append(f"permanent {b.get('permanent')} (expected {want.get('permanent')})")
        elif kind == "decision":
            d = out.get("decision") or {}
            want = (exp.get("decision") or {}).get("verdict", exp.get("verdict"))
            if not _accepts("verdict", d.get("verdict"), want, also):
                why.append(f"verdict {d.get('verdict')} (expected {want})")
    nr = bool(out.get("needs_review"))
    if not _accepts("needs_review", nr, bool(exp["needs_review"]), also):
        why.append(f"needs_review {nr} (expected {exp['needs_review']})")
    return not why, why


def run_parse(path: Path, python: str, timeout: float) -> dict[str, Any] | None:
    try:
        p = subprocess.run(
            [python, "-m", "mailflow.cli", "parse", str(path), "--json"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        return None
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError:
        return None
    return out if isinstance(out, dict) else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--details", action="store_true", help="per-file mismatches (not on holdout)")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs mailflow")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)

    records = json.loads((args.folder / "expected.json").read_text(encoding="utf-8"))
    cats: dict[str, dict[str, int]] = {}
    details: list[str] = []
    progress_numbers = {"stated": 0, "read": 0}
    for rec in records:
        cat = rec.get("category") or rec["kind"]
        c = cats.setdefault(
            cat, {"n": 0, "right": 0, "flagged": 0, "confident_errors": 0, "failed": 0}
        )
        c["n"] += 1
        out = run_parse(args.folder / rec["file"], args.python, args.timeout)
        if out is None:
            c["failed"] += 1
            details.append(f"FAILED     {rec['file']}: parse exited non-zero or printed no JSON")
            continue
        right, why = judge(rec, out)
        if right:
            c["right"] += 1
        elif out.get("needs_review"):
            c["flagged"] += 1
            details.append(f"flagged    {rec['file']}: {'; '.join(why)}")
        else:
            c["confident_errors"] += 1
            details.append(f"CONFIDENT  {rec['file']}: {'; '.join(why)}")
        want = rec.get("progress") or {}
        if want.get("done") is not None:
            progress_numbers["stated"] += 1
            got = (out.get("progress") or {}) if out.get("kind") == "progress" else {}
            if got.get("done") == want["done"] and (
                want.get("target") is None or got.get("target") == want["target"]
            ):
                progress_numbers["read"] += 1

    total = {
        k: sum(c[k] for c in cats.values())
        for k in ("n", "right", "flagged", "confident_errors", "failed")
    }
    if args.json:
        print(
            json.dumps(
                {
                    "folder": str(args.folder),
                    "total": total,
                    "categories": cats,
                    "progress_numbers": progress_numbers,
                },
                indent=1,
            )
        )
        return 0
    n = total["n"] or 1
    print(f"folder: {args.folder}  ({total['n']} messages)")
    print(f"read right:          {total['right']:4}  ({100 * total['right'] / n:.1f} %)")
    print(f"confident errors:    {total['confident_errors']:4}")
    print(f"flagged for review:  {total['flagged']:4}")
    print(f"parse failed:        {total['failed']:4}")
    print(
        f"progress numbers read (of those stated; informational): "
        f"{progress_numbers['read']}/{progress_numbers['stated']}"
    )
    print()
    print(f"{'category':22} {'n':>4} {'right':>6} {'flagged':>8} {'conf.err':>9} {'failed':>7}")
    for cat, c in cats.items():
        print(
            f"{cat:22} {c['n']:4} {c['right']:6} {c['flagged']:8} {c['confident_errors']:9} "
            f"{c['failed']:7}"
        )
    if args.details and details:
        print()
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
