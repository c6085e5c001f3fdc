"""The desk list's filters (django-filter): status, owner, channel, topic, overdue, period."""

import django_filters
from django import forms
from django.utils import timezone

from desk.models import Channel, Consultation, Status
from partners.models import Challenge
from portal.models import Role, User


class ConsultationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label="状態", choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    owner = django_filters.ModelChoiceFilter(
        label="担当者",
        queryset=User.objects.filter(role=Role.STAFF).order_by("full_name", "pk"),
        empty_label="すべて",
    )
    channel = django_filters.MultipleChoiceFilter(
        label="受付方法", choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    topic = django_filters.ModelChoiceFilter(
        label="相談の内容",
        field_name="topics",
        queryset=Challenge.objects.order_by("position"),
        empty_label="すべて",
        distinct=True,
    )
    overdue = django_filters.BooleanFilter(
        label="次の対応日を過ぎたものだけ",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    received_from = django_filters.DateFilter(
        label="受付日（から）",
        field_name="received_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label="受付日（まで）",
        field_name="received_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Consultation
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset
