"""Answers /healthz before host validation and HTTPS redirects, so probes on 127.0.0.1 work."""

from django.http import JsonResponse

from portal.selectors import health_status


class HealthCheckMiddleware:
    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.path and request.method in ("GET", "HEAD"):
            status = health_status()
            response = JsonResponse(status, status=200 if status["status"] == "ok" else 503)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
