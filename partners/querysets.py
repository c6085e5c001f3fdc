"""Chainable read filters, attached to managers with Manager.from_queryset().

Visibility filters call the predicates of partners/access.py, where each rule is written once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from partners import access

if TYPE_CHECKING:  # named as strings in the base classes below, for mypy
    from partners.models import Corporation, Establishment, Introduction  # noqa: F401


class CorporationQuerySet(models.QuerySet["Corporation"]):
    def visible_to(self, user) -> CorporationQuerySet:
        """Corporations whose name and page this user (or RegistryViewer) may see (rules 1–3)."""
        return self.filter(access.corporation_visible_q(user))

    def matchable_for(self, user) -> CorporationQuerySet:
        """Corporations this user's matching may offer (access rule 5)."""
        return self.filter(access.corporation_matchable_q(user))


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def visible_to(self, user) -> EstablishmentQuerySet:
        """Establishments of the corporations this user may see."""
        return self.filter(access.corporation_visible_q(user, prefix="corporation__"))


class IntroductionQuerySet(models.QuerySet["Introduction"]):
    def visible_to(self, user) -> IntroductionQuerySet:
        """Introductions this user's corporation is party to; all of them for staff (rule 7)."""
        return self.filter(access.introduction_visible_q(user))

    def open(self) -> IntroductionQuerySet:
        return self.filter(status__in=access.OPEN_STATES)
