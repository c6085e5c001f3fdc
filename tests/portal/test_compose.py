"""docker-compose.yml (no Docker engine here): its commands and variables match the code."""

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.once  # files read as text: the same on every engine

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
# Variables only the postgres image reads.
INFRA_VARIABLES = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_INITDB_ARGS"}
# Variables read by Django/Celery themselves rather than through django-environ.
FRAMEWORK_VARIABLES = {"DJANGO_SETTINGS_MODULE"}


def variables_read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "portal" / "settings").glob("*.py"):
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    return names


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_services_web_worker_beat_postgres_redis_with_healthchecks():
    services = COMPOSE["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_web_runs_gunicorn_and_worker_runs_celery_on_the_project_app():
    web, worker = COMPOSE["services"]["web"], COMPOSE["services"]["worker"]
    assert "gunicorn portal.wsgi:application" in web["command"]
    assert "migrate --noinput" in web["command"]
    assert worker["command"].startswith("celery -A portal worker")
    assert (ROOT / "portal" / "wsgi.py").exists() and (ROOT / "portal" / "celery.py").exists()
    for name in ("web", "worker", "beat"):
        environment = COMPOSE["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"


def test_beat_runs_the_projects_schedule_as_its_own_service():
    beat = COMPOSE["services"]["beat"]
    assert beat["command"].startswith("celery -A portal beat")
    # Its state file is in the writable var/ folder of the image, not among the sources.
    schedule = re.search(r"--schedule=(\S+)", beat["command"])
    assert schedule and schedule.group(1).startswith("/app/var/")
    assert "deploy" not in beat or beat["deploy"].get("replicas", 1) == 1  # one beat only
    assert beat["image"] == COMPOSE["services"]["worker"]["image"]
    assert beat["env_file"] == COMPOSE["services"]["worker"]["env_file"]
    assert "kill -0" in " ".join(beat["healthcheck"]["test"])


def test_data_lives_in_named_volumes():
    volumes = set(COMPOSE["volumes"])
    assert {"media", "postgres-data", "redis-data"} <= volumes
    for service in COMPOSE["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in volumes, mount


def test_compose_variables_are_ones_the_settings_read():
    read = variables_read_by_settings()
    for name in ("web", "worker", "beat"):
        environment = COMPOSE["services"][name]["environment"]
        for key in environment:
            assert key in read | FRAMEWORK_VARIABLES, key
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(
            environment
        )
    referenced = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (ROOT / "docker-compose.yml").read_text()))
    assert referenced <= set(env_example()), referenced - set(env_example())


def test_env_example_names_only_variables_something_reads():
    read = variables_read_by_settings() | INFRA_VARIABLES | FRAMEWORK_VARIABLES
    unknown = set(env_example()) - read
    assert not unknown, unknown
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "ALLOWED_HOSTS",
        "PORTAL_PREFECTURE",
        "EMAIL_URL",
    } <= set(env_example())
