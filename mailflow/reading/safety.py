"""Checks an attachment must pass before any parser sees it.

Office files are zip archives of XML, so a hostile one is a zip bomb, an XML entity bomb or a
macro carrier. Everything here looks only at the zip's central directory and at bounded reads,
and answers with a reason (a short English sentence) or None when the file may be read.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from mailflow.errors import (
    BrokenFile,
    DangerousFile,
    EncryptedFile,
    ReadingRefused,
    TooComplexToRead,
    TooLargeToRead,
    UnsupportedFile,
)

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls/.msg: the old binary Office format
# What zipfile can unpack: stored, deflate, bzip2, lzma. Anything else (AES, deflate64 ...)
# raises NotImplementedError from deep inside a reader.
SUPPORTED_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}
MACRO_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".pptm", ".potm", ".ppsm")


@dataclass(frozen=True)
class ReadingLimits:
    """Size limits for one reply; the defaults suit quotes and survey result files."""

    max_attachment_bytes: int = 25 * MB
    max_attachments: int = 20
    max_text_chars: int = 200_000
    max_unpacked_bytes: int = 100 * MB  # total uncompressed size of one Office file
    max_zip_ratio: int = 200  # uncompressed / compressed, per member
    max_zip_entries: int = 2_000
    max_xml_member_bytes: int = 30 * MB
    max_pdf_pages: int = 100  # a longer PDF is refused before its pages are parsed
    max_pdf_chars: int = 200_000  # text read from one PDF; the rest is left, and flagged
    max_pdf_stream_bytes: int = 20 * MB  # one page content (or font, image) stream, unpacked
    max_pdf_unpacked_bytes: int = 100 * MB  # every stream of one PDF, unpacked
    max_pdf_page_objects: int = 50_000  # glyphs, paths and images drawn on one page
    # Tokens of page content in one PDF: a text page has a few thousand; pdfminer reads
    # about 200 000 a second. Past the limit, the pages read so far are kept and flagged.
    max_pdf_tokens: int = 500_000
    max_sheet_cells: int = 1_000_000  # rows x columns of one sheet, from its cell references


def refuse_macros(filename: str, content_type: str) -> str | None:
    """Macro-enabled Office files are refused by their name or declared type."""
    refused = macro_refusal(filename, content_type)
    return None if refused is None else str(refused)


def macro_refusal(filename: str, content_type: str) -> DangerousFile | None:
    name = filename.lower()
    if name.endswith(MACRO_EXTENSIONS) or "macroenabled" in content_type.lower():
        return DangerousFile(
            f"{filename}: macro-enabled Office file refused",
            f"Załącznik „{filename}” jest plikiem Office z makrami — ze względów "
            "bezpieczeństwa nie został odczytany.",
        )
    return None


def check_zip(data: bytes, filename: str, limits: ReadingLimits) -> str | None:
    """Zip bomb and macro checks from the central directory, before anything is unpacked."""
    refused = zip_refusal(data, filename, limits)
    return None if refused is None else str(refused)


def _broken(filename: str, english: str, what: str = "") -> BrokenFile:
    return BrokenFile(
        f"{filename}: {english}",
        f"Załącznik „{filename}” jest uszkodzony{what} — nie został odczytany.",
    )


def zip_refusal(data: bytes, filename: str, limits: ReadingLimits) -> ReadingRefused | None:
    """:func:`check_zip` as a named refusal with its Polish reason, or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return _broken(
            filename, "not a valid Office file (broken zip)", " (to nie jest poprawny plik Office)"
        )
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_entries:
            return TooComplexToRead(
                f"{filename}: too many parts in the file ({len(members)}), refused",
                f"Załącznik „{filename}” składa się z {len(members)} części, więcej niż "
                f"dozwolone {limits.max_zip_entries} — nie został odczytany.",
            )
        total = 0
        for info in members:
            if info.filename.lower().endswith("vbaproject.bin"):
                return DangerousFile(
                    f"{filename}: contains macros (vbaProject.bin), refused",
                    f"Załącznik „{filename}” zawiera makra — ze względów bezpieczeństwa nie "
                    "został odczytany.",
                )
            if info.flag_bits & 0x1:
                return EncryptedFile(
                    f"{filename}: encrypted Office file, cannot be read",
                    f"Załącznik „{filename}” jest zaszyfrowany hasłem — nie został odczytany.",
                )
            if info.compress_type not in SUPPORTED_COMPRESSION or info.extract_version > 63:
                return UnsupportedFile(
                    f"{filename}: part {info.filename[:100]} uses an unsupported zip variant, "
                    "refused",
                    f"Załącznik „{filename}” jest spakowany w nieobsługiwany sposób — nie "
                    "został odczytany.",
                )
            total += info.file_size
            # A tiny compressed part that claims a huge size is the signature of a zip bomb.
            if info.file_size > 1 * MB and info.file_size > limits.max_zip_ratio * max(
                info.compress_size, 1
            ):
                return DangerousFile(
                    f"{filename}: suspicious compression ratio (zip bomb?), refused",
                    f"Załącznik „{filename}” rozpakowuje się do rozmiaru wielokrotnie "
                    "większego niż sam plik (tzw. bomba zip) — nie został odczytany.",
                )
        if total > limits.max_unpacked_bytes:
            return TooLargeToRead(
                f"{filename}: unpacks to {total // MB} MB, over the limit, refused",
                f"Załącznik „{filename}” po rozpakowaniu ma {total // MB} MB, więcej niż "
                f"dozwolone {limits.max_unpacked_bytes // MB} MB — nie został odczytany.",
            )
        return _check_members(archive, filename, limits)


def _forbid_dtd(name: str | None, *_: object) -> None:
    raise DTDForbidden(name or "", None, None)


def _forbid_entity(name: str | None, *_: object) -> None:
    raise EntitiesForbidden(name or "", None, None, None, None, None)


def xml_checker() -> expat.XMLParserType:
    """An expat parser that refuses any DTD or entity, the way defusedxml does.

    Only the refusing handlers are set, so expat runs the document in C without building a
    tree; feed it chunk by chunk with ``Parse(chunk, False)`` and finish with ``Parse(b"", True)``.
    Raises a DefusedXmlException subclass or ``expat.ExpatError``.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_entity
    parser.ExternalEntityRefHandler = _forbid_entity  # type: ignore[assignment]
    return parser


CHUNK = 1024 * 1024


def _check_members(
    archive: zipfile.ZipFile, filename: str, limits: ReadingLimits
) -> ReadingRefused | None:
    """Every part unpacked once, in bounded chunks, before any parser sees the file.

    The zip directory may lie about sizes (zipfile itself would unpack a lying member whole
    before its CRC check fails), so the bytes are counted against the declared size as they
    come; XML parts go through :func:`xml_checker` on the way.
    """
    for info in archive.infolist():
        part = info.filename[:100]
        is_xml = info.filename.lower().endswith((".xml", ".rels"))
        if is_xml and info.file_size > limits.max_xml_member_bytes:
            return TooLargeToRead(
                f"{filename}: XML part {part} too large, refused",
                f"Załącznik „{filename}” ma część {part} większą niż dozwolone "
                f"{limits.max_xml_member_bytes // MB} MB — nie został odczytany.",
            )
        checker = xml_checker() if is_xml else None
        size = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if size > info.file_size:
                        return DangerousFile(
                            f"{filename}: {part} is larger than declared, refused",
                            f"Załącznik „{filename}” ma część {part} większą niż deklaruje "
                            "(możliwa bomba zip) — nie został odczytany.",
                        )
                    if checker is not None:
                        checker.Parse(chunk, False)
            if checker is not None:
                checker.Parse(b"", True)
        except DefusedXmlException:
            return DangerousFile(
                f"{filename}: XML with DTD or entities (possible entity attack), refused",
                f"Załącznik „{filename}” zawiera definicje encji XML (możliwy atak na "
                "czytnik) — nie został odczytany.",
            )
        except Exception:  # CRC, zlib, expat errors on hostile bytes: a broken file, not a crash
            return _broken(
                filename, f"broken part {part} inside the Office file, refused", f" (część {part})"
            )
    return None
