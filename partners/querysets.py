"""Chainable read filters, attached to managers with Manager.from_queryset().

Visibility filters call the predicates of partners/access.py, where each rule is written once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from partners import access

if TYPE_CHECKING:  # named as strings in the base classes below, for mypy
    from partners.models import Corporation, Establishment, Introduction, SubMeeting  # noqa: F401


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

    def listed(self) -> EstablishmentQuerySet:
        """Establishments the latest national data still lists: what matching and search show
        unless asked for the closed ones."""
        return self.filter(closed_on__isnull=True)

    def unlisted(self) -> EstablishmentQuerySet:
        """Establishments a snapshot import no longer found (「最新データに掲載なし」)."""
        return self.filter(closed_on__isnull=False)


# The annotation `IntroductionQuerySet.with_declined_at()` adds.
DECLINED_AT: str = "declined_at"


class IntroductionQuerySet(models.QuerySet["Introduction"]):
    def visible_to(self, user) -> IntroductionQuerySet:
        """Introductions this user's corporation is party to; all of them for staff (rule 7)."""
        return self.filter(access.introduction_visible_q(user))

    def open(self) -> IntroductionQuerySet:
        return self.filter(status__in=access.OPEN_STATES)

    def with_declined_at(self) -> IntroductionQuerySet:
        """`declined_at`: when the introduction first became 辞退あり (None if no party declined).

        The one definition of 辞退あり for the list, the monthly table and the prefectural report:
        an introduction counts once, at its first decline, even if it was closed afterwards or
        more events were logged while it was declined.
        """
        from partners.models import IntroductionStatus

        first_decline = models.Min(
            "events__at", filter=models.Q(events__status=IntroductionStatus.DECLINED)
        )
        return self.annotate(**{DECLINED_AT: first_decline})

    def declined(self, *, since=None, until=None) -> IntroductionQuerySet:
        """Introductions that had a decline (first decline within [since, until) if given)."""
        # Q objects: the annotation is unknown to the type checker's model of the table.
        queryset = self.with_declined_at().filter(models.Q(declined_at__isnull=False))
        if since is not None:
            queryset = queryset.filter(models.Q(declined_at__gte=since))
        if until is not None:
            queryset = queryset.filter(models.Q(declined_at__lt=until))
        return queryset


class SubMeetingQuerySet(models.QuerySet["SubMeeting"]):
    def visible_to(self, user) -> SubMeetingQuerySet:
        """Sub-meetings this user may open as an event: all for staff, those their corporation
        was invited to for a manager (access rule 9)."""
        return self.filter(access.meeting_visible_q(user))
