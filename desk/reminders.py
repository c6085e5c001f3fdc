"""The desk's notices: a consultation assigned to you, and (in the morning scan) follow-ups due.
Consultations hold personal data (desk/access.py rule 1): only staff who may use the desk hear
of them, and a notice names the consultation by its number only, never the person or message."""

from datetime import date

from django.urls import reverse

from desk.access import can_use_desk
from desk.models import OPEN_STATUSES, Consultation
from notices.models import NoticeKind
from notices.services import notify


def assigned(consultation: Consultation, *, by) -> None:
    owner = consultation.owner
    if owner is None or owner == by or not can_use_desk(owner):
        return
    notify(
        recipients=[owner],
        kind=NoticeKind.CONSULTATION_ASSIGNED,
        title=f"相談（受付番号{consultation.pk}）の担当になりました",
        body="相談のページで内容と次の対応日を確認してください。",
        url=reverse("desk:consultation", args=[consultation.pk]),
        obj=consultation,
        key=f"consultation:{consultation.pk}:owner:{owner.pk}:{consultation.updated_at:%Y%m%d%H%M%S%f}",
    )


def scan_follow_ups(*, today: date) -> int:
    """Open consultations whose next follow-up day has come: their owner, once per date."""
    due = (
        Consultation.objects.filter(
            status__in=OPEN_STATUSES, follow_up_on__lte=today, owner__isnull=False
        )
        .select_related("owner")
        .order_by("follow_up_on", "pk")
    )
    made = 0
    for consultation in due:
        if not can_use_desk(consultation.owner):
            continue
        day = consultation.follow_up_on
        late = "を過ぎています" if day < today else "です"
        made += len(
            notify(
                recipients=[consultation.owner],
                kind=NoticeKind.CONSULTATION_FOLLOW_UP,
                title=f"相談（受付番号{consultation.pk}）の次の対応日"
                f"（{day.year}年{day.month}月{day.day}日）{late}",
                body="対応したら、相談のページで記録と次の対応日を更新してください。",
                url=reverse("desk:consultation", args=[consultation.pk]),
                obj=consultation,
                key=f"consultation:{consultation.pk}:follow-up:{day}",
            )
        )
    return made
