"""The main navigation: each entry names the access permission that guards its URL."""

import functools
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

from portal import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    manager_label: str = ""  # what a care-provider manager sees instead, if it differs


NAV_ITEMS = (
    NavItem("ホーム", "home", "view_home"),
    NavItem("事例ライブラリ", "cases:index", "view_cases"),
    NavItem("事業者台帳・マッチング", "partners:index", "use_registry", "連携先を探す"),
    NavItem("相談窓口", "desk:consultations", "use_desk"),
    NavItem("協働の進捗", "guidance:index", "view_consortia"),
    NavItem("ダッシュボード", "oversight:dashboard", "view_dashboard"),
    NavItem("レポート", "reports", "request_reports"),
    NavItem("利用者の管理", "accounts:users", "manage_users"),
)


@functools.cache
def _url(name: str, prefix: str, urlconf: str | None) -> str:
    """The navigation's URLs take no arguments: each is reversed once per script prefix."""
    return reverse(name, urlconf=urlconf)


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _url.cache_clear()


def nav_for(request) -> list[dict]:
    current = request.path
    items = []
    for item in NAV_ITEMS:
        if not access.can(request.user, item.permission):
            continue
        url = _url(item.url_name, get_script_prefix(), get_urlconf())
        active = current == url if url == "/" else current.startswith(url)
        label = (
            item.manager_label
            if item.manager_label and access.is_manager(request.user)
            else item.label
        )
        items.append({"label": label, "url": url, "active": active})
    return items
