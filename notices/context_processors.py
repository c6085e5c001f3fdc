"""The unread count in the header of every page for a logged-in user."""

from django.utils.functional import SimpleLazyObject

from notices.selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {}

    def count() -> int:
        # Once per request, whatever the number of templates rendered.
        if not hasattr(request, "_unread_notices"):
            request._unread_notices = unread_count(user)
        return request._unread_notices

    return {"unread_notices": SimpleLazyObject(count)}
