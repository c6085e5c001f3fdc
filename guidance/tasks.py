"""Celery tasks: take ids, refetch, call a service."""
