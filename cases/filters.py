"""The case library's filters: OR within a facet, AND across facets; the URL holds them all."""

import django_filters
from django.db.models import Q

from cases.models import AreaScope, Case, Form, Region

# Bands of member corporations, close to the report's own table (chapter 3 §3 (1)).
MEMBER_BANDS = (
    ("2-3", "2～3法人", 2, 3),
    ("4-5", "4～5法人", 4, 5),
    ("6-9", "6～9法人", 6, 9),
    ("10-20", "10～20法人", 10, 20),
    ("21-", "21法人以上", 21, None),
    ("none", "法人数の記載なし", None, None),
)

SORTS = (
    ("number", "事例番号順"),
    ("-founded_year", "設立の新しい順"),
    ("founded_year", "設立の古い順"),
    ("-member_count", "参加法人の多い順"),
    ("member_count", "参加法人の少ない順"),
    ("name_kana", "名称の五十音順"),
)


def member_band_q(code: str) -> Q:
    for band, _label, low, high in MEMBER_BANDS:
        if band == code:
            if band == "none":
                return Q(member_count__isnull=True)
            q = Q(member_count__gte=low)
            return q & Q(member_count__lte=high) if high else q
    return Q(pk__in=[])


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="キーワード", method="filter_q")
    form = django_filters.MultipleChoiceFilter(label="連携の形態", choices=Form.choices)
    legal_form = django_filters.MultipleChoiceFilter(label="法人格・組織形態", choices=())
    region = django_filters.MultipleChoiceFilter(
        label="地方", choices=Region.choices, method="filter_region"
    )
    prefecture = django_filters.MultipleChoiceFilter(
        label="都道府県", choices=(), method="filter_prefecture"
    )
    area = django_filters.MultipleChoiceFilter(
        label="連携の範囲", field_name="area_scope", choices=AreaScope.choices
    )
    operation = django_filters.MultipleChoiceFilter(
        label="協働内容", choices=(), method="filter_operation"
    )
    reason = django_filters.MultipleChoiceFilter(
        label="協働化の理由", choices=(), method="filter_reason"
    )
    members = django_filters.MultipleChoiceFilter(
        label="参加法人数",
        choices=[(code, label) for code, label, *_ in MEMBER_BANDS],
        method="filter_members",
    )
    sort = django_filters.OrderingFilter(
        label="並び順", fields=[s[0].lstrip("-") for s in SORTS], empty_label=None
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, values in (choices or {}).items():
            self.filters[name].extra["choices"] = values

    def filter_q(self, queryset, name, value):
        return queryset.matching(value)

    def filter_region(self, queryset, name, values):
        return queryset.filter(prefectures__region__in=values).distinct() if values else queryset

    def filter_prefecture(self, queryset, name, values):
        return queryset.in_prefectures(values)

    def filter_operation(self, queryset, name, values):
        return queryset.with_tags("operation", values)

    def filter_reason(self, queryset, name, values):
        return queryset.with_tags("reason", values)

    def filter_members(self, queryset, name, values):
        q = Q()
        for code in values:
            q |= member_band_q(code)
        return queryset.filter(q)
