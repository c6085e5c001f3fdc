"""Reads of the desk for its pages, exports, panels and the oversight figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncMonth

from desk.filters import ConsultationFilter
from desk.models import (
    Channel,
    Consultation,
    ConsultationNote,
    IntroductionRequest,
    Outcome,
    RequestStatus,
)
from partners.models import Challenge, Corporation


def consultation_list(*, params, user) -> tuple[ConsultationFilter, QuerySet[Consultation]]:
    """The filtered desk list: a constant number of queries whatever the row count."""
    base = (
        Consultation.objects.visible_to(user)
        .select_related("owner", "corporation")
        .prefetch_related(Prefetch("topics", queryset=Challenge.objects.order_by("position")))
    )
    flt = ConsultationFilter(params or None, queryset=base)
    queryset = flt.qs if (not flt.is_bound or flt.is_valid()) else base.none()
    return flt, queryset


PAGE_SIZE = 50


def consultation_page(*, params, user):
    """The desk list page: the filter and one page of its rows (every row reachable, page by page)."""
    flt, queryset = consultation_list(params=params, user=user)
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    return flt, page


def consultation_detail(*, pk: int, user) -> Consultation | None:
    """One consultation with its whole story (timeline, outcomes, an introduction request)."""
    return (
        Consultation.objects.visible_to(user)
        .select_related("owner", "corporation", "created_by")
        .prefetch_related(
            Prefetch("topics", queryset=Challenge.objects.order_by("position")),
            Prefetch("notes", queryset=ConsultationNote.objects.select_related("by")),
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.select_related(
                    "introduction", "referral__consortium", "consortium", "submeeting", "by"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def request_for(consultation: Consultation) -> IntroductionRequest | None:
    return (
        IntroductionRequest.objects.filter(consultation=consultation)
        .select_related("corporation", "introduction", "decided_by")
        .prefetch_related(Prefetch("candidates", queryset=Corporation.objects.order_by("number")))
        .first()
    )


EXPORT_HEADER = [
    "受付番号",
    "受付日時",
    "受付方法",
    "件名",
    "相談の内容",
    "法人番号",
    "法人名・事業所名",
    "相談者",
    "メールアドレス",
    "電話番号",
    "担当者",
    "状態",
    "次の対応日",
    "完了日時",
]


def export_rows(queryset: QuerySet[Consultation]):
    for c in queryset:
        yield [
            c.pk,
            c.received_at,
            c.get_channel_display(),
            c.summary,
            "、".join(t.label for t in c.topics.all()),
            c.corporation.number if c.corporation else c.corporation_number,
            c.corporation.name if c.corporation else c.corporation_name,
            c.contact_name,
            c.email,
            c.phone,
            (c.owner.full_name or c.owner.email) if c.owner else "",
            c.get_status_display(),
            c.follow_up_on,
            c.closed_at,
        ]


def corporation_consultations(*, corporation: Corporation, user) -> list[Consultation]:
    return list(
        Consultation.objects.visible_to(user)
        .filter(corporation=corporation)
        .select_related("owner")
        .order_by("-received_at")[:50]
    )


def requests_of(*, user, corporation: Corporation | None = None) -> list[IntroductionRequest]:
    """The introduction requests a user may see (a manager: their corporation's)."""
    qs = IntroductionRequest.objects.visible_to(user)
    if corporation is not None:
        qs = qs.filter(corporation=corporation)
    return list(
        qs.select_related("corporation", "introduction").prefetch_related(
            Prefetch("candidates", queryset=Corporation.objects.order_by("number"))
        )[:20]
    )


def _no_requests_key(number: str) -> str:
    return f"desk:no-introduction-requests:{number}"


def has_no_requests(*, number: str) -> bool:
    """Most managers never ask: their home page should not pay a query for an empty panel on
    every visit. The answer is cached (a minute at most; services forget it on every write)."""
    key = _no_requests_key(number)
    cached = cache.get(key)
    if cached is None:
        cached = not IntroductionRequest.objects.filter(corporation__number=number).exists()
        cache.set(key, cached, timeout=60)
    return bool(cached)


def forget_requests_of(number: str) -> None:
    cache.delete(_no_requests_key(number))


def pending_candidate_numbers(*, corporation: Corporation) -> set[str]:
    """法人番号 already asked for in a request still being looked at."""
    return set(
        Corporation.objects.filter(
            pk__in=IntroductionRequest.objects.filter(
                corporation=corporation, status=RequestStatus.PENDING
            ).values("candidates")
        ).values_list("number", flat=True)
    )


@dataclass
class ConsultationFigures:
    """Consultations received in a period, per month, per channel and per topic."""

    start: dt.date
    end: dt.date
    total: int = 0
    per_month: list[tuple[dt.date, int]] = field(default_factory=list)
    per_channel: list[tuple[str, int]] = field(default_factory=list)
    per_topic: list[tuple[str, int]] = field(default_factory=list)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def consultation_figures(period) -> ConsultationFigures:
    """For the dashboard and the prefectural report: `period` is a (start, end) pair of dates,
    both included (a fiscal year: April 1 to March 31). Every month, channel and topic appears,
    with 0 where nothing was received. Three queries."""
    start, end = period
    received = Consultation.objects.received_between(start, end)
    months = Counter(
        {
            m.date() if isinstance(m, dt.datetime) else m: n
            for m, n in received.annotate(m=TruncMonth("received_at"))
            .values_list("m")
            .annotate(n=Count("pk"))
            .values_list("m", "n")
        }
    )
    channels = Counter(dict(received.values_list("channel").annotate(n=Count("pk"))))
    topics = Counter(
        dict(
            Challenge.objects.filter(consultation__in=received)
            .values_list("label")
            .annotate(n=Count("consultation", distinct=True))
        )
    )
    return ConsultationFigures(
        start=start,
        end=end,
        total=sum(channels.values()),
        per_month=[(m, months.get(m, 0)) for m in _months(start, end)],
        per_channel=[(label, channels.get(code, 0)) for code, label in Channel.choices],
        per_topic=[
            (label, topics.get(label, 0))
            for label in Challenge.objects.order_by("position").values_list("label", flat=True)
        ],
    )
