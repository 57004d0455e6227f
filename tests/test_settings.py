"""Typed settings: converted and checked once, errors naming the variable, secrets never shown."""

import logging

import pytest

from medialake.log import JsonFormatter
from medialake.settings import SETTINGS, Secret, SettingError, load_settings


def test_values_arrive_typed():
    settings = load_settings(environ={"MEDIALAKE_PORT": "8080", "MEDIALAKE_ACCESS_LOG": "off", "MEDIALAKE_WEBHOOKS": '{"a": "http://x"}'})
    assert settings.port == 8080 and settings.access_log is False and settings.webhooks == {"a": "http://x"}
    assert settings.local_version_check_seconds == 0.05 and isinstance(settings.cache_entries, int)


def test_every_default_is_valid_for_its_kind():
    settings = load_settings(environ={})
    for name, setting in SETTINGS.items():
        assert getattr(settings, name) == setting.convert(setting.default)


@pytest.mark.parametrize(
    ("env", "value", "accepts"),
    [
        ("MEDIALAKE_PORT", "80a", "an integer from 1 to 65535"),
        ("MEDIALAKE_PORT", "70000", "an integer from 1 to 65535"),
        ("MEDIALAKE_WORKERS", "0", "an integer >= 1"),
        ("MEDIALAKE_QUERY_TIMEOUT_SECONDS", "nan", "a number >= 0"),
        ("MEDIALAKE_ACCESS_LOG", "maybe", "1/0, true/false, yes/no or on/off"),
        ("MEDIALAKE_ENGINE", "spark3", "one of sail, spark, remote"),
        ("MEDIALAKE_WEBHOOKS", "[1, 2]", "a JSON object"),
        ("MEDIALAKE_DAY_END", "24:59", "a time of day as HH:MM"),
        ("MEDIALAKE_LAKEHOUSE_DIR", "", "a path"),
    ],
)
def test_a_wrong_value_names_the_variable_and_what_it_accepts(env, value, accepts):
    with pytest.raises(SettingError) as error:
        load_settings(environ={env: value})
    assert str(error.value) == f"{env} must be {accepts}, got {value!r}"


def test_an_unknown_override_is_refused():
    with pytest.raises(SettingError, match="unknown settings: \\['lakehous_dir'\\]"):
        load_settings({"lakehous_dir": "x"})


def test_secrets_never_appear_in_a_repr_a_log_line_or_the_flask_config(gold_lakehouse):
    from service import create_app

    token, key = "dapi-SECRET-1234", "sk-SECRET-5678"
    settings = load_settings(environ={"DATABRICKS_TOKEN": token, "OPENAI_API_KEY": key})
    assert settings.databricks_token.reveal() == token and settings.openai_api_key.reveal() == key
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "settings %s", (settings,), None)
    record.fields = {"settings": settings, "key": settings.openai_api_key}
    shown = repr(settings) + str(settings) + JsonFormatter().format(record)
    assert token not in shown and key not in shown and "********" in shown
    app = create_app({"LAKEHOUSE_DIR": gold_lakehouse, "OPENAI_API_KEY": key, "ACCESS_LOG": False})
    assert key not in repr(app.config) and isinstance(app.config["OPENAI_API_KEY"], Secret)


def test_a_secret_is_falsy_only_when_empty():
    assert not Secret("") and Secret("x") and Secret("x") == Secret("x") and repr(Secret("")) == "Secret('')"
