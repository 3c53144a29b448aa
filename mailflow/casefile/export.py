"""``mailflow export-case YEAR DIR``: the case of one year as a package a records system imports.

Layout (the folders of an archival package: documents, metadata, cases, other)::

    dokumenty/<znak sprawy>/001_....eml|docx|pdf|html   every item of the case
    metadane/<znak sprawy>/001_....eml.xml              its NES 2.0 metadata, one per file
    sprawy/<znak sprawy>.xml                            the case register (spis spraw, metryka)
    sprawy/<znak sprawy>.html                           the same for a person to read
    inne/bip/                                           the publication for the BIP editor
    inne/schematy/                                      the XML schemas the files validate against

Messages are the archived raw bytes (an incoming one exactly as it arrived), documents the
DOCX the archive keeps, plus a PDF of each when LibreOffice is installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from mailflow.app import App
from mailflow.casefile import bip, nes, register
from mailflow.casefile.items import Case, CaseItem, campaign_for_year, load_case
from mailflow.errors import UserError

PDF_TIMEOUT_SECONDS = 300


@dataclass
class ExportResult:
    folder: Path
    mark: str
    files: int = 0
    metadata_files: int = 0
    notes: list[str] = field(default_factory=list)
    bip_page: Path | None = None


def check_target(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise UserError(f"{folder} is not empty: choose an empty folder, or add --force")


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _pdfs(documents: list[tuple[CaseItem, Path]]) -> tuple[dict[str, Path], str | None]:
    """Convert the DOCX files with LibreOffice; (item key -> PDF, note when it could not)."""
    office = soffice()
    if office is None:
        return {}, "LibreOffice (soffice) is not installed: documents are exported as DOCX only"
    if not documents:
        return {}, None
    with tempfile.TemporaryDirectory(prefix="mailflow-lo-") as temp:
        profile = Path(temp) / "profile"
        out = Path(temp) / "pdf"
        try:
            subprocess.run(
                [
                    office,
                    "--headless",
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out),
                    *(str(p) for _i, p in documents),
                ],
                capture_output=True,
                timeout=PDF_TIMEOUT_SECONDS,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as error:
            return {}, f"LibreOffice could not convert the documents to PDF ({error})"
        found: dict[str, Path] = {}
        missing = []
        for item, path in documents:
            pdf = out / f"{path.stem}.pdf"
            if pdf.is_file():
                target = path.with_suffix(".pdf")
                shutil.copyfile(pdf, target)
                found[item.key] = target
            else:
                missing.append(path.name)
        note = (
            f"no PDF of {', '.join(missing)}: LibreOffice did not convert it" if missing else None
        )
        return found, note


def _pdf_item(item: CaseItem, pdf: Path) -> CaseItem:
    data = pdf.read_bytes()
    item.relations.append(("ma format", f"{item.key}-pdf"))
    return replace(
        item,
        key=f"{item.key}-pdf",
        extension="pdf",
        size=len(data),
        load=lambda: data,
        relations=[("jest formatem", item.key)],
        description=item.description + " Kopia w formacie PDF wykonana przy eksporcie.",
    )


def write_package(app: App, case: Case, folder: Path, pdf: bool = True) -> ExportResult:
    mark = case.mark
    result = ExportResult(folder, mark)
    files = folder / "dokumenty" / mark
    meta = folder / "metadane" / mark
    docx: list[tuple[CaseItem, Path]] = []
    for item in case.items:
        path = files / item.filename
        _write(path, item.load())
        if item.extension == "docx":
            docx.append((item, path))
    if pdf:
        converted, note = _pdfs(docx)
        if note:
            result.notes.append(note)
        at = {item.key: n for n, item in enumerate(case.items)}
        for key, path in sorted(converted.items(), key=lambda kv: -at[kv[0]]):
            original = case.items[at[key]]
            case.items.insert(at[key] + 1, _pdf_item(original, path))
    else:
        result.notes.append("PDF copies skipped (--no-pdf)")
    paths: dict[str, tuple[str, str]] = {}
    for item in case.items:
        metadata = nes.metadata_xml(item, case, app.config)
        meta_path = meta / f"{item.filename}.xml"
        _write(meta_path, metadata)
        paths[item.key] = (
            str((files / item.filename).relative_to(folder)),
            str(meta_path.relative_to(folder)),
        )
    result.files = len(case.items)
    result.metadata_files = len(case.items)
    _write(folder / "sprawy" / f"{mark}.xml", register.register_xml(case, app.config, paths))
    _write(folder / "sprawy" / f"{mark}.html", register.register_html(case, app.config, paths))
    schemas = folder / "inne" / "schematy"
    _write(schemas / nes.SCHEMA_FILE.name, nes.SCHEMA_FILE.read_bytes())
    _write(schemas / register.SCHEMA_FILE.name, register.SCHEMA_FILE.read_bytes())
    published = [i for i in case.items if i.extension == "html" and i.public]
    if published:
        item = published[-1]
        info = bip.metryczka(case, item, app.config)
        page = folder / "inne" / "bip" / f"Publikacja_wynikow_{case.campaign.year}_BIP.html"
        _write(page, bip.bip_page(item.load(), info))
        _write(
            page.with_name("rejestr_zmian.json"),
            json.dumps([bip.change_register_entry(info)], ensure_ascii=False, indent=2) + "\n",
        )
        result.bip_page = page
        place = str(((case.campaign.data or {}).get("published") or {}).get("place") or "")
        if place and place != "BIP":
            result.notes.append(f"the results were published in {place}, not in the BIP")
    else:
        result.notes.append("no published HTML in this case: no BIP package")
    return result


def export_case(
    app: App, year: int, folder: Path, force: bool = False, pdf: bool = True
) -> ExportResult:
    check_target(folder, force)
    with app.sessions() as session:
        campaign = campaign_for_year(session, year)
        case = load_case(app, session, campaign)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"cannot create {folder}: {error.strerror}") from None
        return write_package(app, case, folder, pdf=pdf)
