"""check-config says when a salutation or the signature of the e-mails is incomplete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailflow.config import Addressing, load_config
from mailflow.errors import ConfigError
from tests.configs import TEST_ENV, write_config


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    return caught.value.problems


def without_line(path: Path, section: str, key: str) -> Path:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"[{section}]")
    end = text.find("\n[", start + 1)
    body = re.sub(rf"^{key} = .*\n", "", text[start:end], count=1, flags=re.M)
    path.write_text(text[:start] + body + text[end:], encoding="utf-8")
    return path


def test_the_example_config_addresses_each_official_by_gender_and_title(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path), env=TEST_ENV)
    assert config.addressing_of("PREZYDENT@um.example.pl") == Addressing("m", "Prezydencie")
    assert config.addressing_of("ewa.kruk@um.example.pl") == Addressing("f", "Kierownik")
    assert config.addressing_of("zsz@um.example.pl") == Addressing()  # a team
    assert config.addressing_of("oferty@kwadrant.example.pl") == Addressing()  # a firm
    assert config.signature is not None and config.signature.phone == "24 364 10 42"


def test_a_mayor_without_a_title_is_reported_with_the_key(tmp_path: Path) -> None:
    path = without_line(write_config(tmp_path), "people.jan_prezydent", "title")
    assert [p for p in problems_of(path) if "title" in p] == [
        "people.jan_prezydent.title: missing: the title e-mails address this person by, "
        'as the salutation uses it (e.g. "Prezydencie", "Kierownik")'
    ]


def test_a_role_holder_without_a_gender_is_reported(tmp_path: Path) -> None:
    path = without_line(write_config(tmp_path), "people.marek_sikora", "gender")
    (problem,) = problems_of(path)
    assert problem.startswith("people.marek_sikora.gender: missing")


def test_a_gender_other_than_f_or_m_is_reported(tmp_path: Path) -> None:
    path = write_config(tmp_path, {("people.anna_wrona", "gender"): '"female"'})
    assert problems_of(path) == [
        'people.anna_wrona.gender: must be "f" (Pani) or "m" (Pan), got \'female\''
    ]


@pytest.mark.parametrize("field", ["name", "position", "unit", "phone", "email"])
def test_each_missing_signature_field_is_reported(tmp_path: Path, field: str) -> None:
    path = without_line(write_config(tmp_path), "signature", field)
    assert problems_of(path) == [f"signature.{field}: missing: every e-mail is signed with it"]


def test_a_config_without_a_signature_is_reported(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("[signature]")
    path.write_text(text[:start] + text[text.index("\n[", start + 1) :], encoding="utf-8")
    assert problems_of(path) == ["signature: missing section"]
