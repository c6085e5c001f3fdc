"""App configuration of the portal core."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "ポータル共通"

    def ready(self) -> None:
        from portal import checks, jobs, tasks  # noqa: F401 - registers checks and report-job tasks
        from portal.backends import watch_users

        watch_users()

        jobs.register_kind("selftest", "動作確認", jobs.prepare_selftest)
