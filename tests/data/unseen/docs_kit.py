# ruff: noqa: E501  (message texts and notes are data; long lines keep them greppable)
"""Attachments for the unseen corpus: DOCX, XLSX (with and without cached formula values),
PDF (text layer, image only, encrypted) and ODT written by hand. Deterministic output."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from mimekit import FIXED_ZIP_TIME, html_escape, normalize_zip

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def docx_offer(
    title: str, paragraphs: list[str], rows: list[list[str]], after: list[str] | None = None
) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.author = "Biuro"
    import datetime as _dt

    fixed = _dt.datetime(2027, 3, 10, 9, 0, 0)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    doc.core_properties.last_modified_by = "Biuro"
    doc.add_heading(title, level=1)
    for p in paragraphs:
        doc.add_paragraph(p)
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, val in enumerate(row):
            table.cell(r, c).text = val
    for p in after or []:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def xlsx(
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]], cached: dict[tuple[str, str], str]
) -> bytes:
    """sheets: (title, rows); a string starting with '=' is a formula. cached maps
    (sheet title, cell ref) to the value Excel would have stored; formulas not in it are
    left without a cached value (as a file saved by a library and never opened in Excel)."""
    import datetime as _dt

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    fixed = _dt.datetime(2027, 3, 11, 8, 30, 0)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "Biuro"
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.column_dimensions["A"].width = 42
        ws.column_dimensions["B"].width = 18
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    z = zipfile.ZipFile(io.BytesIO(data))
    transform: dict[str, bytes] = {}
    for idx, (title, _rows) in enumerate(sheets, start=1):
        name = f"xl/worksheets/sheet{idx}.xml"
        xml = z.read(name).decode("utf-8")
        for (st, ref), val in cached.items():
            if st != title:
                continue
            pat = re.compile(rf'(<c r="{ref}"[^>]*>)<f>(.*?)</f><v\s*/?>(</v>)?')

            def put(m: re.Match[str], v: str = val) -> str:
                return f"{m.group(1)}<f>{m.group(2)}</f><v>{v}</v>"

            xml, n = pat.subn(put, xml)
            assert n == 1, (title, ref)
        transform[name] = xml.encode("utf-8")
    core = z.read("docProps/core.xml").decode("utf-8")
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", r"\g<1>2027-03-11T08:30:00Z", core)
    transform["docProps/core.xml"] = core.encode("utf-8")
    return normalize_zip(data, transform)


def _pdf_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_BOLD))


def pdf_text(title: str, lines: list[str], table: list[list[str]] | None = None) -> bytes:
    """A PDF with a text layer: a letter, then a table laid out in columns."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _pdf_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setAuthor("Biuro")
    y = 800
    c.setFont("DejaVu-Bold", 13)
    c.drawString(60, y, title)
    y -= 28
    c.setFont("DejaVu", 10)
    for ln in lines:
        c.drawString(60, y, ln)
        y -= 15
    if table:
        y -= 10
        xs = [60, 300, 380, 460]
        for r, row in enumerate(table):
            c.setFont("DejaVu-Bold" if r == 0 else "DejaVu", 10)
            for i, cell in enumerate(row):
                if i == 0:
                    c.drawString(xs[i], y, cell)
                else:
                    c.drawRightString(xs[i] + 70, y, cell)
            y -= 16
    c.showPage()
    c.save()
    return buf.getvalue()


def pdf_image_only(title: str, lines: list[str]) -> bytes:
    """A scan: the page is one raster image, no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    fb = ImageFont.truetype(FONT_BOLD, 34)
    f = ImageFont.truetype(FONT, 26)
    draw.text((120, 120), title, font=fb, fill=0)
    y = 200
    for ln in lines:
        draw.text((120, y), ln, font=f, fill=0)
        y += 44
    png = io.BytesIO()
    img.save(png, format="PNG", optimize=False)
    png.seek(0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(png), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()


def pdf_encrypt(data: bytes, user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    from pypdf.generic import ArrayObject, ByteStringObject

    fixed_id = ByteStringObject(b"IN13unseen2027ab")
    writer._ID = ArrayObject([fixed_id, fixed_id])
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    first = b"IN13unseen2027ab".hex().encode()
    # pypdf renews the second file identifier on every write; pin it (the key uses the first)
    return re.sub(
        rb"(/ID \[ ?<" + first + rb"> ?<)[0-9a-fA-F]{32}>", rb"\g<1>" + first + b">", data
    )


def odt_table(title: str, paragraphs: list[str], rows: list[list[str]]) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        'office:version="1.3"'
    )
    body = [f'<text:h text:outline-level="1">{html_escape(title)}</text:h>']
    body += [f"<text:p>{html_escape(p)}</text:p>" for p in paragraphs]
    ncols = len(rows[0])
    tbl = [
        f'<table:table table:name="Oferta"><table:table-column table:number-columns-repeated="{ncols}"/>'
    ]
    for row in rows:
        cells = "".join(
            f'<table:table-cell office:value-type="string"><text:p>{html_escape(c)}</text:p>'
            "</table:table-cell>"
            for c in row
        )
        tbl.append(f"<table:table-row>{cells}</table:table-row>")
    tbl.append("</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<office:document-content {ns}><office:body><office:text>"
        + "".join(body)
        + "".join(tbl)
        + "</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3">'
        "<office:meta><meta:generator>LibreOffice/7.6.4.1$Linux_X86_64</meta:generator>"
        "<meta:creation-date>2027-03-12T10:00:00</meta:creation-date></office:meta>"
        "</office:document-meta>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data, comp in [
            ("mimetype", b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", manifest.encode(), zipfile.ZIP_DEFLATED),
            ("meta.xml", meta.encode(), zipfile.ZIP_DEFLATED),
            ("content.xml", content.encode(), zipfile.ZIP_DEFLATED),
        ]:
            zi = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            zi.compress_type = comp
            z.writestr(zi, data)
    return out.getvalue()


# ---------------------------------------------------------------- text extraction (self-check)


def extract_text(filename: str, data: bytes) -> str:
    name = filename.lower()
    try:
        if name.endswith(".docx"):
            from docx import Document

            d = Document(io.BytesIO(data))
            parts = [p.text for p in d.paragraphs]
            for t in d.tables:
                for row in t.rows:
                    parts.append(" | ".join(c.text for c in row.cells))
            return "\n".join(parts)
        if name.endswith(".xlsx"):
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(data), data_only=True)
            parts = []
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    parts.append(" | ".join("" if v is None else str(v) for v in row))
            return "\n".join(parts)
        if name.endswith(".pdf"):
            from pypdf import PdfReader

            r = PdfReader(io.BytesIO(data))
            if r.is_encrypted:
                try:
                    r.decrypt("")
                except Exception:
                    return ""
            return "\n".join((p.extract_text() or "") for p in r.pages)
        if name.endswith(".odt"):
            z = zipfile.ZipFile(io.BytesIO(data))
            return re.sub(r"<[^>]+>", " ", z.read("content.xml").decode("utf-8"))
        if name.endswith((".csv", ".txt")):
            return data.decode("utf-8", "replace")
    except Exception as exc:  # a deliberately unreadable attachment
        return f"<unreadable {exc}>"
    return ""
