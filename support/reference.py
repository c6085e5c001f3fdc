"""The starting programmes and model documents (fixtures/support/), loaded by a data migration.

Rows staff already changed are left alone: only missing codes are created."""

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "support"


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sync_reference_data(apps, schema_editor=None) -> None:
    Programme = apps.get_model("support", "Programme")
    Document = apps.get_model("support", "Document")
    DocumentVersion = apps.get_model("support", "DocumentVersion")
    for position, item in enumerate(_load("programmes.json")["programmes"]):
        values = {k: v for k, v in item.items() if k != "code"}
        Programme.objects.get_or_create(
            code=item["code"], defaults={**values, "position": position}
        )
    for item in _load("documents.json")["documents"]:
        values = {k: v for k, v in item.items() if k not in ("slug", "body")}
        document, created = Document.objects.get_or_create(slug=item["slug"], defaults=values)
        if created:
            DocumentVersion.objects.create(
                document=document, number=1, body=item["body"], note="窓口が用意した最初の版"
            )
