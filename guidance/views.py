"""Pages of the consortium workflow and the dashboards."""

from django.shortcuts import render

from portal.access import permission_required


@permission_required("view_consortia")
def index(request):
    return render(request, "guidance/index.html")


@permission_required("view_dashboard")
def dashboard(request):
    return render(request, "guidance/dashboard.html")
