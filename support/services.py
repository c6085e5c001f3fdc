"""Every write to programmes and documents: atomic, with history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from support.models import Document, DocumentVersion, Programme

PROGRAMME_FIELDS = (
    "code", "name", "phases", "stages", "runner", "gives", "summary", "amount", "link",
    "application_period", "source", "published", "position",
)  # fmt: skip
DOCUMENT_FIELDS = (
    "slug", "title", "kind", "summary", "stages", "themes", "checklist_codes", "visibility",
    "published", "position",
)  # fmt: skip


def _mark(instance, *, reason: str, by) -> None:
    """simple-history reads these two attributes when it records the next version."""
    instance._change_reason = reason
    instance._history_user = by


def _apply(instance, fields: tuple[str, ...], values: dict) -> None:
    for field in fields:
        if field in values:
            setattr(instance, field, values[field])


@transaction.atomic
def programme_save(*, programme: Programme | None = None, values: dict, by) -> Programme:
    """Create a programme, or change one; each save is a version in its history."""
    created = programme is None
    programme = programme or Programme()
    _apply(programme, PROGRAMME_FIELDS, values)
    programme.full_clean()
    _mark(programme, reason="登録" if created else "変更", by=by)
    programme.save()
    return programme


@transaction.atomic
def document_save(*, document: Document | None = None, values: dict, by) -> Document:
    created = document is None
    document = document or Document()
    _apply(document, DOCUMENT_FIELDS, values)
    document.full_clean(exclude=["download_count"])
    _mark(document, reason="登録" if created else "変更", by=by)
    document.save()
    return document


@transaction.atomic
def document_publish_version(
    *, document: Document, body: str = "", file=None, note: str = "", by
) -> DocumentVersion:
    """Add the next version; the earlier ones stay readable. Needs a text or a file."""
    if not body.strip() and not file:
        raise ValidationError("本文を入力するか、ファイルを添付してください。")
    locked = Document.objects.select_for_update().get(pk=document.pk)
    last = locked.versions.aggregate(n=Max("number"))["n"] or 0
    version = DocumentVersion(document=locked, number=last + 1, body=body, note=note, created_by=by)
    if file:
        version.file = file
    version.full_clean(exclude=["document", "created_by"])
    version.save()
    _mark(locked, reason=f"第{version.number}版を公開", by=by)
    locked.save(update_fields=["updated_at"])
    return version


def document_count_download(*, document: Document) -> None:
    """One more download, counted in the database so simultaneous downloads are all kept."""
    Document.objects.filter(pk=document.pk).update(download_count=F("download_count") + 1)
