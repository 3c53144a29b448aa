"""Benchmark: analyse_file on 100 000 respondents x 30 questions in XLSX, beside pandas.

    .venv/bin/python bench/results.py [--respondents N] [--questions K] [--keep]

Generates the file once into a temporary folder (openpyxl write-only mode), then runs, each
in its own fresh interpreter so that peak memory (max RSS) is measured separately:

* mailflow: ``analyse_file(path)`` (calamine + numpy; per question weighted and unweighted
  figures, the segments, the irregularity rules; this includes a second read of the sheet's
  XML, in a thread beside calamine, for error and TRUE/FALSE cells calamine cannot show);
* baseline: ``pandas.read_excel(engine="openpyxl")`` plus the same per-question statistics and
  per-department means with pandas/numpy/scipy.

Prints time and peak memory of each and the ratio. Targets: mailflow < 5 s and >= 5x faster.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

LABELS = [
    "zdecydowanie niezadowolony",
    "raczej niezadowolony",
    "ani zadowolony, ani niezadowolony",
    "raczej zadowolony",
    "zdecydowanie zadowolony",
]
DONT_KNOW = "trudno powiedzieć"
DEPARTMENTS = [
    "Biuro Obsługi Klienta",
    "Wydział Komunikacji",
    "Urząd Stanu Cywilnego",
    "Wydział Podatków i Opłat",
    "Wydział Geodezji",
    "Wydział Architektury",
]


def rows(respondents: int, questions: int) -> Iterator[list[object]]:
    rng = random.Random(7)
    header: list[object] = ["Nr ankiety", "Komórka organizacyjna"]
    header += [f"P{k}. Pytanie numer {k}" for k in range(1, questions + 1)]
    header.append("Waga")
    yield header
    answers = [*LABELS, *LABELS[2:], *LABELS[3:], DONT_KNOW, None]
    for i in range(respondents):
        row: list[object] = [f"2027/{i + 1:06d}", rng.choice(DEPARTMENTS)]
        row += [rng.choice(answers) for _ in range(questions)]
        row.append(round(rng.uniform(0.5, 1.5), 4))
        yield row


def generate_openpyxl(path: Path, respondents: int, questions: int) -> None:
    """openpyxl write-only mode: it stores every text as an inline string (a larger file)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dane")
    for row in rows(respondents, questions):
        sheet.append(row)
    workbook.save(path)


def generate_shared(path: Path, respondents: int, questions: int) -> None:
    """A minimal XLSX with a shared-string table, as Excel and LibreOffice write it."""
    strings: dict[str, int] = {}
    parts: list[str] = []
    for r, row in enumerate(rows(respondents, questions), start=1):
        cells = []
        for j, value in enumerate(row):
            ref = f"{get_column_letter(j + 1)}{r}"
            if value is None:
                continue
            if isinstance(value, str):
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="appli'
            'cation/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override'
            ' PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats'
            '-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrin'
            'gs.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sch'
            'emas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
            '"xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Dane" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sch'
            'emas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="work'
            'sheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.o'
            'rg/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(strings)}"'
            f' uniqueCount="{len(strings)}">{shared}</sst>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            f"{''.join(parts)}</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def run_mailflow(path: Path) -> dict[str, object]:
    from mailflow.results import analyse_file

    started, cpu = time.perf_counter(), time.process_time()
    report = analyse_file(path)
    data = report.to_json()
    seconds = time.perf_counter() - started
    first = data["questions"][0]
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "questions": len(data["questions"]),
        "respondents": data["respondents"],
        "q1_mean": first["mean"],
    }


def run_baseline(path: Path) -> dict[str, object]:
    import numpy as np
    import pandas as pd
    from scipy import stats

    started, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_excel(path, sheet_name="Dane", engine="openpyxl")
    scores = {label: k for k, label in enumerate(LABELS, start=1)}
    weights_all = frame["Waga"].to_numpy(dtype=float)
    z = stats.norm.ppf(0.975)
    results = []
    question_columns = [c for c in frame.columns if str(c).startswith("P")]
    for column in question_columns:
        coded = frame[column].map(scores)
        valid = coded.notna().to_numpy()
        x = coded.to_numpy(dtype=float)[valid]
        w = weights_all[valid]
        figures = {}
        for weights in (None, w):
            if weights is None:
                n_eff = float(x.size)
                mean = x.mean()
                var = x.var(ddof=1)
                p = (x >= 4).mean()
            else:
                n_eff = weights.sum() ** 2 / (weights**2).sum()
                mean = np.average(x, weights=weights)
                var = np.average((x - mean) ** 2, weights=weights) * n_eff / (n_eff - 1)
                p = np.average(x >= 4, weights=weights)
            t = stats.t.ppf(0.975, n_eff - 1)
            half = t * np.sqrt(var / n_eff)
            denominator = 1 + z * z / n_eff
            centre = (p + z * z / (2 * n_eff)) / denominator
            wilson = z * np.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff**2)) / denominator
            figures["w" if weights is not None else "u"] = (
                mean,
                mean - half,
                mean + half,
                p,
                centre - wilson,
                centre + wilson,
            )
        distribution = coded.value_counts().to_dict()
        by_department = (
            pd.DataFrame({"d": frame["Komórka organizacyjna"], "x": coded})
            .dropna()
            .groupby("d")["x"]
            .agg(["mean", "std", "count"])
        )
        results.append((figures, distribution, by_department))
    seconds = time.perf_counter() - started
    return {
        "cpu_seconds": time.process_time() - cpu,
        "seconds": seconds,
        "questions": len(results),
        "respondents": len(frame),
        "q1_mean": round(float(results[0][0]["w"][0]), 6),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its own program.

    Not ``ru_maxrss``: Linux carries that over an exec from the process that forked us (here
    the parent that generated the file), so both children reported the parent's peak.
    ``VmHWM`` belongs to the new program's memory alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, path: Path) -> None:
    result = run_mailflow(path) if kind == "mailflow" else run_baseline(path)
    result["peak_mb"] = peak_rss_mb()
    print(json.dumps(result))


def measure(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument(
        "--writer",
        choices=("shared", "openpyxl"),
        default="shared",
        help="shared strings as Excel writes them (default), or openpyxl write-only mode "
        "(inline strings: a file about twice as large)",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    folder = Path(tempfile.mkdtemp(prefix="mailflow-bench-"))
    path = folder / f"results_{args.respondents}x{args.questions}_{args.writer}.xlsx"
    started = time.perf_counter()
    writer = generate_shared if args.writer == "shared" else generate_openpyxl
    writer(path, args.respondents, args.questions)
    print(
        f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    ours = measure("mailflow", path)
    base = measure("baseline", path)
    if abs(float(ours["q1_mean"]) - float(base["q1_mean"])) > 1e-6:
        print(f"WARNING: Q1 weighted means differ: {ours['q1_mean']} vs {base['q1_mean']}")
    for name, result in (("mailflow analyse_file", ours), ("pandas.read_excel+stats", base)):
        print(
            f"{name:24} {result['seconds']:7.2f} s wall  {result['cpu_seconds']:7.2f} s CPU  "
            f"peak RSS {result['peak_mb']:5.0f} MB"
        )
    print(
        f"speed-up: {base['seconds'] / ours['seconds']:.1f}x wall, "
        f"{base['cpu_seconds'] / ours['cpu_seconds']:.1f}x CPU (targets: < 5 s, >= 5x); "
        f"peak memory ratio (baseline / mailflow): {base['peak_mb'] / ours['peak_mb']:.2f}"
    )
    if not args.keep:
        path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
