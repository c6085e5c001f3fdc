"""Notices: what the portal tells each user, in the notice centre and by e-mail."""

from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "お知らせ"

    def ready(self) -> None:
        import notices.tasks  # noqa: F401 - registers the mail tasks (services enqueue them by name)
        from notices import services
        from portal import providers

        # Portal core (below this app) tells the requester a report is ready through this hook.
        providers.register("report_job_finished", "notices", services.report_job_finished)
