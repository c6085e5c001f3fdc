"""Answers /healthz before host validation and HTTPS redirects, so probes on 127.0.0.1 work."""

from django.http import JsonResponse

from portal.selectors import health_status


class HealthCheckMiddleware:
    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.path and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)


def health_response() -> JsonResponse:
    status = health_status()
    response = JsonResponse(status, status=200 if status["status"] == "ok" else 503)
    response["Cache-Control"] = "no-store"
    # Answered before the security middleware, so it sets the same headers itself.
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response
