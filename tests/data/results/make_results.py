"""Writes the survey result files a firm may deliver, and what each must read as.

    .venv/bin/python tests/data/results/make_results.py

Deterministic (``random.Random`` with a fixed seed, fixed zip dates, the SPSS header's date
overwritten): running it again rewrites the same bytes. ``expected.json`` is computed here
from the answers as generated, with numpy and the textbook formulas (t interval, Wilson,
Kish's n_eff, the finite-population factor, the NPS trinomial variance), never by running
mailflow's reader: the tests compare the two.

Every file holds the same 120 respondents (the forms exports leave out what forms do not
have: id, department, weight), so one set of expected figures serves each layout.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent
SEED = 20
N = 120
POPULATION = 1500  # clients served in the survey period, for the finite-population case
ZIP_DATE = (2027, 6, 30, 12, 0, 0)

DEPARTMENTS = {1: "Biuro Obsługi Klienta", 2: "Wydział Komunikacji", 3: "Wydział Podatków i Opłat"}
SATISFACTION = {
    1: "zdecydowanie niezadowolony",
    2: "raczej niezadowolony",
    3: "ani zadowolony, ani niezadowolony",
    4: "raczej zadowolony",
    5: "zdecydowanie zadowolony",
    9: "trudno powiedzieć",
}
# P5 is coded best first, as firms often do: 1 = tak ... 4 = nie.
YES_NO = {1: "tak", 2: "raczej tak", 3: "raczej nie", 4: "nie", 9: "trudno powiedzieć"}
YES_NO_SCORE = {1: 5, 2: 4, 3: 2, 4: 1}
QUESTIONS = {
    "P1": "Na ile jest Pan/Pani zadowolony/a z uprzejmości pracowników?",
    "P2": "Na ile jest Pan/Pani zadowolony/a z czasu oczekiwania na obsługę?",
    "P3": "Na ile jest Pan/Pani zadowolony/a z kompetencji pracowników?",
    "P4": "Na ile jest Pan/Pani zadowolony/a z warunków w sali obsługi?",
    "P5": "Czy sprawa została załatwiona podczas jednej wizyty?",
    "P6": "Jak prawdopodobne jest, że poleci Pan/Pani nasz urząd znajomym? (0-10)",
}
COMMENTS = [
    "",
    "Bardzo miła obsługa, dziękuję",
    'Pani w okienku 3 powiedziała: "proszę przyjść jutro", a ja przyszedłem już drugi raz',
    "Za długo; kolejka, brak numerków",
    "Źle oznakowane wejście,\nbrak windy",
    "Wszystko w porządku",
    'Ocena "średnio", bo system padł',
]
MISSING_NPS = 99


# ----------------------------------------------------------------------- answers


def make_people() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    people = []
    for i in range(N):
        department = rng.choice([1, 1, 2, 2, 3])
        bias = {1: 0.6, 2: 0.0, 3: -0.4}[department]
        person: dict[str, Any] = {"id": f"2027/{i + 1:04d}", "komorka": department}
        for q in ("P1", "P2", "P3", "P4"):
            roll = rng.random()
            if roll < 0.04:
                person[q] = None  # blank
            elif roll < 0.10:
                person[q] = 9  # trudno powiedzieć
            else:
                person[q] = max(1, min(5, round(rng.gauss(3.6 + bias, 1.0))))
        roll = rng.random()
        person["P5"] = 9 if roll < 0.05 else rng.choice([1, 1, 1, 2, 2, 3, 4])
        roll = rng.random()
        if roll < 0.05:
            person["P6"] = MISSING_NPS
        else:
            person["P6"] = max(0, min(10, round(rng.gauss(7.4 + bias, 2.2))))
        person["uwagi"] = rng.choice(COMMENTS)
        person["waga"] = round(rng.uniform(0.5, 1.6), 4)
        minute = rng.randrange(60 * 24 * 20)
        person["when"] = (12 + minute // (60 * 24), (minute // 60) % 24, minute % 60)
        people.append(person)
    return people


def score(q: str, code: Any) -> float | None:
    """The 1-5 score of a code (None: missing), as the contract scores it."""
    if code is None:
        return None
    if q == "P6":
        return None if code == MISSING_NPS else 1 + 0.4 * code
    if code == 9:
        return None
    return float(YES_NO_SCORE[code]) if q == "P5" else float(code)


# ------------------------------------------------------------- expected figures


def t_interval(x: np.ndarray, w: np.ndarray | None, fpc: float = 1.0) -> dict[str, Any]:
    """Mean, sd, t interval; weighted with Kish's n_eff (the contract's method)."""
    if w is None:
        n_eff = float(x.size)
        mean = float(x.mean())
        sd = float(x.std(ddof=1))
    else:
        n_eff = float(w.sum() ** 2 / (w**2).sum())
        mean = float((w * x).sum() / w.sum())
        sd = math.sqrt(float((w * (x - mean) ** 2).sum() / w.sum()) * n_eff / (n_eff - 1))
    half = float(stats.t.ppf(0.975, n_eff - 1)) * sd / math.sqrt(n_eff) * math.sqrt(fpc)
    return {"mean": mean, "sd": sd, "n_eff": n_eff, "ci95": [mean - half, mean + half]}


def wilson(p: float, n: float) -> list[float]:
    z = float(stats.norm.ppf(0.975))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [centre - half, centre + half]


def question_figures(
    people: list[dict[str, Any]], q: str, weighted: bool, population: int | None = None
) -> dict[str, Any]:
    scores = [score(q, p[q]) for p in people]
    valid = np.array([s is not None for s in scores])
    x = np.array([s for s in scores if s is not None], dtype=float)
    w = np.array([p["waga"] for p in people], dtype=float)[valid] if weighted else None
    fpc = 1 - len(people) / population if population else 1.0
    figures = t_interval(x, w, fpc)
    top = (x >= 4).astype(float)
    p = float(top.mean()) if w is None else float((w * top).sum() / w.sum())
    figures.update(
        n=int(x.size),
        missing=len(people) - int(x.size),
        top2_share=p,
        top2_ci95=wilson(p, figures["n_eff"] / fpc),
        deff=x.size / figures["n_eff"],
    )
    if q == "P6":
        raw = np.array([p[q] for p in people if p[q] != MISSING_NPS], dtype=float)
        weights = w if w is not None else np.ones(raw.size)
        promoters = float((weights * (raw >= 9)).sum() / weights.sum())
        detractors = float((weights * (raw <= 6)).sum() / weights.sum())
        nps = promoters - detractors
        variance = (promoters + detractors - nps**2) / figures["n_eff"] * fpc
        z = float(stats.norm.ppf(0.975))
        figures["nps"] = {
            "value": 100 * nps,
            "ci95": [100 * (nps - z * math.sqrt(variance)), 100 * (nps + z * math.sqrt(variance))],
            "promoters": promoters,
            "detractors": detractors,
        }
    return figures


def satisfaction_index(
    people: list[dict[str, Any]], weighted: bool, population: int | None = None
) -> dict[str, Any]:
    """Each respondent's mean over the 4- and 5-point questions, as 25 x (mean - 1)."""
    values, weights = [], []
    for p in people:
        own = [score(q, p[q]) for q in ("P1", "P2", "P3", "P4", "P5")]
        own = [s for s in own if s is not None]
        if own:
            values.append(25 * (sum(own) / len(own) - 1))
            weights.append(p["waga"])
    fpc = 1 - len(people) / population if population else 1.0
    w = np.array(weights) if weighted else None
    figures = t_interval(np.array(values), w, fpc)
    return {"value": figures["mean"], "ci95": figures["ci95"], "n": len(values)}


def expected(people: list[dict[str, Any]], weighted: bool) -> dict[str, Any]:
    return {
        "respondents": len(people),
        "questions": {q: question_figures(people, q, weighted) for q in QUESTIONS},
        "satisfaction_index": satisfaction_index(people, weighted),
        "with_population": {
            "population_size": POPULATION,
            "questions": {q: question_figures(people, q, weighted, POPULATION) for q in QUESTIONS},
            "satisfaction_index": satisfaction_index(people, weighted, POPULATION),
        },
    }


# ----------------------------------------------------------------- file writers


def comma(value: float) -> str:
    return f"{value}".replace(".", ",")


def csv_bytes(rows: list[list[Any]], delimiter: str, encoding: str, newline: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, doublequote=True)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def coded_rows(people: list[dict[str, Any]], decimal_comma: bool) -> list[list[Any]]:
    rows: list[list[Any]] = [["id", "komorka", *QUESTIONS, "uwagi", "waga"]]
    for p in people:
        weight = comma(p["waga"]) if decimal_comma else p["waga"]
        rows.append([p["id"], p["komorka"], *(p[q] for q in QUESTIONS), p["uwagi"], weight])
    return rows


def label(q: str, code: Any) -> Any:
    if code is None:
        return None
    if q == "P5":
        return YES_NO[code]
    if q == "P6":
        return "trudno powiedzieć" if code == MISSING_NPS else code
    return SATISFACTION[code]


def label_rows(people: list[dict[str, Any]], headers: str = "code_text") -> list[list[Any]]:
    names = [f"{q}. {text}" for q, text in QUESTIONS.items()]
    rows: list[list[Any]] = [["Nr ankiety", "Komórka organizacyjna", *names, "Uwagi", "Waga"]]
    for p in people:
        rows.append(
            [
                p["id"],
                DEPARTMENTS[p["komorka"]],
                *(label(q, p[q]) for q in QUESTIONS),
                p["uwagi"],
                p["waga"],
            ]
        )
    return rows


def long_codebook_rows() -> list[list[Any]]:
    """SPSS users' long layout: the variable's name and label on its first row, then one
    row per value with the name left empty."""
    rows: list[list[Any]] = [["Zmienna", "Etykieta zmiennej", "Wartość", "Etykieta wartości"]]
    rows.append(["id", "Numer ankiety", "", ""])
    first = True
    for code, name in DEPARTMENTS.items():
        rows.append(
            ["komorka" if first else "", "Komórka organizacyjna" if first else "", code, name]
        )
        first = False
    for q, text in QUESTIONS.items():
        if q == "P6":
            values: dict[Any, str] = {0: "zdecydowanie nie polecę", 10: "zdecydowanie polecę"}
            values[MISSING_NPS] = "trudno powiedzieć"
        else:
            values = YES_NO if q == "P5" else SATISFACTION
        for k, (code, name) in enumerate(values.items()):
            rows.append([q if k == 0 else "", text if k == 0 else "", code, name])
    rows.append(["uwagi", "Uwagi respondenta", "", ""])
    rows.append(["waga", "Waga analityczna", "", ""])
    return rows


def wide_codebook_rows() -> list[list[Any]]:
    """One row per variable, its value labels in one cell: "1 = ...; 2 = ..."."""
    rows: list[list[Any]] = [["Zmienna", "Etykieta zmiennej", "Etykiety wartości"]]
    rows.append(
        [
            "komorka",
            "Komórka organizacyjna",
            "; ".join(f"{c} = {n}" for c, n in DEPARTMENTS.items()),
        ]
    )
    for q, text in QUESTIONS.items():
        if q == "P6":
            values: dict[Any, str] = {0: "zdecydowanie nie polecę", 10: "zdecydowanie polecę"}
            values[MISSING_NPS] = "trudno powiedzieć"
        else:
            values = YES_NO if q == "P5" else SATISFACTION
        rows.append([q, text, "; ".join(f"{c} = {n}" for c, n in values.items())])
    return rows


def write_zip(path: Path, members: dict[str, str], stored_first: str | None = None) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = (
                zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            )
            info.external_attr = 0o644 << 16
            archive.writestr(info, text)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_sheet(rows: list[list[Any]]) -> str:
    parts = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for j, value in enumerate(row):
            ref = f"{column_letters(j)}{r}"
            if value is None or value == "":
                continue
            if isinstance(value, tuple):  # a date and time: a serial number, date style
                day, hour, minute = value
                serial = 46550 + day + (hour * 60 + minute) / 1440  # 2027-06-xx
                cells.append(f'<c r="{ref}" s="1"><v>{serial!r}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = escape(str(value))
                cells.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    width = max(len(row) for row in rows)
    dimension = f"A1:{column_letters(width - 1)}{len(rows)}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(parts)}</sheetData></worksheet>'
    )


def write_xlsx(
    path: Path, sheets: dict[str, list[list[Any]]], raw: dict[str, str] | None = None
) -> None:
    """A minimal XLSX (inline strings, one date style), as Excel reads it."""
    names = list(sheets) if raw is None else list(raw)
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
            '="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for k in range(1, len(names) + 1)
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            "<sheets>"
            + "".join(
                f'<sheet name={quoteattr(name)} sheetId="{k}" r:id="rId{k}"/>'
                for k, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{k}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{k}.xml"/>'
                for k in range(1, len(names) + 1)
            )
            + f'<Relationship Id="rId{len(names) + 1}" Type="{REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
            '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
            '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22" applyNumberFormat="1"/>'
            "</cellXfs></styleSheet>"
        ),
    }
    for k, name in enumerate(names, start=1):
        members[f"xl/worksheets/sheet{k}.xml"] = (
            raw[name] if raw is not None else xlsx_sheet(sheets[name])
        )
    write_zip(path, members)


def write_ods(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    tables = []
    for name, rows in sheets.items():
        xml_rows = []
        for row in rows:
            cells = []
            for value in row:
                if value is None or value == "":
                    cells.append("<table:table-cell/>")
                elif isinstance(value, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    paragraphs = "".join(
                        f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n")
                    )
                    cells.append(
                        '<table:table-cell office:value-type="string">'
                        f"{paragraphs}</table:table-cell>"
                    )
            xml_rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(
            f"<table:table table:name={quoteattr(name)}>{''.join(xml_rows)}</table:table>"
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-'
        'path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    write_zip(
        path,
        {
            "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": manifest,
            "content.xml": content,
        },
        stored_first="mimetype",
    )


def write_sav(path: Path, people: list[dict[str, Any]]) -> None:
    """pyreadstat (with pandas, a dev dependency); the header's date and time fixed."""
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            "id": [p["id"] for p in people],
            "komorka": [float(p["komorka"]) for p in people],
            **{q: [math.nan if p[q] is None else float(p[q]) for p in people] for q in QUESTIONS},
            "uwagi": [p["uwagi"] for p in people],
            "waga": [p["waga"] for p in people],
        }
    )
    labels: dict[str, dict[float, str]] = {"komorka": {float(c): n for c, n in DEPARTMENTS.items()}}
    for q in ("P1", "P2", "P3", "P4"):
        labels[q] = {float(c): n for c, n in SATISFACTION.items()}
    labels["P5"] = {float(c): n for c, n in YES_NO.items()}
    labels["P6"] = {
        0.0: "zdecydowanie nie polecę",
        10.0: "zdecydowanie polecę",
        99.0: "trudno powiedzieć",
    }
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={q: text for q, text in QUESTIONS.items()}
        | {"komorka": "Komórka organizacyjna"},
        variable_value_labels=labels,
        missing_ranges={q: [9.0] for q in ("P1", "P2", "P3", "P4", "P5")} | {"P6": [99.0]},
        variable_measure={"waga": "scale"},
    )
    data = bytearray(path.read_bytes())
    data[92:109] = b"30 Jun 2712:00:00"  # the header's creation date (9) and time (8)
    path.write_bytes(bytes(data))


def spss_syntax(data_name: str) -> str:
    """LimeSurvey's SPSS export: GET DATA over the .dat file, then labels and missings."""
    lines = [
        "* Encoding: UTF-8.",
        "* SPSS syntax file generated by LimeSurvey.",
        "GET DATA",
        " /TYPE=TXT",
        f" /FILE='{data_name}'",
        " /DELCASE=LINE",
        ' /DELIMITERS=","',
        ' /QUALIFIER="\'"',
        " /ARRANGEMENT=DELIMITED",
        " /FIRSTCASE=1",
        " /IMPORTCASE=ALL",
        " /VARIABLES=",
        " id A10",
        " submitdate A19",
        " komorka F1",
        *(f" {q} F2" for q in QUESTIONS),
        " uwagi A200",
        " waga F6.4",
        ".",
        "VARIABLE LABELS",
        " id 'Numer ankiety'",
        " submitdate 'Data wysłania'",
        " komorka 'Komórka organizacyjna'",
        *(f" {q} '{text}'" for q, text in QUESTIONS.items()),
        " uwagi 'Uwagi'",
        " waga 'Waga'",
        ".",
        "VALUE LABELS",
        " komorka",
        *(f'  {c} "{n}"' for c, n in DEPARTMENTS.items()),
        " /P1 P2 P3 P4",
        *(f'  {c} "{n}"' for c, n in SATISFACTION.items()),
        " /P5",
        *(f'  {c} "{n}"' for c, n in YES_NO.items()),
        " /P6",
        '  0 "zdecydowanie nie polecę"',
        '  10 "zdecydowanie polecę"',
        '  99 "trudno powiedzieć"',
        ".",
        "MISSING VALUES P1 P2 P3 P4 P5 (9) /P6 (99).",
        "WEIGHT BY waga.",
        "EXECUTE.",
    ]
    return "\n".join(lines) + "\n"


def spss_data(people: list[dict[str, Any]]) -> str:
    out = []
    for p in people:
        day, hour, minute = p["when"]
        cells = [
            f"'{p['id']}'",
            f"'2027-06-{day:02d} {hour:02d}:{minute:02d}:00'",
            str(p["komorka"]),
            *("" if p[q] is None else str(p[q]) for q in QUESTIONS),
            "'" + p["uwagi"].replace("'", "''").replace("\n", " ") + "'",
            str(p["waga"]),
        ]
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


def forms_rows(people: list[dict[str, Any]], kind: str) -> list[list[Any]]:
    texts = list(QUESTIONS.values())
    if kind == "google":
        rows: list[list[Any]] = [["Sygnatura czasowa", *texts, "Uwagi"]]
        for p in people:
            day, hour, minute = p["when"]
            stamp = f"{day:02d}.06.2027 {hour:02d}:{minute:02d}:00"
            answers = [label(q, p[q]) for q in QUESTIONS]
            answers = [a.capitalize() if isinstance(a, str) else a for a in answers]
            rows.append([stamp, *answers, p["uwagi"]])
        return rows
    rows = [
        [
            "Identyfikator",
            "Godzina rozpoczęcia",
            "Godzina ukończenia",
            "Adres e-mail",
            "Nazwa",
            *texts,
            "Uwagi",
        ]
    ]
    for k, p in enumerate(people, start=1):
        day, hour, minute = p["when"]
        done = (day, hour, min(59, minute + 3))
        answers = [label(q, p[q]) for q in QUESTIONS]
        answers = [a.capitalize() if isinstance(a, str) else a for a in answers]
        rows.append([k, p["when"], done, "anonymous", None, *answers, p["uwagi"] or None])
    return rows


def main() -> None:
    people = make_people()
    out: dict[str, Any] = {
        "weighted": expected(people, True),
        "unweighted": expected(people, False),
    }
    files: dict[str, str] = {}

    coded = coded_rows(people, decimal_comma=True)
    (HERE / "coded_cp1250_semicolon.csv").write_bytes(csv_bytes(coded, ";", "cp1250", "\r\n"))
    (HERE / "codebook_long_cp1250.csv").write_bytes(
        csv_bytes(long_codebook_rows(), ";", "cp1250", "\r\n")
    )
    files["coded_cp1250_semicolon.csv"] = "weighted"
    (HERE / "coded_utf8_comma.csv").write_bytes(
        csv_bytes(coded_rows(people, decimal_comma=False), ",", "utf-8", "\n")
    )
    (HERE / "codebook_wide.csv").write_bytes(csv_bytes(wide_codebook_rows(), ";", "utf-8", "\n"))
    files["coded_utf8_comma.csv"] = "weighted"

    labelled = label_rows(people)
    (HERE / "labels_utf8_bom_comma.csv").write_bytes(
        b"\xef\xbb\xbf" + csv_bytes(labelled, ",", "utf-8", "\n")
    )
    files["labels_utf8_bom_comma.csv"] = "weighted"
    (HERE / "labels_iso88592_tab.csv").write_bytes(csv_bytes(labelled, "\t", "iso8859_2", "\r\n"))
    files["labels_iso88592_tab.csv"] = "weighted"
    comma_weights = [
        [*row[:-1], comma(row[-1]) if isinstance(row[-1], float) else row[-1]] for row in labelled
    ]
    (HERE / "labels_cp1250_semicolon_decimal_comma.csv").write_bytes(
        csv_bytes(comma_weights, ";", "cp1250", "\r\n")
    )
    files["labels_cp1250_semicolon_decimal_comma.csv"] = "weighted"

    texts = ["Numer ankiety", "Komórka organizacyjna", *QUESTIONS.values(), "Uwagi", "Waga"]
    two_rows = [coded[0], texts]
    for p, row in zip(people, coded[1:], strict=True):
        answers = [label(q, p[q]) for q in QUESTIONS]
        two_rows.append([row[0], DEPARTMENTS[p["komorka"]], *answers, *row[-2:]])
    (HERE / "two_row_header.csv").write_bytes(csv_bytes(two_rows, ";", "utf-8", "\r\n"))
    files["two_row_header.csv"] = "weighted"

    (HERE / "google_forms.csv").write_bytes(
        csv_bytes(forms_rows(people, "google"), ",", "utf-8", "\n")
    )
    files["google_forms.csv"] = "unweighted"
    write_xlsx(HERE / "microsoft_forms.xlsx", {"Sheet1": forms_rows(people, "microsoft")})
    files["microsoft_forms.xlsx"] = "unweighted"

    lime = [
        [
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            *(f"{q}. {t}" for q, t in QUESTIONS.items()),
            "uwagi",
            "waga",
        ]
    ]
    for p in people:
        day, hour, minute = p["when"]
        lime.append(
            [
                p["id"],
                f"2027-06-{day:02d} {hour:02d}:{minute:02d}:00",
                3,
                "pl",
                1000 + len(lime),
                *(label(q, p[q]) for q in QUESTIONS),
                p["uwagi"],
                p["waga"],
            ]
        )
    (HERE / "limesurvey.csv").write_bytes(csv_bytes(lime, ",", "utf-8", "\r\n"))
    files["limesurvey.csv"] = "weighted"
    (HERE / "limesurvey_spss.sps").write_text(spss_syntax("limesurvey_spss.dat"), encoding="utf-8")
    (HERE / "limesurvey_spss.dat").write_text(spss_data(people), encoding="utf-8")
    files["limesurvey_spss.sps"] = "weighted"

    write_sav(HERE / "labelled.sav", people)
    files["labelled.sav"] = "weighted"

    book = long_codebook_rows()
    write_xlsx(HERE / "label_sheet.xlsx", {"Dane": coded_rows(people, False), "Etykiety": book})
    files["label_sheet.xlsx"] = "weighted"
    write_ods(HERE / "label_sheet.ods", {"Dane": coded_rows(people, False), "Etykiety": book})
    files["label_sheet.ods"] = "weighted"

    # Issue 14: one stray cell at XFD1048576 (calamine would ask for 512 GiB), and a sparse
    # sheet of 200 000 x 702 cells (49 s and 5.4 GB before the bound).
    header = [["id", "P1"], ["1", 5], ["2", 4], ["3", 4]]
    far = (
        xlsx_sheet(header)
        .replace(
            "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )
        .replace('<dimension ref="A1:B4"/>', "")
    )
    write_xlsx(HERE / "hostile_far_cell.xlsx", {}, raw={"Dane": far})
    sparse = (
        xlsx_sheet(header)
        .replace("</sheetData>", '<row r="200000"><c r="ZZ200000"><v>1</v></c></row></sheetData>')
        .replace('<dimension ref="A1:B4"/>', "")
    )
    write_xlsx(HERE / "hostile_sparse.xlsx", {}, raw={"Dane": sparse})

    out["files"] = files
    out["population_size"] = POPULATION
    (HERE / "expected.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
