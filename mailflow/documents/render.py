"""Render a document template (.docx with docxtpl/Jinja2 placeholders) into finished bytes.

All or nothing: a missing template, a broken one or a missing value raises a one-line
:class:`UserError` naming the template; a file with ``{{`` left in it is never returned.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from lxml import etree

from mailflow.documents.charts import Chart
from mailflow.documents.contexts import DOCUMENT_NAMES
from mailflow.errors import UserError
from mailflow.resources import TEMPLATES

# Our templates ship inside the package (mailflow/doc_templates), in a checkout and a wheel
# alike; an office's own versions in the configured override folder win over them.
TEMPLATES_DIR = TEMPLATES
LANGUAGE = "pl-PL"
_LEFTOVER = re.compile(r"\{\{|\{%|\{#|%\}")


class AltTextImage(InlineImage):
    """An inline picture that carries its alt text (``descr``) and title, as Word's own do."""

    def __init__(self, tpl: DocxTemplate, chart: Chart) -> None:
        super().__init__(tpl, io.BytesIO(chart.png), width=Cm(chart.width_cm))
        self.alt_text = chart.alt_text
        self.title = chart.title

    def _insert_image(self) -> str:
        part = self.tpl.current_rendering_part
        inline = part.new_pic_inline(self.image_descriptor, self.width, self.height)
        for properties in inline.xpath(".//wp:docPr | .//pic:cNvPr"):
            properties.set("descr", self.alt_text)
            properties.set("title", self.title)
        # The same run surgery docxtpl's own InlineImage does.
        return (
            f"</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r>"
            '<w:t xml:space="preserve">'
        )


def template_path(name: str, override_dir: Path | None = None) -> Path:
    """The office's own ``name.docx`` in ``override_dir`` if there is one, else ours."""
    if name not in DOCUMENT_NAMES:
        raise UserError(f"unknown document {name!r} (one of {', '.join(DOCUMENT_NAMES)})")
    if override_dir is not None:
        candidate = override_dir / f"{name}.docx"
        if candidate.is_file():
            return candidate
    path = TEMPLATES_DIR / f"{name}.docx"
    if not path.is_file():
        raise UserError(f"template {name}.docx is missing from {TEMPLATES_DIR}")
    return path


def load_template(path: Path) -> DocxTemplate:
    try:
        template = DocxTemplate(path)
        template.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UserError(f"template {path.name} is not a readable .docx file ({error})") from error
    return template


def _with_images(value: Any, template: DocxTemplate) -> Any:
    """Charts become pictures bound to this template; everything else is passed through."""
    if isinstance(value, Chart):
        return {
            "image": AltTextImage(template, value),
            "title": value.title,
            "alt_text": value.alt_text,
        }
    if isinstance(value, Mapping):
        return {key: _with_images(item, template) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_with_images(item, template) for item in value]
    return value


def jinja_environment() -> Environment:
    # StrictUndefined: a missing value is an error, never an empty gap in a letter.
    # autoescape: a vendor called "Kowalski & Syn" must not break the XML.
    return Environment(undefined=StrictUndefined, autoescape=True)


def _describe(error: TemplateError) -> str:
    if isinstance(error, TemplateSyntaxError):
        return f"broken placeholder syntax: {error.message}"
    if isinstance(error, UndefinedError):
        return f"missing value: {error.message}"
    return f"cannot be filled in: {error.message or error}"


def _set_language(document: Any, language: str) -> None:
    """Make ``language`` the default of every run (screen readers and spell check use it)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_default = defaults.find(qn("w:rPrDefault"))
    if run_default is None:
        run_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_default)
    run_properties = run_default.find(qn("w:rPr"))
    if run_properties is None:
        run_properties = OxmlElement("w:rPr")
        run_default.append(run_properties)
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), language)


def _leftover_placeholders(data: bytes) -> list[str]:
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for member in package.namelist():
            if member.endswith(".xml") or member.endswith(".rels"):
                text = package.read(member).decode("utf-8", errors="replace")
                if _LEFTOVER.search(re.sub(r"<[^>]+>", "", text)):
                    found.append(member)
    return found


def render_document(
    name: str, context: Mapping[str, Any], override_dir: Path | None = None
) -> bytes:
    """The finished .docx for document ``name`` (e.g. ``"zapytanie_o_cene"``) with ``context``.

    ``context`` is normally ``SomeDocument(...).context()`` from ``mailflow.documents``.
    """
    path = template_path(name, override_dir)
    template = load_template(path)
    try:
        template.render(dict(_with_images(context, template)), jinja_environment())
    except TemplateError as error:
        raise UserError(f"template {path.name}: {_describe(error)}") from error
    except etree.XMLSyntaxError as error:
        raise UserError(
            f"template {path.name}: placeholders break the document ({error})"
        ) from error
    document = template.docx
    properties = document.core_properties
    properties.title = str(context.get("document_title", properties.title or ""))
    properties.language = LANGUAGE
    office = context.get("office")
    if isinstance(office, Mapping) and office.get("name"):
        properties.author = str(office["name"])
        properties.last_modified_by = str(office["name"])
    _set_language(document, LANGUAGE)
    buffer = io.BytesIO()
    template.save(buffer)
    data = buffer.getvalue()
    leftovers = _leftover_placeholders(data)
    if leftovers:
        raise UserError(
            f"template {path.name}: placeholder syntax left in {', '.join(leftovers)}"
            " (a tag split by Word formatting, or a value containing '{{')"
        )
    return data
