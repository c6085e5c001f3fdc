"""The public landing page: what the window offers, the three STEPs, cases, programmes, contact."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cases.selectors import case_public_state, case_recent_public
from support.selectors import programmes_for_landing, public_state

LANDING_CACHE_SECONDS = 3600


def landing_cache_key() -> str:
    """Names one rendering of the page body; publishing or withdrawing a case, or changing a
    programme, changes it (the library's version from the cache and one aggregate query)."""
    raw = f"{case_public_state()}|{public_state()}|{settings.PORTAL_WINDOW_ADDRESS}"
    return "front:landing:" + hashlib.sha256(raw.encode()).hexdigest()


def landing(request):
    # Only the body is cached: the surrounding page carries this visitor's CSRF token and nav.
    key = landing_cache_key()
    body = cache.get(key)
    if body is None:
        context = {
            "cases": case_recent_public(limit=4),
            "programmes": programmes_for_landing(limit=6),
            "window_address": settings.PORTAL_WINDOW_ADDRESS,
            "window_hours": settings.PORTAL_WINDOW_HOURS,
            "window_phone": settings.PORTAL_WINDOW_PHONE,
            "window_name": settings.PORTAL_WINDOW_NAME,
        }
        body = render_to_string("front/landing.html#body", context)
        cache.set(key, body, LANDING_CACHE_SECONDS)
    return render(request, "front/landing.html", {"body": mark_safe(body)})  # noqa: S308
