"""``mailflow templates check``: each template's placeholders against what the renderer gives.

Problems name the template and the placeholder, one line each, so an official who edited a
template in Word learns exactly which field they mistyped.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateSyntaxError

from mailflow.documents.contexts import DOCUMENT_NAMES
from mailflow.documents.examples import example_documents
from mailflow.documents.render import (
    jinja_environment,
    load_template,
    render_document,
    template_path,
)
from mailflow.errors import UserError


def template_placeholders(name: str, override_dir: Path | None = None) -> list[str]:
    """The top-level names template ``name`` uses (``office``, ``case_ref``, ...), sorted."""
    path = template_path(name, override_dir)
    template = load_template(path)
    try:
        names = template.get_undeclared_template_variables(jinja_environment())
    except TemplateSyntaxError as error:
        message = f"template {path.name}: broken placeholder syntax: {error.message}"
        raise UserError(message) from error
    return sorted(names)


def check_templates(override_dir: Path | None = None) -> list[str]:
    """Every problem with the templates in use (the office's overrides win), or ``[]``."""
    problems: list[str] = []
    if override_dir is not None and override_dir.is_dir():
        for stray in sorted(override_dir.glob("*.docx")):
            if stray.stem not in DOCUMENT_NAMES and not stray.name.startswith("~$"):
                problems.append(f"{stray}: not a known document name, ignored")
    examples = example_documents()
    for name in DOCUMENT_NAMES:
        context = examples[name].context()
        try:
            placeholders = template_placeholders(name, override_dir)
        except UserError as error:
            problems.append(str(error))
            continue
        unknown = [p for p in placeholders if p not in context]
        problems.extend(
            f"{name}.docx: placeholder {{{{ {p} }}}} is not provided by the renderer"
            f" (known: {', '.join(sorted(context))})"
            for p in unknown
        )
        if unknown:
            continue
        # A trial render finds what names alone cannot: {{ office.fax }}, a split tag.
        try:
            render_document(name, context, override_dir)
        except UserError as error:
            problems.append(str(error))
    return problems
