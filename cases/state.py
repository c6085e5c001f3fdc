"""The library's data version: lists, case pages, similar cases and the landing page are cached
under it, and any write to a case, its prefectures or tags, a tag or a prefecture renews it."""

from portal.versions import DataVersion

# As long as the renderings keyed on it (cases.views, cases.selectors).
LIBRARY = DataVersion("cases:library-state", timeout=600)


def library_state() -> str:
    return LIBRARY.current()


def library_changed() -> None:
    LIBRARY.changed()


def connect() -> None:
    """Called by CasesConfig.ready()."""
    from cases.models import Case, Prefecture, Tag

    LIBRARY.watch(Case, Tag, Prefecture, throughs=(Case.tags.through, Case.prefectures.through))
