"""Ends a login after a period without requests, and tells the person why."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from portal.params import InvalidInput

SESSION_KEY = "portal_last_seen"
# Record activity at most once a minute, so that most requests write nothing to the session.
TOUCH_INTERVAL_SECONDS = 60


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_KEY)
            idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - last_seen > idle_limit:
                logout(request)
                minutes = int(idle_limit // 60)
                messages.info(
                    request,
                    f"{minutes}分間操作がなかったため、安全のためログアウトしました。"
                    "もう一度ログインしてください。",
                )
            elif last_seen is None or now - last_seen > TOUCH_INTERVAL_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in a query or form value is never meant (PostgreSQL refuses it in text):
    answer 400 before any view sees it, so no view has to remember."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _carries_nul(request.GET) or _carries_nul(request.POST):
            raise InvalidInput("入力に使えない文字（NUL）が含まれています。")
        return self.get_response(request)


def _carries_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """Pages for a logged-in person and every file (PDF, CSV, XLSX, evidence) carry personal
    data: no browser or shared cache may keep them. A view that set its own Cache-Control keeps
    it; public pages for anonymous visitors and static files (served before this) are untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _is_file(response):
            response["Cache-Control"] = NO_STORE
        return response


def _is_file(response) -> bool:
    if "attachment" in response.get("Content-Disposition", ""):
        return True
    content_type = response.get("Content-Type", "")
    return bool(content_type) and not content_type.startswith("text/html")
