"""Reads of notices: the centre, the header count, each user's settings, recipients by role."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.cache import cache

from notices.access import has_notice_centre
from notices.models import DEFAULT_DELIVERY, Notice, NoticeKind, NoticePreference
from portal.models import Role

UNREAD_CACHE_SECONDS = 60


def unread_cache_key(user_id: int) -> str:
    return f"notices:unread:{user_id}"


def unread_count(user) -> int:
    """The header's count: one query at most, and none while the shared cache holds it (every
    change of the user's notices drops it; a minute bounds it where the cache is not shared)."""
    if not has_notice_centre(user):
        return 0
    key = unread_cache_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notice.objects.for_user(user).unread().count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def centre(user, *, limit: int = 100) -> list[Notice]:
    """The notice centre: unread first, then the newest."""
    return list(Notice.objects.for_user(user).unread_first()[:limit])


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How `kind` reaches each user by mail: their setting, or the kind's default."""
    ids = list(user_ids)
    chosen = dict(
        NoticePreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, DEFAULT_DELIVERY[kind]) for pk in ids}


def settings_of(user) -> dict[str, str]:
    """Every kind with the user's delivery (default where they chose nothing)."""
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NoticeKind.values}


def managers_of(numbers: Iterable[str]):
    """Active managers acting for these corporations (by 法人番号)."""
    wanted = [n for n in numbers if n]
    return get_user_model().objects.filter(
        is_active=True, is_superuser=False, role=Role.MANAGER, corporation_number__in=wanted
    )
