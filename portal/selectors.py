"""Reads of the portal core for its pages: health, users, report jobs."""

from django.db import connection
from django.db.models import QuerySet

from portal import access
from portal.models import ReportJob, User


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
        from portal.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
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
