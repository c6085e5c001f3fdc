"""Login by e-mail address; demo accounts are refused wherever demo logins are off."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.PORTAL_DEMO_LOGINS:
            return False
        return super().user_can_authenticate(user)
