"""The guided three-STEP workflow of each consortium."""

from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "協働の進捗（3つのSTEP）"

    def ready(self) -> None:
        from guidance import selectors
        from portal import providers

        providers.register_consortium_readers(
            co_members=selectors.co_member_ids,
            memberships=selectors.memberships_by_corporation,
        )
        from guidance.demo import seed_workflow
        from portal.demo import register_seeder

        register_seeder("guidance", seed_workflow)

        from guidance.views import home_panel
        from portal.home import register_panel

        register_panel("guidance", home_panel)

        from guidance import reports

        reports.register()

        from guidance import reminders
        from notices.services import register_scanner

        register_scanner("guidance.actions", reminders.scan_actions)
        register_scanner("guidance.stalled", reminders.scan_stalled)
