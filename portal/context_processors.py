"""Values every page template needs: the navigation for this user and the portal's identity."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from portal.access import is_manager, is_official, is_window_staff
from portal.navigation import nav_for


def portal(request):
    # Error pages can render before the authentication middleware ran (e.g. a bad Host header).
    user = getattr(request, "user", None) or AnonymousUser()
    request.user = user
    if is_window_staff(user):
        role_label = "管理者" if user.is_superuser else user.get_role_display()
    elif is_manager(user) or is_official(user):
        role_label = user.get_role_display()
    else:
        role_label = ""
    return {
        "nav_items": nav_for(request),
        "portal_prefecture": settings.PORTAL_PREFECTURE,
        "portal_window_name": settings.PORTAL_WINDOW_NAME,
        "user_role_label": role_label,
    }
