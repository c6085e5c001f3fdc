"""Bring the report cases of an existing database up to the corrected fixtures (issue 17).

`seed_demo` only creates missing cases, so without this a database loaded before would keep
「9法人」 for case 27 and the other figures fixed in the fixtures. Only the fields issue 17 corrected
are written; staff edits of other fields stay. `load_cases` refreshes everything on purpose.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations

FIELDS = (
    "counts",
    "years",
    "member_count",
    "member_count_source",
    "member_makeup",
    "founded_year",
    "founded_note",
    "summary",
    "key_points",
    "table_notes",
)


def refresh(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    folder = Path(settings.BASE_DIR) / "fixtures" / "cases"
    for path in sorted(folder.glob("[0-9][0-9].json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        values = {field: data.get(field) for field in FIELDS}
        for field in ("member_count_source", "founded_note", "summary"):
            values[field] = values[field] or ""
        values["table_notes"] = values["table_notes"] or []
        Case.objects.filter(number=data["number"], source_kind="report").update(**values)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_counts_and_years_with_sources")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
