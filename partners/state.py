"""The registry's data version: staff's search pages are cached under it, and any write to a
corporation, an establishment, a profile (its challenges and themes), a municipality, the
vocabularies or an import run renews it. The import's set-based writers call
`registry_changed()` themselves (an UPDATE sends no signal)."""

from portal.versions import DataVersion

REGISTRY = DataVersion("partners:registry-state", timeout=600)


def registry_state() -> str:
    return REGISTRY.current()


def registry_changed() -> None:
    REGISTRY.changed()


def connect() -> None:
    """Called by PartnersConfig.ready()."""
    from partners.models import (
        Challenge,
        Corporation,
        Establishment,
        ImportRun,
        Municipality,
        ProviderProfile,
        Theme,
    )

    REGISTRY.watch(
        Corporation,
        Establishment,
        ProviderProfile,
        Municipality,
        Challenge,
        Theme,
        ImportRun,
        throughs=(ProviderProfile.challenges.through, ProviderProfile.themes.through),
    )
