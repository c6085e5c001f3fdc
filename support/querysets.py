"""Read filters for programmes and documents; who sees which row is decided here."""

from django.db import models
from django.db.models import Q

from portal.access import is_window_staff


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Staff see drafts too; everyone else the published programmes."""
        return self if is_window_staff(user) else self.published()


class DocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Staff see everything; a logged-in user also the login-only documents; a visitor only
        the public ones. Lists, pages and downloads all ask this one rule."""
        if is_window_staff(user):
            return self
        rows = self.published()
        if user is not None and user.is_authenticated and user.is_active:
            return rows
        return rows.filter(Q(visibility="public"))
