"""Settings for pytest: the embedded default, or PostgreSQL + Redis when DATABASE_URL is set."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-insecure-key-kyodo-portal-0000000000000000000"  # noqa: S105
PORTAL_DEMO_LOGINS = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that worker processes started by tests see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}
PORTAL_DEMO_ESTABLISHMENTS = 300  # enough for every page, quick for tests
