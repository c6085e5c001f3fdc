"""Who may do what: every role and capability check of the portal lives here (style.md §4).

`can_*` functions return a bool, `check(...)` raises PermissionDenied. Views use
`permission_required`, templates the `{% can %}` tag; both go through `PERMISSIONS`.

Roles: window staff (superusers may do all staff may), care-provider managers (acting for one
法人番号), prefectural officials; an inactive or anonymous user has no role.

Capabilities (what a role may open at all):
- view_cases: everyone, without login (published cases only).
- curate_cases, manage_registry (imports, introductions, sub-meetings, exports, matching
  weights, recording a party's answer on its behalf), manage_users, use_desk (the consultation
  desk, desk/access.py): window staff.
- use_registry: window staff, and managers with a 法人番号; officials and anonymous never.
- view_consortia, request_reports: staff, managers, officials.
- view_dashboard: staff and officials.
- use_admin: superusers only.

Object-level rules (which rows and fields) live next to each app's querysets:
- partners/access.py: corporations (name, page, list), contact details, profiles, matching,
  introductions and who answers for a party; asked through `RegistryViewer(user)` and
  `Corporation.objects.visible_to(user)` / `Introduction.objects.visible_to(user)`.
- guidance/access.py: consortia and their members.
An object one may not see is answered 404, exactly as one that does not exist (`require_visible`);
403 is for what one sees but may not do (`require`) and for capabilities one lacks.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.models import Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_window_staff(user) -> bool:
    """Window staff, and superusers, who may do everything staff may."""
    return _active(user) and (user.is_superuser or user.role == Role.STAFF)


def is_manager(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == Role.MANAGER


def is_official(user) -> bool:
    return _active(user) and not user.is_superuser and user.role == Role.OFFICIAL


def user_corporation_number(user) -> str | None:
    """The 法人番号 a manager acts for; the registry resolves it to a Corporation."""
    return (user.corporation_number or None) if is_manager(user) else None


# --- Capabilities -------------------------------------------------------------------------------
def can_view_cases(user) -> bool:
    """The case library is public: published cases need no login."""
    return True


def can_curate_cases(user) -> bool:
    return is_window_staff(user)


def can_use_registry(user) -> bool:
    """The registry is the window staff's working tool; a manager sees a narrow slice of it
    (their own corporation, providers that consented, their introductions: partners/access.py)."""
    return is_window_staff(user) or (is_manager(user) and bool(user.corporation_number))


def can_manage_registry(user) -> bool:
    """Imports, introductions, sub-meetings, exports and matching weights: staff only."""
    return is_window_staff(user)


def can_view_consortia(user) -> bool:
    """Managers see their own consortia only; that object-level rule arrives with guidance/."""
    return is_window_staff(user) or is_manager(user) or is_official(user)


def can_view_dashboard(user) -> bool:
    return is_window_staff(user) or is_official(user)


def can_request_reports(user) -> bool:
    return is_window_staff(user) or is_manager(user) or is_official(user)


def can_manage_users(user) -> bool:
    return is_window_staff(user)


def can_use_desk(user) -> bool:
    """The consultation desk holds personal data: window staff only (desk/access.py rule 1)."""
    return is_window_staff(user)


def _rank(role: str, superuser: bool) -> int:
    return 3 if superuser else 2 if role == Role.STAFF else 1


def role_rank(user) -> int:
    """The role hierarchy: superuser (3) > window staff (2) > official and manager (1)."""
    return _rank(user.role, user.is_superuser) if _active(user) else 0


def can_grant_role(actor, role: str, superuser: bool = False) -> bool:
    """Staff invite roles up to their own; only a superuser makes a superuser."""
    return can_manage_users(actor) and _rank(role, superuser) <= role_rank(actor)


def can_change_user(actor, target) -> bool:
    """Staff change (switch off, edit) accounts up to their own rank; only a superuser changes a
    superuser, even a switched-off one."""
    return can_manage_users(actor) and _rank(target.role, target.is_superuser) <= role_rank(actor)


def can_use_admin(user) -> bool:
    return _active(user) and user.is_superuser


def can_view_home(user) -> bool:
    return _active(user)


PERMISSIONS: dict[str, Callable[..., bool]] = {
    "view_home": can_view_home,
    "view_cases": can_view_cases,
    "curate_cases": can_curate_cases,
    "use_registry": can_use_registry,
    "manage_registry": can_manage_registry,
    "view_consortia": can_view_consortia,
    "view_dashboard": can_view_dashboard,
    "request_reports": can_request_reports,
    "manage_users": can_manage_users,
    "use_desk": can_use_desk,
    "change_user": can_change_user,
    "use_admin": can_use_admin,
}


def can(user, permission: str, obj=None) -> bool:
    rule = PERMISSIONS[permission]
    return rule(user, obj) if obj is not None else rule(user)


def check(user, permission: str, obj=None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied


def require(allowed: bool) -> None:
    """Raise PermissionDenied unless an object-level rule (partners/access.py, guidance/access.py)
    allowed the request."""
    if not allowed:
        raise PermissionDenied


def require_visible(allowed: bool) -> None:
    """Raise Http404 unless an object-level visibility rule lets the person see the object: one
    who may not see it gets the same answer as for an object that does not exist, so a 403 never
    tells them that it does (rights to change an object one sees stay with `require`)."""
    if not allowed:
        raise Http404("このページは見つかりません。")


def permission_required(permission: str):
    """View decorator: anonymous users go to the login page, others without the right get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if can(request.user, permission):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied

        return wrapped

    return decorator
