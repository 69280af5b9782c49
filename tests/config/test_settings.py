"""Settings from the environment: production safe by default, every security setting reachable,
DEBUG only when asked for by name, `check --deploy` clean, a key made once when embedded."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import embedded_secret_key, env_bool, env_int

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://pledges@127.0.0.1:5432/pledgebook",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "pledges.example.gov.cn",
    "SITE_URL": "https://pledges.example.gov.cn",
}
SHOWN = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "TRUSTED_PROXY",
]


def _clean_env(**extra) -> dict:
    """The machine's environment without anything this app reads, plus `extra`."""
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' conftest, refused by check --deploy.
    ours = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", *SHOWN}
    ours |= {"DJANGO_ALLOW_ASYNC_UNSAFE", "CSRF_TRUSTED_ORIGINS", "SESSION_IDLE_SECONDS"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}


def _settings_in(env: dict) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{k: getattr(settings, k) for k in {SHOWN!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_it_is_safe_by_default_in_production():
    shown = _settings_in(_clean_env(**PRODUCTION_ENV))
    assert shown["DEBUG"] is False
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["SECURE_HSTS_SECONDS"] >= 31536000
    assert shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and shown["SECURE_HSTS_PRELOAD"]
    assert shown["SESSION_COOKIE_SECURE"] and shown["CSRF_COOKIE_SECURE"]
    assert shown["TRUSTED_PROXY"] is False and shown["SECURE_PROXY_SSL_HEADER"] is None


def test_it_reads_every_security_setting_from_the_environment():
    shown = _settings_in(
        _clean_env(
            **PRODUCTION_ENV,
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="60",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
            SECURE_HSTS_PRELOAD="false",
            SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            TRUSTED_PROXY="true",
        )
    )
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 60
    assert not shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not shown["SECURE_HSTS_PRELOAD"]
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert not shown["SESSION_COOKIE_SECURE"] and not shown["CSRF_COOKIE_SECURE"]
    assert shown["TRUSTED_PROXY"] is True


def test_it_keeps_debug_off_in_the_embedded_mode_unless_asked_by_name():
    assert _settings_in(_clean_env())["DEBUG"] is False
    assert _settings_in(_clean_env(DEBUG="true"))["DEBUG"] is True
    embedded = _settings_in(_clean_env())
    assert embedded["SECURE_SSL_REDIRECT"] is False and embedded["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("word", ["true", "TRUE", " yes ", "1", "on"])
def test_it_reads_the_documented_true_words(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    assert env_bool("SOME_SWITCH", False) is True


@pytest.mark.parametrize("word", ["false", "False", "no", "0", "off"])
def test_it_reads_the_documented_false_words(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    assert env_bool("SOME_SWITCH", True) is False


def test_it_takes_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("SOME_SWITCH", raising=False)
    assert env_bool("SOME_SWITCH", True) is True
    monkeypatch.setenv("SOME_SWITCH", "")
    assert env_bool("SOME_SWITCH", True) is True


@pytest.mark.parametrize("word", ["ture", "flase", "enabled", "2", "true!"])
def test_it_refuses_a_mistyped_switch_naming_the_variable(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    with pytest.raises(ImproperlyConfigured, match="SOME_SWITCH"):
        env_bool("SOME_SWITCH", True)


@pytest.mark.parametrize("word", ["6o", "1.5", "sixty"])
def test_it_refuses_a_mistyped_number_naming_the_variable(monkeypatch, word):
    monkeypatch.setenv("SOME_NUMBER", word)
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_it_refuses_to_start_with_a_mistyped_security_switch():
    env = _clean_env(**PRODUCTION_ENV, SECURE_SSL_REDIRECT="ture")
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and "SECURE_SSL_REDIRECT='ture'" in out.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = _clean_env(DATABASE_URL=PRODUCTION_ENV["DATABASE_URL"])
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


def test_it_makes_an_embedded_secret_key_once(tmp_path):
    path = tmp_path / ".secret_key"
    first = embedded_secret_key(path)
    assert len(first) >= 50
    assert embedded_secret_key(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_it_keeps_the_embedded_key_out_of_git():
    out = subprocess.run(
        ["git", "check-ignore", "-q", ".secret_key"], cwd=BASE_DIR, capture_output=True
    )
    assert out.returncode == 0


def test_it_passes_check_deploy_with_production_settings():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_clean_env(**PRODUCTION_ENV),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_it_uses_database_health_checks_and_database_sessions():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
