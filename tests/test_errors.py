"""A refusal the status page may show is translatable; the CLI still prints the same English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mailflow.db import models
from mailflow.errors import ConfigError, UserError
from mailflow.procedure import require_step
from tests.configs import write_config
from tests.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "web_status/translations/pl/LC_MESSAGES/messages"
# The modules whose refusals reach the status page through web_status/actions.py.
PAGE_MODULES = (
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "mailflow/procedure").glob("*.py")),
    "mailflow/paperwork.py",
    "mailflow/quarantine.py",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")


def templates_in(path: Path) -> list[tuple[int, str]]:
    """(line, template) of every ``UserError.of("…")`` in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "of"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "UserError"
        ):
            first = node.args[0]
            # A template built at run time could never be in the catalogue.
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), node.lineno
            found.append((node.lineno, first.value))
    return found


def all_templates() -> dict[str, str]:
    return {
        template: f"{module}:{line}"
        for module in PAGE_MODULES
        for line, template in templates_in(ROOT / module)
    }


def test_the_text_is_the_english_template_filled_in() -> None:
    error = UserError.of("the campaign for %(year)s already exists", year=2027)
    assert str(error) == "the campaign for 2027 already exists"
    assert (error.template, dict(error.params)) == (
        "the campaign for %(year)s already exists",
        {"year": 2027},
    )
    assert str(UserError.of("%(vendor)r is not a vendor", vendor="evil")) == (
        "'evil' is not a vendor"
    )
    # Without values the template is not %-formatted, as flask-babel's gettext does it.
    assert str(UserError.of("100% sure")) == "100% sure"


def test_an_error_raised_the_plain_way_has_no_template() -> None:
    plain, config = UserError("bad input"), ConfigError(["imap.port: too big"])
    assert (plain.template, dict(plain.params)) == (None, {})
    assert (config.template, str(config)) == (None, "imap.port: too big")


def test_the_wrong_step_reads_as_before_with_one_or_two_steps() -> None:
    campaign = models.Campaign(year=2027, step=5)
    with pytest.raises(UserError) as one:
        require_step(campaign, 0)
    assert str(one.value) == "campaign 2027 is at step 5; this is possible at step 0"
    with pytest.raises(UserError) as two:
        require_step(campaign, 1, 2)
    assert str(two.value) == "campaign 2027 is at step 5; this is possible at step 1 or 2"
    require_step(campaign, 4, 5)


def test_the_cli_prints_the_same_english_line(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert run("init", "--config", config, cwd=tmp_path).returncode == 0
    shown = run("campaign", "show", "2031", "--config", config, cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (1, "error: there is no campaign for 2031\n")
    started = run("campaign", "start", "1999", "--config", config, cwd=tmp_path)
    assert started.stderr == (
        "error: a campaign is for this year or the next or last one, not 1999\n"
    )


def test_every_refusal_in_the_page_modules_is_translatable() -> None:
    # A plain ``UserError("…")`` here would reach a Polish page in English.
    for module in PAGE_MODULES:
        source = (ROOT / module).read_text(encoding="utf-8")
        assert re.findall(r"raise UserError\(.*", source) == [], module
    assert len(all_templates()) >= 25


def test_every_refusal_has_a_polish_translation_with_the_same_values() -> None:
    with CATALOGUE.with_suffix(".po").open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for template, where in all_templates().items():
        entry = catalog.get(template)
        if entry is None or not entry.string:
            problems.append(f"{where}: no translation of {template!r}")
            continue
        names = set(PLACEHOLDER.findall(template))
        if set(PLACEHOLDER.findall(str(entry.string))) != names:
            problems.append(f"{where}: the translation has other values than {template!r}")
        elif names and "python-format" not in entry.flags:
            problems.append(f"{where}: {template!r} is not flagged python-format")
    assert problems == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    # The page reads the .mo: a translation added to the .po only is never shown.
    def key(value: object) -> object:  # plural forms: a tuple in the .po, a list in the .mo
        return tuple(value) if isinstance(value, list | tuple) else value

    with CATALOGUE.with_suffix(".po").open("rb") as handle:
        source = {key(m.id): key(m.string) for m in read_po(handle) if m.id and m.string}
    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = {key(m.id): key(m.string) for m in read_mo(handle) if m.id}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}
