"""The guided three-STEP workflow of each consortium, and the dashboards."""

import datetime

from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "協働の進捗（3つのSTEP）"

    def ready(self) -> None:
        from guidance import selectors
        from partners import links

        links.register(
            co_members=selectors.co_member_ids,
            memberships=selectors.memberships_by_corporation,
        )
        from portal.demo import register_seeder

        register_seeder("guidance", _seed_consortium)


def _seed_consortium(write) -> None:
    """One consortium in the demo prefecture, so the registry shows memberships and matching
    leaves out partners already working with the demo manager's corporation."""
    from guidance.models import Consortium, ConsortiumForm, LegalForm, MemberRole, Membership
    from partners.models import Corporation, Theme

    if Consortium.objects.exists():
        return
    own = Corporation.objects.filter(number="3510001012345").first()
    consenting = Corporation.objects.filter(profile__consent_matching=True, latitude__isnull=False)
    if own is None or own.latitude is None:
        return
    # The two consenting providers closest to the demo corporation.
    others = sorted(
        consenting.exclude(pk=own.pk),
        key=lambda c: (c.latitude - own.latitude) ** 2 + (c.longitude - own.longitude) ** 2,
    )[:2]
    if len(others) < 2:
        return
    consortium = Consortium.objects.create(
        name="長野北部介護人材ネットワーク",
        form=ConsortiumForm.LOOSE,
        legal_form=LegalForm.NONE,
        area="長野市・須坂市",
        stage=2,
        started_on=datetime.date(2026, 4, 1),
    )
    consortium.themes.set(Theme.objects.filter(code__in=["workforce", "backoffice"]))
    roles = [MemberRole.PROMOTER, MemberRole.SECRETARIAT, MemberRole.MEMBER]
    for corporation, role in zip([own, *others], roles, strict=True):
        Membership.objects.create(
            consortium=consortium,
            corporation=corporation,
            role=role,
            joined_on=datetime.date(2026, 4, 1),
        )
    write(f"協働体: {consortium.name}（参加 3法人）")
