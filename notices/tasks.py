"""Celery tasks of notices: they take ids, refetch and call a service."""

import smtplib

from celery import shared_task

from notices import services
from portal.celery import ReliableTask

# A mail server that refuses or drops the connection is worth another try, with backoff.
MAIL_ERRORS = (*ReliableTask.autoretry_for, smtplib.SMTPException, OSError)


@shared_task(name="notices.send_notice_mail", base=ReliableTask, autoretry_for=MAIL_ERRORS)
def send_notice_mail(notice_id: int) -> int:
    return services.notice_mail_send(notice_id=notice_id)


@shared_task(name="notices.send_digest_mail", base=ReliableTask, autoretry_for=MAIL_ERRORS)
def send_digest_mail(user_id: int) -> int:
    return services.digest_mail_send(user_id=user_id)


@shared_task(name="notices.send_reminders", base=ReliableTask)
def send_reminders() -> dict[str, int]:
    """Every morning at 08:00 (Asia/Tokyo) by beat, and `manage.py send_reminders`."""
    return services.reminders_run()
