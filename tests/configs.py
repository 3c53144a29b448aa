"""Build real config files for tests from config.example.toml, with a few keys changed."""

from __future__ import annotations

import re
from pathlib import Path

from mailflow.resources import EXAMPLE_CONFIG

EXAMPLE = EXAMPLE_CONFIG

TEST_ENV = {
    "MAILFLOW_IMAP_PASSWORD": "imap-secret-Zx81",
    "MAILFLOW_SMTP_PASSWORD": "smtp-secret-Qw27",
    "MAILFLOW_WEB_SECRET": "web-secret-key-Lp93-long-enough",
}


def set_key(text: str, section: str, key: str, value: str) -> str:
    """Set ``key = value`` (value already in TOML syntax) inside ``[section]``."""
    header = f"[{section}]"
    start = text.index(header) + len(header)
    next_section = re.search(r"^\[", text[start:], flags=re.M)
    end = start + next_section.start() if next_section else len(text)
    body = text[start:end]
    line = re.compile(rf"^#?[ \t]*{re.escape(key)}[ \t]*=.*$", flags=re.M)
    if line.search(body):
        body = line.sub(f"{key} = {value}".replace("\\", "\\\\"), body, count=1)
    else:
        body = f"\n{key} = {value}" + body
    return text[:start] + body + text[end:]


def write_config(folder: Path, changes: dict[tuple[str, str], str] | None = None) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    changes = {("storage", "data_dir"): f'"{folder / "data"}"', **(changes or {})}
    for (section, key), value in changes.items():
        text = set_key(text, section, key, value)
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
