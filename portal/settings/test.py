"""Settings for pytest: the embedded default, or PostgreSQL + Redis when DATABASE_URL is set.

Under pytest-xdist each worker process (gw0, gw1, ...) has its own databases: pytest-django gives
it its own SQLite file or PostgreSQL test database (suffix `_gw0`), and the Redis databases below
are shifted by the worker's number, so `redis://…/12` is db 12 for gw0 and db 13 for gw1.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import CELERY_BROKER_URL, DATABASES, VAR_DIR, env

SECRET_KEY = "test-only-insecure-key-kyodo-portal-0000000000000000000"  # noqa: S105
PORTAL_DEMO_LOGINS = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("PORTAL_TEST_EMAIL_URL"):
    # A worker process started by a test sends through the SMTP server that test runs.
    globals().update(env.email_url("PORTAL_TEST_EMAIL_URL"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that worker processes started by tests see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, emptying the database between transactional tests by DELETE, not
    # TRUNCATE (a second less per browser journey or real-worker test): tests/postgresql/base.py.
    DATABASES["default"]["ENGINE"] = "tests.postgresql"
PORTAL_DEMO_ESTABLISHMENTS = 300  # enough for every page, quick for tests

# gw0 → 0, gw1 → 1, ...; 0 outside xdist. Only the pytest process shifts: the Celery workers and
# `make run` it starts inherit the variable but are handed URLs that are shifted already.
XDIST_WORKER = (
    int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    if "pytest" in sys.modules
    else 0
)


def redis_for_this_worker(url: str) -> str:
    """The Redis URL with its database number moved up by this xdist worker's number."""
    if not url.startswith("redis://"):
        return url
    server, _, db = url.rpartition("/")
    number = int(db or 0) + XDIST_WORKER
    if number > 15:
        raise ImproperlyConfigured(
            f"xdist worker gw{XDIST_WORKER} would use Redis db {number} from {url}; "
            "Redis has databases 0–15: start lower or run fewer workers"
        )
    return f"{server}/{number}"


# The Redis database that real-worker tests flush and use as their broker.
CELERY_TEST_REDIS_URL = redis_for_this_worker(
    os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
)
CELERY_BROKER_URL = redis_for_this_worker(CELERY_BROKER_URL)
if "CELERY_BROKER_URL" in os.environ:
    # Celery reads this variable before its configuration; it must name this worker's database.
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL

if "MEDIA_ROOT" not in os.environ:
    # Files named after a row's id (an import run's rejects) must not meet another xdist worker's:
    # each worker numbers its rows from 1 in its own database.
    MEDIA_ROOT = VAR_DIR / f"test-media-gw{XDIST_WORKER}"
