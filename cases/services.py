"""Every write of the case library: loading the report's cases, keeping search text current."""

import json
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import AreaScope, Case, Form, Prefecture, SourceKind, Status, Tag
from cases.reference import sync_reference_data
from portal.changes import NO_PAGE, EditConflict, check_version, with_actor  # noqa: F401  (views catch it)
from portal.taxonomy import STAGE_NUMBERS
from portal.text import normalize

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "cases"
TAG_KEYS = {
    "operations": "operation",
    "reasons": "reason",
    "origins": "origin",
    "effects": "effect",
}
# Fields a person edits in the curation form (the six stages included).
EDITABLE_FIELDS = (
    "name",
    "name_kana",
    "short_name",
    "form",
    "legal_form",
    "municipalities",
    "area_scope",
    "founded_year",
    "founded_note",
    "member_count",
    "member_count_source",
    "summary",
    "key_points",
    "lessons",
    "url",
    "source",
    *(f"stage_{n}" for n in STAGE_NUMBERS),
)
# Fields a report fixture sets directly; its stages and URL are handled on their own.
SCALAR_FIELDS = (
    *(f for f in EDITABLE_FIELDS if f != "url" and not f.startswith("stage_")),
    "aliases",
    "member_makeup",
    "counts",
    "years",
    "tag_evidence",
    "figures",
)


def case_search_text(case: Case) -> str:
    parts = [
        case.name,
        case.name_kana,
        case.short_name,
        *case.aliases,
        case.legal_form,
        case.get_form_display(),
        *(p.name for p in case.prefectures.all()),
        *case.municipalities,
        case.summary,
        *(case.stage_text(n) for n in STAGE_NUMBERS),
        *case.key_points,
        *case.lessons,
        *(f"{f.get('label', '')} {f.get('value', '')}" for f in case.figures),
        *(t.label for t in case.tags.all()),
    ]
    return normalize(" ".join(p for p in parts if p))


def case_refresh_search_text(*, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(search_text=case_search_text(case))


def _validate_fixture(data: dict) -> None:
    errors = []
    if data.get("form") not in Form.values:
        errors.append(f"form: {data.get('form')!r}")
    if data.get("area_scope") not in AreaScope.values:
        errors.append(f"area_scope: {data.get('area_scope')!r}")
    if not data.get("prefectures"):
        errors.append("prefectures: empty")
    stages = data.get("stages") or {}
    if sorted(stages) != ["1", "2", "3", "4", "5", "6"]:
        errors.append("stages: need keys 1..6")
    if errors:
        raise ValidationError(f"事例{data.get('number')}: " + "; ".join(errors))


@transaction.atomic
def case_upsert_from_fixture(*, data: dict, publish: bool = True) -> tuple[Case, bool]:
    """Create or update one report case from its fixture; returns (case, changed)."""
    _validate_fixture(data)
    case = Case.objects.filter(number=data["number"]).first() or Case(number=data["number"])
    created = case.pk is None
    values = {field: data.get(field) for field in SCALAR_FIELDS}
    values = {
        k: ("" if v is None and k not in ("founded_year", "member_count") else v)
        for k, v in values.items()
    }
    for number, text in data["stages"].items():
        values[f"stage_{number}"] = text
    values["url"] = data.get("url") or ""
    values["table_notes"] = data.get("table_notes") or []
    values["source_kind"] = SourceKind.REPORT
    if created and publish:
        values["status"] = Status.PUBLISHED
    changed = created or any(getattr(case, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(case, key, value)

    prefectures = list(Prefecture.objects.filter(name__in=data["prefectures"]))
    missing = set(data["prefectures"]) - {p.name for p in prefectures}
    if missing:
        raise ValidationError(f"事例{data['number']}: 不明な都道府県 {sorted(missing)}")
    wanted_tags = set()
    for key, kind in TAG_KEYS.items():
        for code in data.get(key) or []:
            wanted_tags.add((kind, code))
    tags = [t for t in Tag.objects.all() if (t.kind, t.code) in wanted_tags]
    unknown = wanted_tags - {(t.kind, t.code) for t in tags}
    if unknown:
        raise ValidationError(f"事例{data['number']}: 不明なタグ {sorted(unknown)}")

    if not created:
        changed = (
            changed
            or {p.pk for p in case.prefectures.all()} != {p.pk for p in prefectures}
            or {t.pk for t in case.tags.all()} != {t.pk for t in tags}
        )
    if not changed:
        return case, False
    case.full_clean(exclude=["prefectures", "tags"])
    _save_with_one_version(
        case, prefectures=prefectures, tags=tags, by=None, reason="報告書の事例データを読み込み"
    )
    return case, True


def cases_load_report(
    *, folder: Path = FIXTURE_DIR, publish: bool = True, missing_only: bool = False
) -> dict:
    """Load every `NN.json` of the folder; idempotent. Returns counts for the caller to print.

    `missing_only` creates the cases that are not there and leaves the others as staff edited
    them (the demo seed, run by every `make run`); `load_cases` refreshes them all on purpose.
    """
    # Reference data comes with a migration, but a flushed test database may lack it.
    sync_reference_data(django_apps)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for path in sorted(folder.glob("[0-9][0-9].json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        existed = Case.objects.filter(number=data["number"]).exists()
        if existed and missing_only:
            counts["unchanged"] += 1
            continue
        _case, changed = case_upsert_from_fixture(data=data, publish=publish)
        key = "unchanged" if not changed else ("updated" if existed else "created")
        counts[key] += 1
    return counts


# --- Curation by window staff ---------------------------------------------------------------------


def _tags_for(values: dict) -> list[Tag]:
    wanted = {(kind, code) for key, kind in TAG_KEYS.items() for code in values.get(key) or []}
    return [t for t in Tag.objects.all() if (t.kind, t.code) in wanted]


def _save(case: Case, *, values: dict, by, reason: str) -> Case:
    for field in EDITABLE_FIELDS:
        if field in values:
            value = values[field]
            setattr(
                case,
                field,
                "" if value is None and field not in ("founded_year", "member_count") else value,
            )
    case.full_clean(exclude=["prefectures", "tags", "number"])
    prefectures = Prefecture.objects.filter(name__in=values.get("prefectures") or [])
    _save_with_one_version(
        case, prefectures=prefectures, tags=_tags_for(values), by=by, reason=reason
    )
    return case


def _save_with_one_version(case: Case, *, prefectures, tags, by, reason: str) -> None:
    """Save fields and relations, then record a single history version holding all of them.

    simple-history would otherwise add a version for the save and one for each relation set.
    The lock's `version` moves once per save, so a page opened before it is refused.
    """
    if case.pk:
        case.version += 1
    case.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        case.save()
        case.prefectures.set(prefectures)
        case.tags.set(tags)
    finally:
        del case.skip_history_when_saving  # type: ignore[attr-defined]
    with_actor(case, by, reason)
    case.save(update_fields=["updated_at"])
    case_refresh_search_text(case=case)


def case_next_local_number() -> int:
    last = (
        Case.objects.filter(number__gte=1001)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 1000) + 1


@transaction.atomic
def case_create(*, values: dict, by) -> Case:
    """A local case, saved as a draft until staff publish it."""
    number = values.get("number") or case_next_local_number()
    if Case.objects.filter(number=number).exists():
        raise ValidationError({"number": f"事例番号{number}はすでに使われています。"})
    case = Case(number=number, source_kind=SourceKind.LOCAL, status=Status.DRAFT)
    return _save(case, values=values, by=by, reason="作成")


@transaction.atomic
def case_update(*, case: Case, values: dict, by, version: object = NO_PAGE) -> Case:
    """Save staff's edit; `version` is what the edit page showed (refused if stale or missing)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    check_version(locked.version, version)
    return _save(locked, values=values, by=by, reason="編集")


@transaction.atomic
def case_set_status(*, case: Case, status: str, by) -> Case:
    if status not in Status.values:
        raise ValidationError("不明な公開状態です。")
    case.status = status
    case.version = (
        Case.objects.select_for_update().values_list("version", flat=True).get(pk=case.pk) + 1
    )
    with_actor(case, by, "公開" if status == Status.PUBLISHED else "非公開（下書き）に戻す")
    case.save(update_fields=["status", "version", "updated_at"])
    return case


@transaction.atomic
def case_revert(*, case: Case, history_id: int, by) -> Case:
    """Bring back every field, the prefectures and the tags as they were in one past version."""
    record = case.history.filter(history_id=history_id).first()
    if record is None:
        raise ValidationError("指定された版が見つかりません。")
    old = record.instance
    values = {field: getattr(old, field) for field in EDITABLE_FIELDS}
    tag_ids = set(record.tags.values_list("tag_id", flat=True))
    prefecture_codes = set(record.prefectures.values_list("prefecture_id", flat=True))
    tags = Tag.objects.filter(pk__in=tag_ids)
    for key, kind in TAG_KEYS.items():
        values[key] = [t.code for t in tags if t.kind == kind]
    values["prefectures"] = list(
        Prefecture.objects.filter(code__in=prefecture_codes).values_list("name", flat=True)
    )
    locked = Case.objects.select_for_update().get(pk=case.pk)
    label = timezone.localtime(record.history_date).strftime("%Y年%m月%d日 %H:%M")
    return _save(locked, values=values, by=by, reason=f"{label}の版に戻す")
