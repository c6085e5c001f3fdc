"""Chainable read filters of the case library."""

from django.db import models

from portal.search_index import matching_filter
from portal.text import search_terms


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def visible_to(self, user):
        from portal.access import can_curate_cases

        return self if can_curate_cases(user) else self.published()

    def from_report(self):
        return self.filter(source_kind="report")

    def matching(self, query: str):
        """Every word of the query appears in the case's normalised text (names, stages, tags).

        PostgreSQL answers LIKE from its pg_trgm index. SQLite asks its FTS5 trigram table for
        words of three characters or more; shorter words (災害, ICT is three) use LIKE, which
        gives the same answer on both.
        """
        return matching_filter(self, "cases_case", search_terms(query))

    def with_tags(self, kind: str, codes: list[str]):
        """OR within one facet: cases carrying any of these tags of one kind."""
        if not codes:
            return self
        return self.filter(tags__kind=kind, tags__code__in=codes).distinct()

    def in_prefectures(self, names: list[str]):
        if not names:
            return self
        return self.filter(prefectures__name__in=names).distinct()
