"""Celery tasks of the desk: they take ids, refetch and send."""

from celery import shared_task

from desk import services
from portal.celery import ReliableTask


@shared_task(name="desk.send_consultation_mail", base=ReliableTask)
def send_consultation_mail(consultation_id: int) -> int:
    return services.consultation_mail_send(consultation_id=consultation_id)
