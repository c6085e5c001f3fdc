"""Reads of the portal core for its pages: health, users, report jobs."""

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from portal import access
from portal.models import ReportJob, User

# One Redis client per process and broker URL: its connection pool keeps the socket open, so a
# probe costs one PING instead of a TCP connect and a kombu handshake per call.
_broker_clients: dict[str, Any] = {}


def broker_client(url: str) -> Any:
    """The process's pooled Redis client for a redis:// broker URL."""
    client = _broker_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        _broker_clients[url] = client
    return client


def _broker_ok() -> bool:
    from portal.celery import app

    # Celery's settings resolve CELERY_BROKER_URL / broker_url here without building a connection.
    url = str(app.conf.broker_write_url)
    if url.startswith(("redis://", "rediss://")):
        return bool(broker_client(url).ping())
    # Filesystem and memory transports (the embedded default) open no socket.
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return True


def health_status() -> dict:
    """What /healthz reports; names no host, user or error text."""
    result = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        result["database"] = "error"
    try:
        if not _broker_ok():
            result["broker"] = "error"
    except Exception:
        result["broker"] = "error"
    healthy = all(value == "ok" for value in result.values())
    return {"status": "ok" if healthy else "degraded", **result}


def users_for_management() -> QuerySet[User]:
    return User.objects.select_related("invited_by").order_by("role", "full_name")


def report_jobs_visible_to(user) -> QuerySet[ReportJob]:
    jobs = ReportJob.objects.select_related("requested_by")
    if access.is_window_staff(user) or access.is_official(user):
        return jobs
    return jobs.filter(requested_by=user)
