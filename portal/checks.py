"""Deployment checks of the portal (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Cached pages are keyed on data versions kept in the cache (portal/versions.py), and rate
    limits count there: every web and worker process must see the same cache."""
    if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "CACHE_URL names no cache shared by the processes (e.g. redis://redis:6379/1): "
                "a write in one process would not renew the pages another has cached.",
                id="portal.W001",
            )
        ]
    return []
