"""Pages of the case library (public for published cases)."""

from django.shortcuts import render

from portal.access import permission_required


@permission_required("view_cases")
def index(request):
    return render(request, "cases/index.html")
