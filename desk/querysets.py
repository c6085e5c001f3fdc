"""Chainable read filters of the desk."""

import datetime as dt

from django.db import models
from django.utils import timezone


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from desk.access import consultation_visible_q

        return self.filter(consultation_visible_q(user))

    def open(self):
        from desk.models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(follow_up_on__lt=today or timezone.localdate())

    def received_between(self, start: dt.date | None, end: dt.date | None):
        """Received on `start` … `end` (both included, local dates)."""
        qs = self
        if start:
            qs = qs.filter(received_at__date__gte=start)
        if end:
            qs = qs.filter(received_at__date__lte=end)
        return qs

    def closed_before(self, cutoff: dt.datetime):
        from desk.models import Status

        return self.filter(status=Status.DONE, closed_at__lt=cutoff)


class IntroductionRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        from desk.access import request_visible_q

        return self.filter(request_visible_q(user))

    def pending(self):
        return self.filter(status="pending")
