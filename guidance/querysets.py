"""Chainable read filters, attached to managers with Manager.from_queryset()."""

from django.db import models


class ConsortiumQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The consortia this user may open; the rule itself is guidance.access.consortium_q."""
        from guidance import access

        return self.filter(access.consortium_q(user))


class MembershipQuerySet(models.QuerySet):
    def active(self):
        """Accepted members who have not left: pending or declined invitations never count."""
        from guidance import access

        return self.filter(access.active_membership_q())

    def pending(self):
        from guidance.models import MembershipState

        return self.filter(state=MembershipState.INVITED)


class MeasurementQuerySet(models.QuerySet):
    def on_day(self, kpi, day):
        return self.filter(kpi=kpi, measured_on=day)
