"""``mailflow export-case`` on the demo year: every metadata file valid, every file opens.

One demo run (``mailflow demo --fast --keep``, as tests/test_demo.py plays it) and one export
of its year are shared by the tests below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
import xmlschema
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import select

from mailflow.app import open_app
from mailflow.casefile.bip import record_url
from mailflow.casefile.export import export_case
from mailflow.casefile.nes import NS, SCHEMA_FILE
from mailflow.casefile.register import SCHEMA_FILE as REGISTER_SCHEMA
from mailflow.cli import main
from mailflow.config import load_config
from mailflow.db import models
from mailflow.errors import UserError
from tests.configs import TEST_ENV

ROOT = Path(__file__).resolve().parent.parent
MARK = "OS.0543.3.2027"
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Export:
    config: Path
    folder: Path
    returncode: int
    stdout: str


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Export]:
    kept = tmp_path_factory.mktemp("demo") / "kept"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    demo = subprocess.run(
        [sys.executable, "-m", "mailflow.cli", "demo", "--fast", "--keep", str(kept)],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    folder = tmp_path_factory.mktemp("export") / "package"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mailflow.cli",
            "export-case",
            "2027",
            str(folder),
            "--config",
            str(kept / "config.toml"),
        ],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    yield Export(kept / "config.toml", folder, done.returncode, done.stdout)


def files_of(export: Export) -> list[Path]:
    return sorted((export.folder / "dokumenty" / MARK).iterdir())


def metadata_of(export: Export) -> list[Path]:
    return sorted((export.folder / "metadane" / MARK).iterdir())


def test_every_item_has_one_metadata_file_valid_against_the_nes_schema(export: Export) -> None:
    schema = xmlschema.XMLSchema(str(SCHEMA_FILE))
    files, metadata = files_of(export), metadata_of(export)
    assert len(files) > 100  # the demo year: 28 received, 73 sent, 16 documents (+ PDFs)
    assert [f"{f.name}.xml" for f in files] == [m.name for m in metadata]
    for path in metadata:
        errors = list(schema.iter_errors(str(path)))
        assert errors == [], f"{path.name}: {errors[0].reason}"
        root = etree.parse(str(path)).getroot()
        assert root.tag == f"{{{NS}}}dokument" and root.get("wersja") == "2.0"
    print(f"{len(metadata)} metadata files valid against {SCHEMA_FILE.name}")


def test_every_file_in_the_package_opens(export: Export) -> None:
    opened: dict[str, int] = {}
    for path in sorted(p for p in export.folder.rglob("*") if p.is_file()):
        suffix = path.suffix
        if suffix == ".eml":
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            assert message["Message-ID"] and message["From"], path.name
        elif suffix == ".docx":
            assert docx.Document(str(path)).paragraphs, path.name
        elif suffix == ".pdf":
            assert len(PdfReader(str(path)).pages) >= 1, path.name
        elif suffix == ".html":
            parser = HTMLParser()
            parser.feed(path.read_text(encoding="utf-8"))
            parser.close()
            assert '<html lang="pl"' in path.read_text(encoding="utf-8"), path.name
        elif suffix == ".xml":
            etree.parse(str(path))
        elif suffix == ".xsd":
            xmlschema.XMLSchema(str(path))
        elif suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        else:
            pytest.fail(f"unexpected file in the package: {path}")
        opened[suffix] = opened.get(suffix, 0) + 1
    assert {".eml", ".docx", ".html", ".xml", ".xsd", ".json"} <= set(opened)
    print(f"opened {sum(opened.values())} files: {opened}")


def test_the_metadata_names_the_case_class_category_and_real_relations(export: Export) -> None:
    ids: set[str] = set()
    relations: list[tuple[str, str, str]] = []
    categories: dict[str, str] = {}
    for path in metadata_of(export):
        root = etree.parse(str(path)).getroot()
        (own,) = root.xpath(
            "n:identyfikator[n:typidentyfikatora='SystemID']/n:wartoscId/text()",
            namespaces={"n": NS},
        )
        ids.add(str(own))
        groups = root.xpath("n:grupowanie/n:kodGrupy/text()", namespaces={"n": NS})
        assert groups[0] == MARK
        categories[path.name] = root.xpath(
            "string(n:kwalifikacja/n:kategoria)", namespaces={"n": NS}
        )
        for rel in root.xpath("n:relacja", namespaces={"n": NS}):
            target = rel.xpath("string(n:identyfikator/n:wartoscId)", namespaces={"n": NS})
            relations.append(
                (str(own), rel.xpath("string(n:typRelacji)", namespaces={"n": NS}), target)
            )
    kinds = {kind for _own, kind, _target in relations}
    assert {"odnosi się do", "ma odniesienie", "jest wersją", "ma wersję", "jest formatem"} <= kinds
    assert all(target in ids for _own, _kind, target in relations)
    assert categories["043_Zestawienie_ofert_2027.docx.xml"] == "B5"  # class 272
    assert any(name.startswith(("0", "1")) and cat == "B10" for name, cat in categories.items())


def test_the_case_register_is_valid_and_lists_every_file(export: Export) -> None:
    register = export.folder / "sprawy" / f"{MARK}.xml"
    xmlschema.XMLSchema(str(REGISTER_SCHEMA)).validate(str(register))
    root = etree.parse(str(register)).getroot()
    listed = root.xpath("//m:dokument/@plik", namespaces={"m": "urn:mailflow:metryka-sprawy:1"})
    assert sorted(export.folder / p for p in listed) == files_of(export)
    actions = root.xpath("//m:czynnosc/@kod", namespaces={"m": "urn:mailflow:metryka-sprawy:1"})
    assert "campaign_started" in actions and "results_published" in actions
    page = (export.folder / "sprawy" / f"{MARK}.html").read_text(encoding="utf-8")
    assert "Metryka sprawy" in page and "Spis spraw" in page


def test_the_bip_page_carries_the_metryczka_and_the_change_register(export: Export) -> None:
    page = (export.folder / "inne" / "bip" / "Publikacja_wynikow_2027_BIP.html").read_text(
        encoding="utf-8"
    )
    for text in (
        "Wytworzył",
        "Data wytworzenia",
        "Udostępnił",
        "Data udostępnienia",
        "Rejestr zmian",
        "Wyniki badania satysfakcji klientów",
    ):
        assert text in page, text
    assert page.startswith("<!DOCTYPE html>") and 'lang="pl"' in page
    (entry,) = json.loads((export.folder / "inne" / "bip" / "rejestr_zmian.json").read_text())
    assert entry["data"] == "2027-06-12" and entry["czynnosc"].startswith("Udostępnienie")


def test_it_refuses_a_folder_that_is_not_empty_unless_forced(
    export: Export,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("x")
    args = ["export-case", "2027", str(target), "--config", str(export.config), "--no-pdf"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "--force" in err
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    assert main([*args, "--force"]) == 0
    assert (target / "sprawy" / f"{MARK}.xml").is_file() and (target / "old.txt").is_file()
    assert main(["export-case", "2031", str(tmp_path / "new"), "--config", str(export.config)]) == 1
    assert "no campaign of 2031" in capsys.readouterr().err


def test_the_address_the_bip_editor_posted_it_at_goes_into_the_next_export(
    export: Export, tmp_path: Path
) -> None:
    config = load_config(export.config, require_secrets=False)
    app = open_app(config)
    try:
        with app.sessions() as session:
            campaign = session.scalars(select(models.Campaign)).one()
            with pytest.raises(UserError, match="not a web address"):
                record_url(app, session, campaign, "bip.um.example.pl", "cli", "cli")
            record_url(
                app, session, campaign, "https://bip.um.example.pl/a,123", "redakcja", "email"
            )
            session.commit()
        result = export_case(app, 2027, tmp_path / "again", pdf=False)
    finally:
        app.close()
    assert result.bip_page is not None
    page = result.bip_page.read_text(encoding="utf-8")
    assert '<a href="https://bip.um.example.pl/a,123">' in page
    (entry,) = json.loads((result.bip_page.parent / "rejestr_zmian.json").read_text())
    assert entry["adres"] == "https://bip.um.example.pl/a,123"
    assert entry["data"] == datetime.now(ZoneInfo("Europe/Warsaw")).date().isoformat()
