"""五十音順 by the name without its legal form, and corporation search that also reads the names
and municipalities of its establishments: add `sort_key` and fill both columns for every row."""

from collections import defaultdict

from django.db import migrations, models

from portal.search_index import index_operation


def fill(apps, schema_editor):
    from partners.names import corporation_search_text, sort_key

    Corporation = apps.get_model("partners", "Corporation")
    Establishment = apps.get_model("partners", "Establishment")
    Municipality = apps.get_model("partners", "Municipality")
    places = dict(Municipality.objects.values_list("code", "name"))
    ids = list(Corporation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        part = ids[start : start + 2000]
        names, towns = defaultdict(set), defaultdict(set)
        rows = Establishment.objects.filter(corporation_id__in=part).values_list(
            "corporation_id", "name", "municipality_id"
        )
        for corporation_id, name, code in rows.iterator(chunk_size=5000):
            names[corporation_id].add(name)
            if code in places:
                towns[corporation_id].add(places[code])
        changed = []
        for corporation in Corporation.objects.filter(pk__in=part).only(
            "pk", "number", "name", "kana", "search_text", "sort_key"
        ):
            corporation.search_text = corporation_search_text(
                name=corporation.name,
                kana=corporation.kana,
                number=corporation.number,
                site_names=names[corporation.pk],
                place_names=towns[corporation.pk],
            )
            corporation.sort_key = sort_key(corporation.name, corporation.kana)
            changed.append(corporation)
        Corporation.objects.bulk_update(changed, ["search_text", "sort_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_import_run_as_of")]

    operations = [
        migrations.AddField(
            model_name="corporation",
            name="sort_key",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=200,
                verbose_name="五十音順の読み",
            ),
        ),
        migrations.AddIndex(
            model_name="corporation",
            index=models.Index(
                fields=["sort_key", "number"], name="partners_co_sort_ke_678084_idx"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        # Adding the column rebuilt the table on SQLite, which drops the FTS triggers.
        index_operation("partners_corporation", "partners_corporation_search_trgm"),
    ]
