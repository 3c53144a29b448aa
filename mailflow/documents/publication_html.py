"""The publication as an HTML fragment page for the BIP: semantic, escaped, ``lang="pl"``.

The markup lives in ``doc_templates/publikacja_wynikow.html`` (Jinja2) so the office can
adapt it to its BIP; an override of the same name wins, as for the .docx templates.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from mailflow.documents.charts import Chart
from mailflow.documents.contexts import Publication
from mailflow.documents.render import TEMPLATES_DIR, jinja_environment
from mailflow.errors import UserError

TEMPLATE_NAME = "publikacja_wynikow.html"


def _html_template_path(override_dir: Path | None) -> Path:
    if override_dir is not None and (override_dir / TEMPLATE_NAME).is_file():
        return override_dir / TEMPLATE_NAME
    return TEMPLATES_DIR / TEMPLATE_NAME


def _chart_html(chart: Chart) -> dict[str, Any]:
    encoded = base64.b64encode(chart.png).decode("ascii")
    return {
        "src": f"data:image/png;base64,{encoded}",
        "alt_text": chart.alt_text,
        "title": chart.title,
    }


def render_publication_html(publication: Publication, override_dir: Path | None = None) -> str:
    """A complete HTML page (charts inline as PNG data URIs, each with its alt text)."""
    path = _html_template_path(override_dir)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"template {path.name} cannot be read ({error.strerror})") from error
    context = publication.context()
    context["charts"] = [_chart_html(chart) for chart in publication.charts]
    try:
        return jinja_environment().from_string(source).render(context)
    except TemplateError as error:
        raise UserError(f"template {path.name}: {error.message or error}") from error
