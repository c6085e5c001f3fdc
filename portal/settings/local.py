"""Embedded default for `make run`: SQLite in var/, filesystem broker, demo logins allowed."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import SECRET_KEY, env

# A fixed development key is acceptable only here; production refuses to start without its own.
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-kyodo-portal-embedded-default-0000"  # noqa: S105
PORTAL_DEMO_LOGINS = env.bool("PORTAL_DEMO_LOGINS", default=True)
# Static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
