"""Pages of the case library (public for published cases)."""

from django.shortcuts import render

from cases import selectors
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
    return render(request, "cases/detail.html", {"case": case})
