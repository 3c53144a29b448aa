"""Files the program reads at run time, found inside the installed package.

The example configuration, the document templates, the migrations and the units all ship in
the wheel (``[tool.setuptools.package-data]``), so a checkout and an installed copy find them
the same way, with :mod:`importlib.resources`, never relative to the source tree.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def packaged(*parts: str) -> Path:
    """The path of ``mailflow/<parts...>`` in this installation (a plain file or folder)."""
    node = resources.files("mailflow")
    for part in parts:
        node = node / part
    # mailflow is installed as plain files (a wheel, or an editable checkout), never zipped,
    # so the traversable is a real path that can be given to docxtpl, Alembic and shutil.
    return Path(str(node))


EXAMPLE_CONFIG = packaged("config.example.toml")
TEMPLATES = packaged("doc_templates")
MIGRATIONS = packaged("migrations")
UNITS = packaged("deploy")
SCHEMAS = packaged("casefile", "schema")  # the XSD files the case file export validates against
