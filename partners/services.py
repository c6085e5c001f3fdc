"""Every write of the registry that is not an import: derived sizes, profiles."""

from django.db import transaction
from django.db.models import Count, Sum

from partners.models import Corporation, SizeBand


def corporations_refresh_size(*, ids) -> int:
    """Recompute sites (distinct 事業所番号), total capacity and size band of these corporations."""
    ids = list(ids)
    if not ids:
        return 0
    stats = {
        row["pk"]: row
        for row in Corporation.objects.filter(pk__in=ids)
        .annotate(
            sites=Count("establishments__number", distinct=True),
            capacity=Sum("establishments__capacity"),
        )
        .values("pk", "sites", "capacity")
    }
    changed = []
    for corporation in Corporation.objects.filter(pk__in=ids).only(
        "pk", "site_count", "capacity_total", "size_band"
    ):
        row = stats[corporation.pk]
        values = (row["sites"], row["capacity"], SizeBand.for_sites(row["sites"]))
        if (corporation.site_count, corporation.capacity_total, corporation.size_band) != values:
            corporation.site_count, corporation.capacity_total, corporation.size_band = values
            changed.append(corporation)
    with transaction.atomic():
        Corporation.objects.bulk_update(
            changed, ["site_count", "capacity_total", "size_band"], batch_size=1000
        )
    return len(changed)
