"""Pages of the provider registry and matchmaking (window staff only)."""

from django.shortcuts import render

from portal.access import permission_required


@permission_required("use_registry")
def index(request):
    return render(request, "partners/index.html")
