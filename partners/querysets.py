"""Chainable read filters, attached to managers with Manager.from_queryset().

Visibility filters call the predicates of partners/access.py, where each rule is written once."""

from django.db import models

from partners import access


class CorporationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Corporations whose name and page this user may see (access rules 1–3)."""
        return self.filter(access.corporation_visible_q(user))

    def matchable_for(self, user):
        """Corporations this user's matching may offer (access rule 5)."""
        return self.filter(access.corporation_matchable_q(user))


class EstablishmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Establishments of the corporations this user may see."""
        return self.filter(access.corporation_visible_q(user, prefix="corporation__"))


class IntroductionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Introductions this user's corporation is party to; all of them for staff (rule 7)."""
        return self.filter(access.introduction_visible_q(user))

    def open(self):
        return self.filter(status__in=access.OPEN_STATES)
