"""The top layer: pages and reports that read several apps (the dashboard, the prefectural report)."""

from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "県全体の状況（ダッシュボード・報告書）"

    def ready(self) -> None:
        from oversight import reports

        reports.register()
