"""The portal's URLs plus the bare view bench/web.py compares /cases/ against (bench only)."""

from django.http import JsonResponse
from django.urls import path

from cases.models import Case
from portal import urls as portal_urls


def bare(request):
    """The rows /cases/?operation=…&region=…&q=… shows, straight from the ORM: no facets, no template."""
    qs = (
        Case.objects.published()
        .matching(request.GET.get("q", ""))
        .filter(tags__kind="operation", tags__code=request.GET.get("operation", ""))
        .filter(prefectures__region=request.GET.get("region", ""))
        .distinct()
        .order_by("number")
    )
    rows = list(qs.values("number", "name", "summary")[:20])
    return JsonResponse(
        {"rows": rows, "count": qs.count()}, json_dumps_params={"ensure_ascii": False}
    )


urlpatterns = [path("__bare__/", bare), *portal_urls.urlpatterns]
