"""Reads for the programme and document pages, and for the apps that link to them by stage."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from support.models import Document, DocumentVersion, Programme


def _with_stage(rows, stage: int | None) -> list:
    # Stages are a short JSON list on a table of a few dozen rows: filtered here, alike on
    # SQLite and PostgreSQL.
    rows = list(rows)
    return rows if stage is None else [r for r in rows if stage in (r.stages or [])]


def programme_list(*, user, stage: int | None = None, phase: str | None = None) -> list[Programme]:
    rows = _with_stage(Programme.objects.visible_to(user), stage)
    return rows if not phase else [p for p in rows if phase in (p.phases or [])]


def programme_detail(*, code: str, user) -> Programme:
    return get_object_or_404(Programme.objects.visible_to(user), code=code)


def programmes_for_stage(*, stage: int) -> list[Programme]:
    """The published programmes that help at stage ①–⑥ (consortium help page, case pages)."""
    return _with_stage(Programme.objects.published(), stage)


def programmes_for_landing(*, limit: int = 6) -> list[Programme]:
    return list(Programme.objects.published()[:limit])


def _latest_prefetch() -> Prefetch:
    return Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))


def document_list(*, user, stage: int | None = None, kind: str | None = None) -> list[Document]:
    rows = Document.objects.visible_to(user).prefetch_related(_latest_prefetch())
    if kind:
        rows = rows.filter(kind=kind)
    return _with_stage(rows, stage)


@dataclass
class DocumentPage:
    document: Document
    versions: list[DocumentVersion]

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None


def document_detail(*, slug: str, user) -> DocumentPage:
    document = get_object_or_404(Document.objects.visible_to(user), slug=slug)
    versions = list(document.versions.select_related("created_by").order_by("-number"))
    return DocumentPage(document, versions)


def document_version(*, slug: str, user, number: int | None = None) -> DocumentVersion:
    """The version to download: the newest, or the one asked for; 404 when the viewer may not."""
    document = get_object_or_404(Document.objects.visible_to(user), slug=slug)
    versions: QuerySet[DocumentVersion] = document.versions.order_by("-number")
    if number is not None:
        versions = versions.filter(number=number)
    version = versions.first()
    if version is None:
        from django.http import Http404

        raise Http404("この版はありません。")
    version.document = document
    return version


def documents_for_stage(*, stage: int, user) -> list[Document]:
    return _with_stage(Document.objects.visible_to(user).published(), stage)


def documents_by_checklist_code(*, user) -> dict[str, list[Document]]:
    """Which documents help with each model checklist item (by the item's code): one query."""
    found: dict[str, list[Document]] = {}
    for document in Document.objects.visible_to(user).published():
        for code in document.checklist_codes or []:
            found.setdefault(code, []).append(document)
    return found


def public_state() -> tuple:
    """Changes whenever a programme or document changes: part of the landing page's cache key."""
    from django.db.models import Count, Max

    state = Programme.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return (state["count"], state["latest"])
