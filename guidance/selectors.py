"""Read functions that compose querysets for one page or export each."""

from collections import defaultdict
from collections.abc import Iterable

from guidance.models import ConsortiumStatus, Membership


def co_member_ids(corporation_id: int) -> set[int]:
    """Corporations that share a consortium (not closed) with this one; members who left do not count."""
    consortia = Membership.objects.filter(
        corporation_id=corporation_id, left_on__isnull=True
    ).exclude(consortium__status=ConsortiumStatus.CLOSED)
    return set(
        Membership.objects.filter(
            consortium__in=consortia.values("consortium_id"), left_on__isnull=True
        )
        .exclude(corporation_id=corporation_id)
        .values_list("corporation_id", flat=True)
    )


def memberships_by_corporation(corporation_ids: Iterable[int]) -> dict[int, list[dict]]:
    result: dict[int, list[dict]] = defaultdict(list)
    rows = Membership.objects.filter(corporation_id__in=list(corporation_ids)).select_related(
        "consortium"
    )
    for m in rows:
        result[m.corporation_id].append(
            {
                "consortium_id": m.consortium_id,
                "name": m.consortium.name,
                "role": m.get_role_display(),
                "stage": m.consortium.get_stage_display(),
                "step": m.consortium.step,
                "status": m.consortium.get_status_display(),
                "left_on": m.left_on,
            }
        )
    return dict(result)
