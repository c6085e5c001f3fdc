"""Production configuration: refuses weak secrets, secure cookies; Celery limits stay consistent."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from portal.celery import reliability_config
from tests.factories import PASSWORD

pytestmark = pytest.mark.once  # settings in fresh interpreters: the same on every engine

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k8Yq2v7n-ZpE4sR1tW9xB6cD3fG5hJ0lM2nP4qS6uV8wX1yZ3aC5eF7gH9iK"


def production_settings(**env) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter and print a few values."""
    code = (
        "import django, os; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.DEBUG,"
        " s.PORTAL_DEMO_LOGINS)"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    base.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
        ALLOWED_HOSTS="kyodo.example.jp",
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "key",
    ["", "change-me", "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghij", "short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = production_settings(SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_uses_secure_cookies_and_hsts():
    result = production_settings(SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "False", "False"]


def test_production_refuses_sqlite():
    result = production_settings(SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def _conf(**overrides):
    values = {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "CELERY_BROKER_DIR": Path("var/unused"),
        "CELERY_TASK_TIME_LIMIT": 600,
        "CELERY_TASK_SOFT_TIME_LIMIT": 540,
        "CELERY_VISIBILITY_TIMEOUT": 900,
        "CELERY_RETRY_BACKOFF_MAX": 300,
        "CELERY_UNACKED_RESTORE_INTERVAL": 10,
        "CELERY_UNACKED_RESTORE_THROTTLE": 1,
        "TIME_ZONE": "Asia/Tokyo",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_celery_reliability_settings_are_set_once():
    config = reliability_config(_conf())
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["task_time_limit"] == 600 and config["task_soft_time_limit"] == 540
    options = config["broker_transport_options"]
    assert options["visibility_timeout"] == 900
    # A dead worker's task comes back within interval x throttle seconds, not kombu's ~100 s.
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 10


def test_visibility_timeout_must_exceed_the_hard_time_limit():
    with pytest.raises(ImproperlyConfigured, match="VISIBILITY_TIMEOUT"):
        reliability_config(_conf(CELERY_VISIBILITY_TIMEOUT=600))
    with pytest.raises(ImproperlyConfigured, match="VISIBILITY_TIMEOUT"):
        reliability_config(_conf(CELERY_RETRY_BACKOFF_MAX=1200))


def test_soft_limit_must_be_below_the_hard_limit():
    with pytest.raises(ImproperlyConfigured, match="SOFT"):
        reliability_config(_conf(CELERY_TASK_SOFT_TIME_LIMIT=600))


def test_embedded_default_uses_a_filesystem_broker(tmp_path):
    config = reliability_config(
        _conf(CELERY_BROKER_URL="filesystem://", CELERY_BROKER_DIR=tmp_path)
    )
    assert config["broker_transport_options"]["data_folder_in"] == str(tmp_path / "queue")
    assert (tmp_path / "queue").is_dir()


def test_local_settings_need_no_environment():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "DJANGO_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.local"
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "ja",
        "Asia/Tokyo",
        "True",
    ]


def _proxy_settings(**env) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.AXES_IPWARE_PROXY_COUNT, s.USE_X_FORWARDED_HOST, s.USE_X_FORWARDED_PORT,"
        " s.SECURE_PROXY_SSL_HEADER[0], s.AXES_CLIENT_IP_CALLABLE)"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    for name in ("AXES_PROXY_COUNT", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT"):
        base.pop(name, None)
    base.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
        ALLOWED_HOSTS="kyodo.example.jp",
        SECRET_KEY=STRONG_KEY,
    )
    base.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_reads_the_proxy_settings_from_the_environment():
    assert _proxy_settings() == [
        "0",
        "False",
        "False",
        "HTTP_X_FORWARDED_PROTO",
        "portal.network.client_ip",
    ]
    assert _proxy_settings(
        AXES_PROXY_COUNT="1", USE_X_FORWARDED_HOST="true", USE_X_FORWARDED_PORT="true"
    )[:3] == ["1", "True", "True"]


def test_the_compose_environment_counts_its_tls_proxy():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert values["AXES_PROXY_COUNT"] == "1"
    assert values["USE_X_FORWARDED_PROTO"] == "true"


def _fail_logins(client, email, **meta):
    for _ in range(5):
        client.post(reverse("login"), {"username": email, "password": "wrong-password-0"}, **meta)


def _login(client, email, **meta):
    return client.post(reverse("login"), {"username": email, "password": PASSWORD}, **meta)


@pytest.mark.django_db
def test_behind_one_proxy_each_client_has_its_own_lockout(client, staff, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    _fail_logins(client, staff.email, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert (
        _login(client, staff.email, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    )
    # A forged address in front of the one the proxy appended changes nothing.
    forged = "198.51.100.9, 203.0.113.5"
    assert _login(client, staff.email, HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
    # Another client behind the same proxy is not locked out.
    assert (
        _login(client, staff.email, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 302
    )


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forwarded_header_does_not_escape_a_lockout(
    client, staff, settings
):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    _fail_logins(client, staff.email, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert _login(client, staff.email, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 429


def test_the_example_environment_reads_in_a_shell_as_check_deploy_reads_it():
    """scripts/check-deploy.sh sources .env.example: a value with spaces must be quoted."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail; set -a; . ./.env.example"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_each_xdist_worker_tests_on_its_own_redis_database(monkeypatch):
    from portal.settings import test as test_settings

    monkeypatch.setattr(test_settings, "XDIST_WORKER", 1)
    assert test_settings.redis_for_this_worker("redis://127.0.0.1:6379/12") == (
        "redis://127.0.0.1:6379/13"
    )
    assert test_settings.redis_for_this_worker("filesystem://") == "filesystem://"
    with pytest.raises(ImproperlyConfigured, match="0–15"):
        test_settings.redis_for_this_worker("redis://127.0.0.1:6379/15")
