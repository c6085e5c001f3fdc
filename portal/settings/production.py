"""Production: PostgreSQL, Redis and Celery workers, configured only through the environment."""

from django.core.exceptions import ImproperlyConfigured

from portal.checks import PROCESS_LOCAL_CACHES
from portal.settings.base import *  # noqa: F403
from portal.settings.base import CACHES, DATABASES, SECRET_KEY, env

_PLACEHOLDER_KEYS = {"", "change-me", "changeme", "please-generate-a-secret-key"}


def _require_real_secret_key(key: str) -> str:
    """Refuse to start with no key, a placeholder, Django's insecure prefix or a short key."""
    if (
        key.strip().lower() in _PLACEHOLDER_KEYS
        or key.startswith(("django-insecure", "local-only-insecure"))
        or len(key) < 50
        or len(set(key)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    return key


SECRET_KEY = _require_real_secret_key(SECRET_KEY)
DEBUG = False
PORTAL_DEMO_LOGINS = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.bool(
    "ALLOW_SQLITE_IN_PRODUCTION", default=False
):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Sessions are read from the shared cache and written through to the database: one query less on
# every page of a logged-in person. Only with a shared cache: a process-local copy would keep a
# session another worker has logged out (`check --deploy` warns about such a cache, portal.W001).
if CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# HTTPS everywhere; a reverse proxy that terminates TLS sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
if env.bool("USE_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only when the proxy rewrites Host and passes the original in X-Forwarded-Host.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
USE_X_FORWARDED_PORT = env.bool("USE_X_FORWARDED_PORT", default=False)
# Login lock-outs per client address behind the proxy: AXES_PROXY_COUNT, read in base.py.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
