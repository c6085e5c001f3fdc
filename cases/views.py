"""Pages of the case library (public for published cases)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.exports import RENDERERS
from cases.forms import CaseForm, CompareForm, LikeMineForm
from cases.models import Case, Region
from cases.similarity import Profile
from cases.state import LIBRARY
from cases.stats import MAP_HEIGHT, MAP_WIDTH, case_stats
from portal.access import permission_required
from portal.changes import STALE
from portal.confirm import unconfirmed
from portal.params import int_list

BROWSE_CACHE_SECONDS = 600
DETAIL_CACHE_SECONDS = 600


@permission_required("view_cases")
def index(request):
    # The results and facets are the same for everyone in one audience until a case changes, so
    # their rendering is cached under a key that changes with the data.
    key = selectors.case_browse_cache_key(params=request.GET, user=request.user)
    version, html = LIBRARY.read(key)
    if html is None:
        browse = selectors.case_browse(params=request.GET, user=request.user)
        rows = [
            {"case": case, "snippet": selectors.case_snippet(case, browse.terms)}
            for case in browse.page.object_list
        ]
        context = {"browse": browse, "rows": rows}
        html = render_to_string("cases/index.html#browse", context, request=request)
        LIBRARY.store(key, version, html, BROWSE_CACHE_SECONDS)
    if request.htmx:
        return HttpResponse(html)
    context = {"browse_html": html, "query": request.GET.get("q", "").strip()}
    return render(request, "cases/index.html", context)


def _plain_visitor(request) -> bool:
    """A visitor without a login, session or pending messages: the page is the same for all of
    them, as it carries no form and so no CSRF token (their header is a login link)."""
    cookies = request.COOKIES
    return (
        not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


@permission_required("view_cases")
def detail(request, number: int):
    # A plain visitor's whole page is cached per case and library version; anyone else's page is
    # made around the cached case (header, staff bar and CSRF token are theirs).
    document_key = selectors.case_document_cache_key(number=number)
    plain = _plain_visitor(request) and not request.htmx
    if plain:
        document_version, document = LIBRARY.read(document_key)
        if document is not None:
            return HttpResponse(document)
    key = selectors.case_page_cache_key(number=number, user=request.user)
    version, page = LIBRARY.read(key)
    if page is None:
        try:
            case = selectors.case_detail(number=number, user=request.user)
        except Http404:
            if selectors.case_withdrawn(number=number) is None:
                raise
            return render(request, "cases/withdrawn.html", {"number": number}, status=410)
        similar = selectors.case_similar(case=case, user=request.user)
        page = {
            "number": case.number,
            "title": case.short_name or case.name,
            "status": case.status,
            "status_label": case.get_status_display(),
            # No request: nothing of the visitor may end up in a rendering others are served.
            "article": render_to_string(
                "cases/detail.html#article", {"case": case, "similar": similar}
            ),
        }
        LIBRARY.store(key, version, page, DETAIL_CACHE_SECONDS)
    article = mark_safe(page["article"])  # noqa: S308 - rendered by our template, escaped there
    context = {"page": page, "article": article, "csrf_free": plain}
    response = render(request, "cases/detail.html", context)
    if plain:
        LIBRARY.store(document_key, document_version, response.content, DETAIL_CACHE_SECONDS)
    return response


@permission_required("view_cases")
def like_mine(request):
    form = LikeMineForm(request.GET or None)
    matches = None
    if form.is_valid():
        data = form.cleaned_data
        prefecture = data["prefecture"]
        profile = Profile(
            form=data["form"] or None,
            operations=frozenset(data["operations"]),
            reasons=frozenset(data["reasons"]),
            member_count=data["member_count"],
            prefectures=frozenset([prefecture.name]) if prefecture else frozenset(),
            regions=frozenset([Region(prefecture.region)]) if prefecture else frozenset(),
        )
        matches = selectors.case_like_mine(profile=profile, user=request.user)
    return render(request, "cases/like_mine.html", {"form": form, "matches": matches})


@permission_required("view_cases")
def export(request, fmt: str):
    render_file, content_type = RENDERERS[fmt]
    cases = selectors.case_export(params=request.GET, user=request.user)
    base_url = f"{request.scheme}://{request.get_host()}"
    response = HttpResponse(render_file(cases, base_url), content_type=content_type)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.{fmt}"'
    return response


@permission_required("view_cases")
def stats(request):
    data = case_stats(user=request.user, include_local=request.GET.get("local") == "1")
    context = {"stats": data, "map_width": MAP_WIDTH, "map_height": MAP_HEIGHT}
    return render(request, "cases/stats.html", context)


@permission_required("view_cases")
def compare(request):
    choices = selectors.case_choices(user=request.user)
    params = request.GET.copy()
    params.setlist("n", [value for value in params.getlist("n") if value])  # blank selects
    form = CompareForm(params if "n" in request.GET else None, choices=choices)
    cases = []
    if form.is_valid():
        cases = selectors.case_compare(numbers=form.cleaned_data["n"], user=request.user)
    chosen = int_list(params.getlist("n"), limit=4)
    slots = [{"slot": i + 1, "selected": (chosen + [None] * 4)[i]} for i in range(4)]
    context = {"form": form, "cases": cases, "choices": choices, "slots": slots}
    return render(request, "cases/compare.html", context)


# --- Curation (window staff) ----------------------------------------------------------------------
def _staff_case(request, number: int):
    return get_object_or_404(Case.objects.prefetch_related("tags", "prefectures"), number=number)


@permission_required("curate_cases")
def create(request):
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(values=form.case_values(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"事例{case.number}を下書きとして保存しました。内容を確認して公開してください。",
            )
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/edit.html", {"form": form, "case": None})


@permission_required("curate_cases")
def edit(request, number: int):
    case = _staff_case(request, number)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                case=case,
                values=form.case_values(),
                by=request.user,
                version=form.cleaned_data["version"],
            )
        except services.EditConflict as exc:
            form.add_error(
                None,
                "この画面を開いた後に、ほかの人がこの事例を更新しました。入力内容は保存していません。"
                "変更履歴で相手の変更を確認してから、もう一度編集してください。"
                if exc.message == STALE
                else exc.message,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"事例{number}の変更を保存しました。")
            return redirect("cases:detail", number=number)
    return render(request, "cases/edit.html", {"form": form, "case": case})


@require_POST
@permission_required("curate_cases")
def set_status(request, number: int):
    case = _staff_case(request, number)
    status = request.POST.get("status", "")
    if case.status == "published" and status != "published":
        what = (
            f"事例{number}の公開を取り下げ、非公開（下書き）に戻します。訪問者は読めなくなります。"
        )
        back = reverse("cases:detail", args=[number])
        if refusal := unconfirmed(request, what=what, back=back):
            return refusal
    try:
        services.case_set_status(case=case, status=status, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        text = "公開しました" if status == "published" else "非公開（下書き）に戻しました"
        messages.success(request, f"事例{number}を{text}。")
    return redirect("cases:detail", number=number)


@permission_required("curate_cases")
def history(request, number: int):
    case = _staff_case(request, number)
    return render(
        request, "cases/history.html", {"case": case, "entries": selectors.case_history(case=case)}
    )


@require_POST
@permission_required("curate_cases")
def revert(request, number: int, history_id: int):
    case = _staff_case(request, number)
    what = f"事例{number}の内容を選んだ版に戻します。いまの内容も履歴に残ります。"
    back = reverse("cases:history", args=[number])
    if refusal := unconfirmed(request, what=what, back=back):
        return refusal
    try:
        services.case_revert(case=case, history_id=history_id, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"事例{number}を選んだ版の内容に戻しました。")
    return redirect("cases:history", number=number)
