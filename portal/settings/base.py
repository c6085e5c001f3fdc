"""Settings shared by every environment; every value that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The prefecture whose one-stop window runs this portal (shown in the header, used as a default).
PORTAL_PREFECTURE = env("PORTAL_PREFECTURE", default="長野県")
PORTAL_WINDOW_NAME = env("PORTAL_WINDOW_NAME", default="介護生産性向上総合相談センター")
# Absolute address of the portal, for links in exports and e-mails made outside a request.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The window's contact details, printed in the colophon of the publications (empty: left out).
PORTAL_WINDOW_ADDRESS = env("PORTAL_WINDOW_ADDRESS", default="")
PORTAL_WINDOW_PHONE = env("PORTAL_WINDOW_PHONE", default="")
PORTAL_WINDOW_EMAIL = env("PORTAL_WINDOW_EMAIL", default="")
PORTAL_WINDOW_HOURS = env("PORTAL_WINDOW_HOURS", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "portal",
    "notices",
    "cases",
    "partners",
    "guidance",
    "support",
    "desk",
    "oversight",
    "front",
]

MIDDLEWARE = [
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.IdleSessionTimeoutMiddleware",
    "portal.middleware.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must come last so it sees every failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "notices.context_processors.unread",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "portal.templatetags.portal_tags",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
# Embedded default: SQLite under var/. Production: DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker process writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # A transaction that reads and then writes (claiming a job or a render) must wait for the
    # write lock at BEGIN; a deferred one fails at once with "database is locked" when another
    # process wrote in between, whatever the timeout.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: in-process by default; CACHE_URL=redis://host:6379/1 shares it between processes.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.cache.RedisCache"  # one client per pool, not per call

# --- Accounts, login and sessions -------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out username+IP pairs before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "portal.backends.EmailBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle sessions end after this many minutes without a request (the middleware says why).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30))
# Absolute upper bound of one login, whatever the activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Demo accounts created by seed_demo may log in only where this is true (local and test).
PORTAL_DEMO_LOGINS = False
# Establishments the demo prefecture gets from the synthetic generator (seed_demo).
PORTAL_DEMO_ESTABLISHMENTS = 3000

# django-axes: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Reverse proxies in front of Django that append to X-Forwarded-For (the compose stack's TLS
# proxy: 1). 0 trusts no header: every lock-out is keyed on REMOTE_ADDR. portal.network reads it.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_CLIENT_IP_CALLABLE = "portal.network.client_ip"

# --- Security headers (every environment) -----------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # htmx is served from static/ and runs with allowEval off: no inline or eval'd script.
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "ja"
# Django's own messages reworded to read naturally (portal/locale/ja/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail (console by default; SMTP through EMAIL_URL=smtp+tls://user:pass@host:587) ---------
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="kyodo-portal <no-reply@example.jp>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 60 * 60)

# --- Celery -----------------------------------------------------------------------------------
# Embedded default: the filesystem transport needs no server, yet tasks run in a real worker.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
# Hard and soft limits of the longest task; the broker's visibility timeout must exceed them.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
CELERY_UNACKED_RESTORE_INTERVAL = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10)
CELERY_UNACKED_RESTORE_THROTTLE = env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=1)
CELERY_RETRY_BACKOFF_MAX = env.int("CELERY_RETRY_BACKOFF_MAX", default=300)
CELERY_MAX_RETRIES = env.int("CELERY_MAX_RETRIES", default=5)
# A renderer silent this long is taken for dead, and an identical job waiting on it takes over.
REPORT_RENDER_STALE_SECONDS = env.int("REPORT_RENDER_STALE_SECONDS", default=120)
# A queued or running report job whose heartbeat is older than this has no live worker: no attempt
# runs past the hard limit, and a retry's countdown (at most the backoff cap) refreshes the
# heartbeat when it is scheduled. The sweep re-queues such a job and a new request does not wait
# for it.
REPORT_JOB_STALE_SECONDS = env.int(
    "REPORT_JOB_STALE_SECONDS",
    default=max(CELERY_TASK_TIME_LIMIT, CELERY_RETRY_BACKOFF_MAX) + 60,
)
# Periodic tasks, run by `celery beat` (make run, the compose `beat` service). The schedule is
# static code, reviewed like any other: no django-celery-beat tables that drift from the
# repository and no extra dependency. `expires` drops a sweep no worker picked up in time, so
# sweeps do not pile up while the workers are down.
CELERY_BEAT_SCHEDULE = {
    "portal.sweep_report_jobs": {
        "task": "portal.sweep_report_jobs",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # The morning scan: reminders (due and overdue actions, stalled consortia, unanswered
    # introductions, follow-ups due) and the daily digest. 08:00 in TIME_ZONE (Asia/Tokyo: the
    # app's timezone). Idempotent, so a doubled or late run mails nothing twice.
    "notices.send_reminders": {
        "task": "notices.send_reminders",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    # Registry imports whose process was killed are marked interrupted (a rerun completes them).
    "partners.sweep_import_runs": {
        "task": "partners.sweep_import_runs",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
}
# Beat's own state (last run times) stays out of the repository.
CELERY_BEAT_SCHEDULE_FILENAME = VAR_DIR / "celerybeat-schedule"

# --- Sub-meetings as events -------------------------------------------------------------------
# The reminder of a sub-meeting goes this many days before it (partners.send_meeting_reminders).
MEETING_REMINDER_DAYS = env.int("MEETING_REMINDER_DAYS", default=3)
# The answer link of an invitation mail stays valid this long (seconds).
MEETING_RSVP_MAX_AGE = env.int("MEETING_RSVP_MAX_AGE", default=180 * 24 * 60 * 60)
MEETING_MINUTES_MAX_BYTES = env.int("MEETING_MINUTES_MAX_BYTES", default=10 * 1024 * 1024)

# --- Imports of the registry ------------------------------------------------------------------
# An import that has not written its heartbeat for this long was killed; it is marked interrupted.
IMPORT_RUN_STALE_SECONDS = env.int("IMPORT_RUN_STALE_SECONDS", default=300)
# One CSV record (a line, or several when a quoted value spans lines), in characters.
IMPORT_CSV_MAX_RECORD_CHARS = env.int("IMPORT_CSV_MAX_RECORD_CHARS", default=100_000)
# The providers' survey (CSV or XLSX) is read whole before anything is written: keep it small.
IMPORT_PROFILES_MAX_BYTES = env.int("IMPORT_PROFILES_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_PROFILES_MAX_ROWS = env.int("IMPORT_PROFILES_MAX_ROWS", default=20_000)
# An XLSX is a zip: its members' uncompressed size and its rows' cells are checked before opening.
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int(
    "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024
)
IMPORT_XLSX_MAX_COLUMNS = env.int("IMPORT_XLSX_MAX_COLUMNS", default=256)

# --- Consultation desk ------------------------------------------------------------------------
# Closed consultations are deleted this many days after closing (manage.py purge_consultations).
CONSULTATION_RETENTION_DAYS = env.int("CONSULTATION_RETENTION_DAYS", default=3 * 365)
# Accepted submissions of the public form per client address (django-ratelimit's rate syntax).
CONSULT_RATE = env("CONSULT_RATE", default="5/h")
# django-ratelimit counts in the default cache; production shares it through CACHE_URL (Redis).
RATELIMIT_USE_CACHE = "default"

# --- Notices --------------------------------------------------------------------------------------
# Days an introduction waits for a party's answer before its manager is reminded (again every
# as many days), and days without activity after which a consortium counts as stalled.
NOTICE_INTRODUCTION_WAIT_DAYS = env.int("NOTICE_INTRODUCTION_WAIT_DAYS", default=7)
NOTICE_ACTION_DUE_DAYS = env.int("NOTICE_ACTION_DUE_DAYS", default=3)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every page it lays out at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
