"""App configuration of the portal core."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "ポータル共通"

    def ready(self) -> None:
        from portal import jobs, tasks  # noqa: F401 - registers the report-job tasks by name

        jobs.register_kind("selftest", "動作確認", jobs.prepare_selftest)
