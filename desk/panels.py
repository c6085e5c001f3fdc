"""What the desk shows on lower apps' pages, registered with portal core in DeskConfig.ready():
a manager's requests on their home page, a corporation's consultations on its registry page
(staff only), and the request form on a manager's match page."""

from django.urls import reverse

from desk import selectors
from desk.access import can_use_desk, may_request_introduction
from partners.access import RegistryViewer
from partners.models import Corporation


def home_panel(request) -> dict | None:
    viewer = RegistryViewer(request.user)
    if viewer.staff or not viewer.number:
        return None
    if selectors.has_no_requests(number=viewer.number):
        return None
    requests = selectors.requests_of(user=request.user)
    if not requests:
        return None
    return {"template": "desk/_home_requests.html", "context": {"requests": requests}}


def corporation_panel(*, request, corporation) -> dict | None:
    if not can_use_desk(request.user):
        return None
    consultations = selectors.corporation_consultations(corporation=corporation, user=request.user)
    return {
        "template": "desk/_corporation_consultations.html",
        "context": {"consultations": consultations, "corporation": corporation},
    }


def match_panel(*, request, corporation: Corporation, numbers=()) -> dict | None:
    viewer = RegistryViewer(request.user)
    if not may_request_introduction(viewer, corporation):
        return None
    pending = selectors.pending_candidate_numbers(corporation=corporation)
    return {
        "action": reverse("desk:match_request", args=[corporation.number]),
        "template": "desk/_match_request.html",
        "context": {"corporation": corporation},
        "marks": {n: "紹介を依頼中" for n in pending if n in set(numbers)},
    }
