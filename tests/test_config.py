from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mailflow.config import load_config
from mailflow.errors import ConfigError, UserError
from tests.configs import TEST_ENV, write_config


def test_it_loads_the_example_config(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path), env=TEST_ENV)
    assert config.person_for("coordinator").email == "anna.wrona@um.example.pl"
    assert [p.key for p in config.people_for("unit_heads")] == ["halina_wydzial", "robert_wydzial"]
    assert config.procedure.contract_by == "06-15"
    assert config.procedure.survey_by == "06-30"
    assert config.procedure.eur_rate_on(date(2027, 3, 1)) == Decimal("4.31")
    assert config.procedure.eur_rate_on(date(2025, 3, 1)) is None
    assert config.procedure.pzp_threshold_net == Decimal("130000.00")
    assert config.imap.shared_mailbox is True
    assert config.imap.password == TEST_ENV["MAILFLOW_IMAP_PASSWORD"]
    assert config.database_url.startswith("sqlite:///")
    assert set(config.secrets) == set(TEST_ENV.values())
    assert config.role_of("ELZBIETA.SOWA@um.example.pl") == ["plenipotentiary"]


def test_it_reports_five_mistakes_at_once_each_with_its_key(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            ("imap", "port"): '"nine-nine-three"',
            ("smtp", "from_address"): '"ankieta-at-um.example.pl"',
            ("procedure", "contract_by"): '"06-31"',
            ("office", "bip_url"): '"bip.um.example.pl"',
            ("roles", "mayor"): '"nobody_here"',
        },
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    problems = caught.value.problems
    assert len(problems) == 5, problems
    keys = [p.split(":")[0] for p in problems]
    assert keys == [
        "imap.port",
        "smtp.from_address",
        "office.bip_url",
        "roles.mayor",
        "procedure.contract_by",
    ]


def test_a_missing_secret_variable_is_an_error_naming_it(tmp_path: Path) -> None:
    env = {k: v for k, v in TEST_ENV.items() if k != "MAILFLOW_SMTP_PASSWORD"}
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path), env=env)
    assert caught.value.problems == [
        "smtp.password_env: environment variable MAILFLOW_SMTP_PASSWORD is not set"
    ]


def test_environment_variables_override_keys(tmp_path: Path) -> None:
    env = {
        **TEST_ENV,
        "MAILFLOW_IMAP_PORT": "1143",
        "MAILFLOW_DATABASE_URL": "sqlite:///x.db",
        "MAILFLOW_IMAP_SHARED_MAILBOX": "false",
    }
    config = load_config(write_config(tmp_path), env=env)
    assert config.imap.port == 1143
    assert config.database_url == "sqlite:///x.db"
    assert config.imap.shared_mailbox is False


def test_a_bad_environment_override_is_reported_with_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path), env={**TEST_ENV, "MAILFLOW_IMAP_PORT": "lots"})
    assert caught.value.problems[0].startswith("imap.port: environment override")


def test_plain_imap_is_refused_off_loopback(tmp_path: Path) -> None:
    path = write_config(tmp_path, {("imap", "security"): '"none"'})
    with pytest.raises(ConfigError, match=r"imap\.security"):
        load_config(path, env=TEST_ENV)
    path = write_config(tmp_path, {("imap", "security"): '"none"', ("imap", "host"): '"127.0.0.1"'})
    assert load_config(path, env=TEST_ENV).imap.security == "none"


def test_fewer_than_three_vendors_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("[vendors.datapol]")
    path.write_text(text[:start] + text[text.index("[procedure]") :], encoding="utf-8")
    with pytest.raises(ConfigError, match="at least 3 survey firms"):
        load_config(path, env=TEST_ENV)


def test_invalid_nip_and_unknown_deputy_role_are_reported(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, {("office", "nip"): '"1234567890"', ("roles.deputies", "janitor"): '"tomasz_lis"'}
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    assert any(p.startswith("office.nip:") for p in caught.value.problems)
    assert any(p.startswith("roles.deputies.janitor:") for p in caught.value.problems)


def test_a_missing_file_is_a_one_line_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="config file not found"):
        load_config(tmp_path / "nope.toml", env=TEST_ENV)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[imap\nhost = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid TOML"):
        load_config(path, env=TEST_ENV)


def test_a_server_that_files_sent_needs_a_sent_folder_to_look_in(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, {("smtp", "server_files_sent"): "true", ("smtp", "sent_folder"): '""'}
    )
    with pytest.raises(ConfigError, match=r"smtp\.server_files_sent"):
        load_config(path, env=TEST_ENV)


def test_the_status_page_starts_without_the_mail_secrets_and_never_reads_them(
    tmp_path: Path,
) -> None:
    path = write_config(tmp_path)
    web_only = {"MAILFLOW_WEB_SECRET": TEST_ENV["MAILFLOW_WEB_SECRET"]}
    config = load_config(path, env=web_only, mail_secrets=False)
    assert config.web.secret_key == TEST_ENV["MAILFLOW_WEB_SECRET"]
    # Even when the variables happen to be set, the page's process does not pick them up.
    config = load_config(path, env=TEST_ENV, mail_secrets=False)
    assert config.imap.password is None and config.smtp.password is None
    assert set(config.secrets) == {TEST_ENV["MAILFLOW_WEB_SECRET"]}


def test_the_daemon_still_demands_the_mail_secrets_and_the_page_its_key(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    with pytest.raises(ConfigError) as daemon:
        load_config(path, env={"MAILFLOW_WEB_SECRET": TEST_ENV["MAILFLOW_WEB_SECRET"]})
    assert [p.split(":")[0] for p in daemon.value.problems] == [
        "imap.password_env",
        "smtp.password_env",
    ]
    with pytest.raises(ConfigError) as page:
        load_config(path, env={}, mail_secrets=False)
    assert page.value.problems == [
        "web.secret_key_env: environment variable MAILFLOW_WEB_SECRET is not set"
    ]


def test_check_config_never_echoes_a_secret_pasted_into_an_env_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, {("imap", "password_env"): '"Tajne-Haslo-2027!"'})
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    text = "\n".join(caught.value.problems)
    assert "imap.password_env" in text
    assert "Tajne-Haslo-2027!" not in text


def test_the_example_file_plan_gives_each_step_its_jrwa_class(tmp_path: Path) -> None:
    records = load_config(write_config(tmp_path), env=TEST_ENV).records
    assert records.case_class == "0543"
    assert [records.class_for_step(s).category for s in (0, 1, 2, 5, None)] == [
        "B5",
        "B5",
        "B10",
        "B5",
        "B5",
    ]
    assert records.class_for_step(1).symbol == "272"


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ('"273"', '{ title = "Umowy", category = "B-10" }', "records.classes.273.category: "),
        ('"0543"', '{ title = "Badania", category = "C" }', "records.classes.0543.category: "),
        ('"27x"', '{ title = "Umowy", category = "B10" }', "records.classes.27x: a JRWA symbol"),
        ('"12345"', '{ title = "Za długi", category = "A" }', "records.classes.12345: "),
    ],
)
def test_a_malformed_jrwa_symbol_or_category_is_one_problem_naming_its_key(
    tmp_path: Path, key: str, value: str, problem: str
) -> None:
    path = write_config(tmp_path, {("records.classes", key): value})
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith(problem)


def test_a_case_class_outside_the_case_prefix_is_reported(tmp_path: Path) -> None:
    path = write_config(tmp_path, {("records", "case_class"): '"272"'})
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TEST_ENV)
    assert caught.value.problems == [
        "records.case_class: class '272' does not appear in office.case_prefix 'OS.0543.3'"
    ]


def test_check_config_prints_one_line_for_a_bad_category(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailflow.cli import main

    for name, secret in TEST_ENV.items():
        monkeypatch.setenv(name, secret)
    path = write_config(tmp_path, {("records.classes", '"272"'): '{ title = "P", category = "B" }'})
    assert main(["check-config", "--config", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "config error: records.classes.272.category: an archival category is A, B<years>, "
        "BE<years> or Bc, got 'B'"
    ]
