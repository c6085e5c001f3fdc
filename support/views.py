"""Pages of the support programmes (/programmes/) and model documents (/documents/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.access import permission_required, require
from support import access, selectors, services
from support.forms import (
    DocumentFilterForm,
    DocumentForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    VersionForm,
)
from support.models import Document, DocumentVersion, Programme, Visibility

MODEL_NOTICE = "ひな形（各法人の実情に合わせて修正してください）"


def _filters(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}


# --- Programmes ----------------------------------------------------------------------------------
@require_GET
def programme_index(request):
    form = ProgrammeFilterForm(request.GET)
    data = _filters(form)
    rows = selectors.programme_list(
        user=request.user, stage=data.get("stage"), phase=data.get("phase") or None
    )
    context = {"form": form, "rows": rows, "may_edit": access.can_edit_support(request.user)}
    return render(request, "support/programmes.html", context)


@require_GET
def programme_detail(request, code: str):
    programme = selectors.programme_detail(code=code, user=request.user)
    may_edit = access.can_edit_support(request.user)
    return render(request, "support/programme.html", {"p": programme, "may_edit": may_edit})


@permission_required("curate_cases")
def programme_edit(request, code: str | None = None):
    require(access.can_edit_support(request.user))
    programme = get_object_or_404(Programme, code=code) if code else None
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.programme_save(
                programme=programme, values=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"支援策「{saved.name}」を保存しました。")
            return redirect("support:programme", code=saved.code)
    history = programme.history.select_related("history_user")[:20] if programme else []
    context = {"form": form, "p": programme, "history": history}
    return render(request, "support/programme_edit.html", context)


# --- Documents -----------------------------------------------------------------------------------
@require_GET
def document_index(request):
    form = DocumentFilterForm(request.GET)
    data = _filters(form)
    rows = selectors.document_list(
        user=request.user, stage=data.get("stage"), kind=data.get("kind") or None
    )
    context = {
        "form": form, "rows": rows, "may_edit": access.can_edit_support(request.user),
        "notice": MODEL_NOTICE,
    }  # fmt: skip
    return render(request, "support/documents.html", context)


@require_GET
def document_detail(request, slug: str):
    page = selectors.document_detail(slug=slug, user=request.user)
    may_edit = access.can_edit_support(request.user)
    context = {"page": page, "d": page.document, "may_edit": may_edit, "notice": MODEL_NOTICE,
               "version_form": VersionForm() if may_edit else None}  # fmt: skip
    return render(request, "support/document.html", context)


@permission_required("curate_cases")
def document_edit(request, slug: str | None = None):
    require(access.can_edit_support(request.user))
    document = get_object_or_404(Document, slug=slug) if slug else None
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.document_save(
                document=document, values=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"ひな形「{saved.title}」を保存しました。")
            return redirect("support:document", slug=saved.slug)
    return render(request, "support/document_edit.html", {"form": form, "d": document})


@require_POST
@permission_required("curate_cases")
def document_publish(request, slug: str):
    require(access.can_edit_support(request.user))
    document = get_object_or_404(Document, slug=slug)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.document_publish_version(
                document=document, body=data["body"], file=data["file"], note=data["note"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"「{document.title}」の第{version.number}版を公開しました。")
            return redirect("support:document", slug=document.slug)
    page = selectors.document_detail(slug=slug, user=request.user)
    context = {"page": page, "d": page.document, "may_edit": True, "notice": MODEL_NOTICE,
               "version_form": form}  # fmt: skip
    return render(request, "support/document.html", context, status=400)


def _text_download(version: DocumentVersion) -> HttpResponse:
    document = version.document
    text = f"{document.title}（第{version.number}版）\n{MODEL_NOTICE}\n\n{version.body.strip()}\n"
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    filename = f"{document.slug}-v{version.number}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def document_download(request, slug: str, number: int | None = None):
    """The newest version (or the one named), as its uploaded file or as UTF-8 text; counted."""
    version = selectors.document_version(slug=slug, user=request.user, number=number)
    if version.document.visibility == Visibility.LOGIN and not request.user.is_authenticated:
        require(False)
    services.document_count_download(document=version.document)
    if version.file:
        name = version.file.name.rsplit("/", 1)[-1]
        return FileResponse(version.file.open("rb"), as_attachment=True, filename=name)
    return _text_download(version)
