"""Chainable filters on notices."""

from django.db import models
from django.db.models import F


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's own notices: nobody reads another person's (every rule of notices/access.py)."""
        from notices.access import notice_visible_q

        return self.filter(notice_visible_q(user))

    def unread(self):
        return self.filter(read_at__isnull=True)

    def unread_first(self):
        return self.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")

    def digest_pending(self):
        from notices.models import Delivery

        return self.filter(delivery=Delivery.DIGEST, digested_at__isnull=True)
