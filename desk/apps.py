"""The consultation desk: consultations from every channel, the public form, introduction requests."""

from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "相談窓口"

    def ready(self) -> None:
        from desk import panels, tasks  # noqa: F401 - registers the desk's tasks by name
        from portal import providers
        from portal.home import register_panel

        register_panel("desk", panels.home_panel)
        providers.register("corporation_page", "desk", panels.corporation_panel)
        providers.register("match_page", "desk", panels.match_panel)

        from desk import reminders
        from notices.services import register_scanner

        register_scanner("desk.follow_ups", reminders.scan_follow_ups)
