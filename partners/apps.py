"""The provider registry and matchmaking."""

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "事業者台帳・マッチング"

    def ready(self) -> None:
        import partners.tasks  # noqa: F401 - registers the upload task with the import service
        from partners.demo import seed_registry
        from partners.selectors import corporation_name_for
        from portal import providers
        from portal.demo import register_seeder

        register_seeder("partners", seed_registry)
        providers.register_registry_reader(corporation_name_for)
