"""The case library: the report's 29 collaborations and local cases."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "事例ライブラリ"

    def ready(self) -> None:
        from cases import state
        from portal.demo import register_seeder

        state.connect()

        register_seeder("cases", _seed_cases)

        from cases import reports

        reports.register()


def _seed_cases(write) -> None:
    from cases.services import cases_load_report

    # Only the missing cases: a case staff edited stays as they left it (load_cases refreshes).
    counts = cases_load_report(missing_only=True)
    write(f"事例: 新規 {counts['created']}件、既存のまま {counts['unchanged']}件")
