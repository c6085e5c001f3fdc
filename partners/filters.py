"""Filters of the registry lists; the URL holds them all, so any filtered list can be exported."""

import django_filters
from django.db.models import Exists, OuterRef

from partners import catalogue
from partners.models import Establishment, ProviderProfile, SizeBand
from portal.search_index import matching_filter
from portal.text import search_terms

CONSENT_CHOICES = (("yes", "同意あり"), ("no", "同意なし・未回答"))
CORPORATION_SORTS = (
    ("number", "法人番号順"),
    ("kana", "五十音順"),
    ("-site_count", "事業所の多い順"),
    ("site_count", "事業所の少ない順"),
)
# Establishments a snapshot closed are hidden unless asked for (the empty choice is 掲載中).
LISTING_CHOICES = (("closed", "最新データに掲載なし"), ("all", "すべて"))
ESTABLISHMENT_SORTS = (
    ("number", "事業所番号順"),
    ("kana", "名称順"),
    ("-capacity", "定員の多い順"),
)


class _StableOrdering(django_filters.OrderingFilter):
    """Sorts by the chosen column, then by number, so that equal keys keep one order across pages."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "number")
        return qs


class _RegistryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称・番号・住所", method="filter_q")
    municipality = django_filters.ChoiceFilter(
        label="市区町村", choices=(), method="filter_place", empty_label="すべて"
    )
    category = django_filters.ChoiceFilter(
        label="サービスの区分",
        choices=catalogue.CATEGORIES,
        method="filter_category",
        empty_label="すべて",
    )
    service = django_filters.ChoiceFilter(
        label="サービスの種類", choices=(), method="filter_service", empty_label="すべて"
    )
    size = django_filters.ChoiceFilter(
        label="規模", choices=SizeBand.choices[1:], method="filter_size", empty_label="すべて"
    )
    challenge = django_filters.ChoiceFilter(
        label="経営課題", choices=(), method="filter_challenge", empty_label="すべて"
    )
    theme = django_filters.ChoiceFilter(
        label="関心テーマ", choices=(), method="filter_theme", empty_label="すべて"
    )
    consent = django_filters.ChoiceFilter(
        label="マッチング同意",
        choices=CONSENT_CHOICES,
        method="filter_consent",
        empty_label="すべて",
    )
    table = ""
    corporation_path = ""  # how to reach the corporation from a row

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, values in (choices or {}).items():
            self.filters[name].extra["choices"] = values

    def filter_q(self, queryset, name, value):
        return matching_filter(queryset, self.table, search_terms(value))

    def _profiles(self):
        return ProviderProfile.objects.filter(corporation=OuterRef(self.corporation_path or "pk"))

    def filter_challenge(self, queryset, name, value):
        return queryset.filter(Exists(self._profiles().filter(challenges__code=value)))

    def filter_theme(self, queryset, name, value):
        return queryset.filter(Exists(self._profiles().filter(themes__code=value)))

    def filter_consent(self, queryset, name, value):
        consented = Exists(self._profiles().filter(consent_matching=True))
        return queryset.filter(consented) if value == "yes" else queryset.exclude(consented)


class CorporationFilter(_RegistryFilter):
    # 五十音順 reads the name without its legal form (partners/names.py), not 社会福祉法人 first.
    sort = _StableOrdering(
        label="並び順",
        fields=(("number", "number"), ("sort_key", "kana"), ("site_count", "site_count")),
        empty_label=None,
    )
    table = "partners_corporation"

    def filter_place(self, queryset, name, value):
        sites = Establishment.objects.listed().filter(
            corporation=OuterRef("pk"), municipality_id=value
        )
        return queryset.filter(Exists(sites))

    def filter_service(self, queryset, name, value):
        sites = Establishment.objects.listed().filter(
            corporation=OuterRef("pk"), service_type=value
        )
        return queryset.filter(Exists(sites))

    def filter_category(self, queryset, name, value):
        sites = Establishment.objects.listed().filter(
            corporation=OuterRef("pk"), service_type__in=catalogue.names_in_category(value)
        )
        return queryset.filter(Exists(sites))

    def filter_size(self, queryset, name, value):
        return queryset.filter(size_band=value)


class EstablishmentFilter(_RegistryFilter):
    sort = _StableOrdering(
        label="並び順", fields=[s[0].lstrip("-") for s in ESTABLISHMENT_SORTS], empty_label=None
    )
    listing = django_filters.ChoiceFilter(
        label="掲載状況",
        choices=LISTING_CHOICES,
        method="filter_listing",
        empty_label="最新データに掲載中",
    )
    table = "partners_establishment"
    corporation_path = "corporation_id"

    def filter_queryset(self, queryset):
        # The default (nothing chosen) is a filter too: only what the latest data lists.
        if not self.form.cleaned_data.get("listing"):
            queryset = queryset.listed()
        return super().filter_queryset(queryset)

    def filter_listing(self, queryset, name, value):
        return queryset.unlisted() if value == "closed" else queryset

    def filter_place(self, queryset, name, value):
        return queryset.filter(municipality_id=value)

    def filter_service(self, queryset, name, value):
        return queryset.filter(service_type=value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(service_type__in=catalogue.names_in_category(value))

    def filter_size(self, queryset, name, value):
        return queryset.filter(corporation__size_band=value)
