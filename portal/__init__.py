"""Project package of kyodo-portal: settings, accounts and roles, shared pages and job machinery."""

from portal.celery import app as celery_app

__all__ = ("celery_app",)
