"""Login by e-mail address; demo accounts are refused wherever demo logins are off.

Every signed-in request loads its user. Where the cache is shared by every process (not one of
`PROCESS_LOCAL_CACHES`; Redis in production), the user is kept there between requests and dropped
on every save or delete of the row (a password change, a role change, a deactivation), at once and
again on commit: a page then costs one cache read instead of a query. A process-local cache would not see another process's
change, so there the user is read from the database every time, as Django does.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from portal.checks import PROCESS_LOCAL_CACHES

USER_CACHE_SECONDS = 300


def user_cache_key(user_id) -> str:
    return f"portal:user:{user_id}"


def user_cache_is_shared() -> bool:
    return settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES


class EmailBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.PORTAL_DEMO_LOGINS:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        if not user_cache_is_shared():
            return super().get_user(user_id)
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)  # None when absent or not allowed to sign in
            if user is not None:
                cache.set(key, user, USER_CACHE_SECONDS)
            return user
        return user if self.user_can_authenticate(user) else None


def _forget_user(sender, instance, **kwargs) -> None:
    key = user_cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def watch_users() -> None:
    model = get_user_model()
    post_save.connect(_forget_user, sender=model, dispatch_uid="portal.backends.user:s")
    post_delete.connect(_forget_user, sender=model, dispatch_uid="portal.backends.user:d")
