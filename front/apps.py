"""The public landing page at / for visitors (logged-in people keep their home)."""

from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "front"
    verbose_name = "公開トップページ"

    def ready(self) -> None:
        from front.views import landing
        from portal.home import register_landing

        register_landing(landing)
