"""Reference data of the workflow, loaded from fixtures/guidance/ by a data migration and by
seed_demo: stage checklist templates (written from chapter 4 of the report, see SOURCES.md),
and the kinds of experts the window can call.

Templates are created, never overwritten: staff edit them in the portal afterwards."""

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "guidance"


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sync_reference_data(apps, schema_editor=None) -> None:
    ChecklistTemplate = apps.get_model("guidance", "ChecklistTemplate")
    ExpertKind = apps.get_model("guidance", "ExpertKind")
    for stage in _load("checklists.json")["stages"]:
        for position, item in enumerate(stage["items"]):
            ChecklistTemplate.objects.get_or_create(
                code=item["code"],
                defaults={
                    "stage": stage["stage"],
                    "title": item["title"],
                    "guidance": item["guidance"],
                    "variant": item["variant"],
                    "required": item["required"],
                    "role": item["role"],
                    "source": item["source"][:200],
                    "position": position,
                },
            )
    for position, kind in enumerate(_load("experts.json")["kinds"]):
        ExpertKind.objects.update_or_create(
            code=kind["code"],
            defaults={
                "label": kind["label"],
                "helps_with": kind["helps_with"],
                "stages": kind["stages"],
                "position": position,
            },
        )
