"""The procurement part of the configuration: published criteria, rules and inquiry texts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mailflow.config import load_config
from mailflow.errors import ConfigError
from mailflow.offer_form import EXPERIENCE_LABEL, LABELS
from tests.configs import TEST_ENV, write_config


def _with_criteria(tmp_path: Path, criteria: str) -> Path:
    """The example with its criteria replaced by ``[[procurement.criteria]]`` tables."""
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("criteria = [")
    end = text.index("]\n", text.index("scale = [[0, 0]", start)) + 2
    tail = text[end:]
    web = tail.index("[web]")
    path.write_text(text[:start] + tail[:web] + criteria + "\n" + tail[web:], encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    return caught.value.problems


def test_the_example_publishes_price_and_experience_with_their_weights(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path), env=TEST_ENV)
    procurement = config.procurement
    assert [(c.name, c.weight, c.formula) for c in procurement.criteria] == [
        ("Cena brutto", 80, "lowest_price"),
        ("Doświadczenie w badaniach dla administracji publicznej", 20, "stated_number"),
    ]
    assert procurement.criteria[1].form_label == EXPERIENCE_LABEL in LABELS
    assert procurement.criteria[1].scale == ((0, 0), (1, 5), (3, 10), (5, 20))
    assert (procurement.late_offers, procurement.offer_form) == ("rejected", "form_or_email")
    assert sum(count for _, count in procurement.quotas) == config.procedure.sample_size
    assert [d.due for d in procurement.deliverables] == ["07-10", "07-10", "07-20"]
    assert procurement.cpv[0].startswith("79311000-7") and procurement.cpv[1].startswith(
        "79320000-3"
    )
    assert config.office.name_genitive == "Urzędu Miasta Przykładowo"
    coordinator = config.person_for(procurement.contact_role)
    assert (coordinator.position, coordinator.phone) != ("", "")


def test_the_eur_rate_is_dated_and_carries_its_source(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path), env=TEST_ENV)
    entry = config.procedure.eur_rate_entry(date(2027, 3, 1))
    assert entry is not None
    start, rate, source = entry
    assert (start, rate) == (date(2026, 1, 1), Decimal("4.31"))
    assert "art. 3 ust. 3" in source and "35" not in source
    assert config.procedure.eur_rate_entry(date(2025, 12, 31)) is None


def test_check_config_refuses_weights_that_do_not_add_up_to_100(tmp_path: Path) -> None:
    path = _with_criteria(
        tmp_path,
        """[[procurement.criteria]]
name = "Cena brutto"
weight = 70
formula = "lowest_price"

[[procurement.criteria]]
name = "Doświadczenie"
weight = 20
formula = "stated_number"
form_label = "Liczba badań dla podmiotów publicznych w ostatnich 3 latach"
scale = [[0, 0], [3, 20]]
""",
    )
    assert _problems(path) == [
        "procurement.criteria: the weights must add up to 100, got 70 + 20 = 90"
    ]


def test_a_stated_number_must_name_a_form_field_and_a_scale_reaching_the_weight(
    tmp_path: Path,
) -> None:
    path = _with_criteria(
        tmp_path,
        """[[procurement.criteria]]
name = "Cena brutto"
weight = 80
formula = "lowest_price"

[[procurement.criteria]]
name = "Doświadczenie"
weight = 20
formula = "stated_number"
form_label = "Doświadczenie"
scale = [[0, 0], [3, 10]]
""",
    )
    problems = _problems(path)
    assert [p.split(":")[0] for p in problems] == [
        "procurement.criteria[1].form_label",
        "procurement.criteria[1].scale",
    ]
    assert "it must give the weight, 20" in problems[1]


def test_unknown_rules_and_quotas_off_the_sample_are_refused(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            ("procurement", "late_offers"): '"office_decides"',
            ("procurement", "offer_form"): '"anything"',
            ("procurement", "quotas"): '{ "Biuro Obsługi Klienta" = 100 }',
        },
    )
    keys = [p.split(":")[0] for p in _problems(path)]
    assert keys == ["procurement.quotas", "procurement.late_offers", "procurement.offer_form"]


def test_the_office_name_in_the_genitive_is_required_not_derived(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('name_genitive = "Urzędu Miasta Przykładowo"\n', ""), encoding="utf-8"
    )
    assert _problems(path) == ["office.name_genitive: missing"]
