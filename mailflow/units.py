"""``mailflow install-units``: the systemd units for the daemon and the status page, written
with this installation's paths. It writes files only; starting them is the administrator's
``systemctl enable --now``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import UserError
from mailflow.resources import UNITS

UNIT_NAMES = ("mailflow.service", "mailflow-web.service")
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class UnitSettings:
    mailflow: Path  # the installed console script
    config: Path
    data_dir: Path
    user: str = "mailflow"
    web_user: str | None = None  # None: the same user as the daemon
    env_dir: Path = Path("/etc/mailflow")


def installed_command() -> Path:
    """The ``mailflow`` script of this installation (beside this Python)."""
    script = Path(sys.executable).parent / "mailflow"
    if not script.is_file():
        raise UserError(f"no mailflow command beside {sys.executable}: install the package first")
    return script


def _checked_path(name: str, path: Path) -> str:
    if not path.is_absolute():
        raise UserError(f"{name} must be an absolute path, not {path}")
    text = str(path)
    if re.search(r"[\s\"'\\%$]", text):
        raise UserError(f"{name} {text!r}: a unit path must not contain spaces, quotes, % or $")
    return text


def render_units(settings: UnitSettings) -> dict[str, str]:
    """The text of each unit, with every placeholder filled in."""
    web_user = settings.web_user or settings.user
    for user in (settings.user, web_user):
        if not _USER.fullmatch(user):
            raise UserError(f"not a system user name: {user!r}")
    values = {
        "MAILFLOW": _checked_path("the mailflow command", settings.mailflow),
        "CONFIG": _checked_path("--config", settings.config),
        "DATA_DIR": _checked_path("storage.data_dir", settings.data_dir),
        "ENV_DIR": _checked_path("--env-dir", settings.env_dir),
        "USER": settings.user,
        "GROUP": settings.user,
        "WEB_USER": web_user,
        "WEB_GROUP": web_user,
    }
    units = {}
    for name in UNIT_NAMES:
        template = (UNITS / name).read_text(encoding="utf-8")
        units[name] = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    return units


def install_units(settings: UnitSettings, dest: Path, force: bool = False) -> list[Path]:
    """Write the units into ``dest``; an existing different unit is kept unless ``force``."""
    units = render_units(settings)
    if not dest.is_dir():
        raise UserError(f"{dest} is not a folder")
    written = []
    for name, content in units.items():
        path = dest / name
        if path.exists() and path.read_text(encoding="utf-8") != content and not force:
            raise UserError(f"{path} exists and differs: add --force to replace it")
    for name, content in units.items():
        path = dest / name
        try:
            path.write_text(content, encoding="utf-8")
            path.chmod(0o644)
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror}") from None
        written.append(path)
    return written
