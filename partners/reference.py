"""Reference data of the registry: challenges and themes, loaded by a data migration."""

from portal.taxonomy import CHALLENGES, OPERATIONS


def sync_reference_data(apps, schema_editor=None) -> None:
    """Create or update challenges and themes (idempotent)."""
    Challenge = apps.get_model("partners", "Challenge")
    Theme = apps.get_model("partners", "Theme")
    for position, (code, label) in enumerate(CHALLENGES):
        Challenge.objects.update_or_create(
            code=code, defaults={"label": label, "position": position}
        )
    for position, (code, label) in enumerate(OPERATIONS):
        Theme.objects.update_or_create(code=code, defaults={"label": label, "position": position})
