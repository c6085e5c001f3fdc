"""Pages of the top layer: the dashboard for staff and officials."""

from django.shortcuts import render

from guidance.selectors import STALLED_DAYS
from oversight import selectors
from oversight.reports import fiscal_years
from portal.access import permission_required
from portal.params import parse_int


@permission_required("view_dashboard")
def dashboard(request):
    stalled_days = parse_int(
        request.GET.get("days"), default=STALLED_DAYS, min_value=1, max_value=365
    )
    years = fiscal_years()
    # The 年度 chosen above the page sets the year of its figures and of the report it requests.
    chosen = parse_int(request.GET.get("year"))
    year = chosen if chosen in {y for y, _ in years} else years[0][0]
    data = selectors.dashboard(user=request.user, stalled_days=stalled_days, fiscal_year=year)
    context = {"d": data.consortia, "o": data, "years": years, "year": year}
    return render(request, "oversight/dashboard.html", context)
