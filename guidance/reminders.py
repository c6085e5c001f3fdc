"""The workflow's part of the morning scan (registered with notices in GuidanceConfig.ready()):
actions due within a few days or overdue, and consortia without activity for a while."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from guidance.access import can_view
from guidance.models import Action, ActionStatus, Consortium, ConsortiumStatus, MemberRole
from guidance.selectors import STALLED_DAYS, member_managers, staff_owner
from notices.models import NoticeKind
from notices.services import notify


def _audience(consortium: Consortium, *people) -> list:
    """Those named, the promoter's managers, and the staff owner when nobody else would hear;
    only people who may see the consortium (guidance/access.py)."""
    found = {u.pk: u for u in people if u is not None}
    found |= {u.pk: u for u in member_managers(consortium, roles=[MemberRole.PROMOTER])}
    if not found and (owner := staff_owner(consortium)) is not None:
        found[owner.pk] = owner
    return [u for u in found.values() if can_view(u, consortium)]


def scan_actions(*, today: date) -> int:
    """Open actions due within NOTICE_ACTION_DUE_DAYS, and overdue ones: one notice each per
    due date, to the owner and the promoter."""
    horizon = today + timedelta(days=settings.NOTICE_ACTION_DUE_DAYS)
    actions = (
        Action.objects.filter(
            status=ActionStatus.OPEN,
            due_on__isnull=False,
            due_on__lte=horizon,
            consortium__status=ConsortiumStatus.ACTIVE,
        )
        .select_related("consortium", "owner_user")
        .order_by("due_on", "pk")
    )
    made = 0
    for action in actions:
        overdue = action.due_on < today
        due = f"{action.due_on.year}年{action.due_on.month}月{action.due_on.day}日"
        made += len(
            notify(
                recipients=_audience(action.consortium, action.owner_user),
                kind=NoticeKind.ACTION_OVERDUE if overdue else NoticeKind.ACTION_DUE,
                title=(
                    f"アクション「{action.title}」の期限（{due}）を過ぎています"
                    if overdue
                    else f"アクション「{action.title}」の期限（{due}）が近づいています"
                ),
                body=f"協働体「{action.consortium.name}」の次のアクションです。"
                "終わったら、アクションのページで完了にしてください。",
                url=reverse("guidance:actions", args=[action.consortium_id]),
                obj=action,
                key=f"action:{action.pk}:{'overdue' if overdue else 'due'}:{action.due_on}",
            )
        )
    return made


def scan_stalled(*, today: date) -> int:
    """Active consortia without activity for STALLED_DAYS: once per quiet spell (the key names
    the last activity), to the staff owner and the promoter."""
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=STALLED_DAYS), time.min))
    quiet = Consortium.objects.filter(status=ConsortiumStatus.ACTIVE).filter(
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
    )
    made = 0
    for consortium in quiet.select_related("created_by").order_by("pk"):
        last = consortium.last_activity_at or consortium.created_at
        made += len(
            notify(
                recipients=_audience(consortium, staff_owner(consortium)),
                kind=NoticeKind.CONSORTIUM_STALLED,
                title=f"協働体「{consortium.name}」の活動が{STALLED_DAYS}日以上記録されていません",
                body="次のアクションや活動の記録を見直し、声をかけてみてください。",
                url=reverse("guidance:detail", args=[consortium.pk]),
                obj=consortium,
                key=f"consortium:{consortium.pk}:stalled:{last:%Y%m%d%H%M%S}",
            )
        )
    return made
