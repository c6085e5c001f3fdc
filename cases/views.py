"""Pages of the case library (public for published cases)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import selectors
from cases.exports import RENDERERS
from cases.forms import CompareForm, LikeMineForm
from cases.models import Region
from cases.similarity import Profile
from cases.stats import MAP_HEIGHT, MAP_WIDTH, case_stats
from portal.access import permission_required


@permission_required("view_cases")
def index(request):
    browse = selectors.case_browse(params=request.GET, user=request.user)
    rows = [
        {"case": case, "snippet": selectors.case_snippet(case, browse.terms)}
        for case in browse.page.object_list
    ]
    template = "cases/index.html#browse" if request.htmx else "cases/index.html"
    return render(request, template, {"browse": browse, "rows": rows})


@permission_required("view_cases")
def detail(request, number: int):
    case = selectors.case_detail(number=number, user=request.user)
    similar = selectors.case_similar(case=case, user=request.user)
    return render(request, "cases/detail.html", {"case": case, "similar": similar})


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
    chosen = [int(v) for v in params.getlist("n") if v.isdigit()][:4]
    slots = [{"slot": i + 1, "selected": (chosen + [None] * 4)[i]} for i in range(4)]
    context = {"form": form, "cases": cases, "choices": choices, "slots": slots}
    return render(request, "cases/compare.html", context)
