"""The provider registry and matchmaking."""

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "事業者台帳・マッチング"

    def ready(self) -> None:
        from partners import state

        state.connect()
        import partners.tasks  # noqa: F401 - registers the upload task with the import service
        from partners.services import bulk_pg, imports

        imports.register_batch_writer("postgresql", bulk_pg.establishments_write)
        from partners.demo import seed_registry
        from partners.selectors import corporation_name_for
        from portal import providers
        from portal.demo import register_seeder

        register_seeder("partners", seed_registry)

        from notices.services import register_scanner
        from partners import notices

        register_scanner("partners.waiting_introductions", notices.scan_waiting)
        from partners.services import events

        register_scanner("partners.meeting_reminders", events.meeting_reminders)
        providers.register_registry_reader(corporation_name_for)
