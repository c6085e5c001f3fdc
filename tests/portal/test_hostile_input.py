"""Every URL of the portal, as every role, with hostile values: no answer is a server error.

The walk reads the URL patterns from the resolver, so a new page is covered the day it is added
(a path converter without a seeded value fails the test until one is given below). Each page is
opened with the real ids of a small seeded world and with hostile ids. On the first real page a
role may open, it then sends GET and POST bodies in which every parameter name the portal reads
carries one hostile value at a time (the whole list where the view reads that method's values,
the sharpest values elsewhere), each integer-like parameter the view names alone, and each value
that chooses a branch of the view (action=measure, ...) with hostile values beside it.
Exceptions are caught per request and listed, with the page, the role, the method and the
values, in one failure message.
"""

import inspect
import itertools
import re
import traceback
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import (
    CaseFactory,
    CorporationFactory,
    MunicipalityFactory,
    ReportJobFactory,
    UserFactory,
    profile_for,
)

pytestmark = pytest.mark.django_db

FORM_ENCODED = "application/x-www-form-urlencoded"
ROLES = ["anonymous", "staff", "manager", "other_manager", "official", "superuser"]

HUGE = "99999999999999999999999"
LONG = "x" * 5000
HOSTILE = ["²", "abc", "-1", "0", HUGE, "../../x", "\x00", LONG, "2026-02-30", "0000-00-00", "１２"]
# The values that reach furthest into a view when they sit next to a valid branch choice.
SHARP = ["²", "abc", HUGE]
# The two that pass the naive checks (str.isdigit(), int()) and still break a query.
ALONE = ["²", HUGE]

# Parameter names the views, selectors and report kinds read directly from request.GET/POST
# (grep 'request.GET', 'request.POST', 'params.get'); the form and filter fields are added below.
READ_DIRECTLY = [
    "q", "n", "days", "to", "to_stage", "id", "corporation", "number", "top", "status", "kind",
    "consortium", "page", "fiscal_year", "sort", "answer", "action", "next", "c", "local", "view",
    "region", "operation", "reason", "version", "override", "group-1", "group-²", "group-abc",
]  # fmt: skip
# Parameters whose values are numbers, ids, dates or codes: each is also sent alone.
INTEGER_LIKE = [
    "n", "days", "to", "to_stage", "id", "corporation", "number", "top", "consortium", "page",
    "fiscal_year", "c", "version", "kpi", "goal", "theme", "kind", "group_size", "member_count",
    "measured_on", "due_on", "started_on", "target_on", "held_on", "baseline", "target", "value",
    "municipality", "prefecture", "expert",
]  # fmt: skip
# Values that choose a branch of a view; each is sent with hostile values beside it to the views
# whose source names it.
BRANCH_VALUES = {
    "action": [
        "goal", "kpi", "measure", "action", "activity", "done", "reopen", "member", "leave",
        "partner", "add", "group", "move", "remove",
    ],
    "answer": ["accept", "decline"],
    "status": ["published", "draft", "done", "todo"],
}  # fmt: skip

# The pages on which a role's walk sends the parameter batches; on the others it opens each route
# with its real and hostile ids only. A superuser is window staff on every page (portal/access.py)
# except where superusers are a rule of their own, and the staff walk already reads every
# parameter. The other manager runs the manager's views on another corporation's consortium: its
# walk is about which pages open (every route, real and hostile ids), not the parameters again.
OWN_PAGES = {"superuser": ("accounts/", "reports/"), "other_manager": ()}

# Django's admin is excluded: it is Django's own code (tested upstream), only superusers reach it,
# and its ~150 URLs would triple the walk's time.
EXCLUDED_PREFIXES = ("admin/",)


# --- The world ------------------------------------------------------------------------------------
@pytest.fixture
def world(db, staff, official, superuser):
    from guidance import services as guidance
    from guidance.models import (
        ChecklistItem,
        ChecklistTemplate,
        ConsortiumForm,
        Expert,
        ExpertKind,
        MemberRole,
    )
    from guidance.reference import sync_reference_data
    from partners import services as partners
    from partners.models import ImportRun, ImportStatus, Theme

    sync_reference_data(apps)
    place = MunicipalityFactory()
    own, fellow, other, stranger = (
        CorporationFactory(sites=[(place, 36.65, 138.19, "通所介護", 20)]) for _ in range(4)
    )
    for corp in (own, fellow, other, stranger):
        profile_for(corp, challenges=["recruiting"], themes=["workforce"])
    ours = guidance.consortium_create(
        values={
            "name": "長野北部介護人材ネットワーク",
            "form": ConsortiumForm.LOOSE,
            "started_on": date(2026, 1, 1),
        },
        members=[(own, MemberRole.PROMOTER), (fellow, MemberRole.MEMBER)],
        by=staff,
    )
    theirs = guidance.consortium_create(
        values={"name": "南信ケア連携会議", "form": ConsortiumForm.CLOSE},
        members=[(other, MemberRole.PROMOTER)],
        by=staff,
    )
    manager = UserFactory(manager=True, corporation_number=own.number)
    other_manager = UserFactory(manager=True, corporation_number=other.number)
    goal = guidance.goal_create(consortium=ours, title="採用を増やす", by=staff)
    kpi = guidance.kpi_create(
        goal=goal, name="応募者数", unit="人", baseline=Decimal(3), target=Decimal(10),
        due_on=None, by=staff,
    )  # fmt: skip
    measurement = guidance.measurement_add(
        kpi=kpi, measured_on=date(2026, 4, 1), value=Decimal(4), by=staff
    )
    action = guidance.action_create(
        consortium=ours, title="合同説明会の会場を探す", owner="事務局", due_on=None, by=staff
    )
    activity = guidance.activity_add(
        consortium=ours,
        kind="meeting",
        title="第1回連携会議",
        happened_on=date(2026, 4, 1),
        by=staff,
    )
    kind = ExpertKind.objects.order_by("pk").first()
    referral = guidance.referral_request(
        consortium=ours, kind=kind, request="就業規則の相談", by=manager
    )
    invitation = guidance.member_invite(
        consortium=ours, corporation=stranger, role=MemberRole.MEMBER, by=staff
    )
    membership = ours.memberships.get(corporation=fellow)
    expert = Expert.objects.create(name="信州 労務", kind=kind)
    intro = partners.introduction_propose(
        corporations=[own, stranger], title="", note="合同採用の相談", by=staff
    )
    meeting = partners.submeeting_create(
        values={
            "title": "人材確保分科会", "theme": Theme.objects.get(code="workforce"),
            "held_on": date(2026, 12, 10), "place": "長野市", "online": False,
            "group_size": 2, "note": "",
        },
        by=staff,
    )  # fmt: skip
    partners.submeeting_add(meeting=meeting, corporations=[own, fellow, other], by=staff)
    partners.submeeting_group(meeting=meeting, group_size=2, by=staff)
    partners.events.submeeting_invite(meeting=meeting, by=staff)
    rsvp = partners.events.rsvp_token(meeting.participants.get(corporation=own))
    run = ImportRun.objects.create(
        file_name="事業所一覧.csv", file_hash="0" * 64, started_by=staff, status=ImportStatus.DONE
    )
    case = CaseFactory()
    job = ReportJobFactory(requested_by=manager)
    users = {
        "staff": staff,
        "manager": manager,
        "other_manager": other_manager,
        "official": official,
        "superuser": superuser,
    }
    from desk import services as desk_services

    consultation = desk_services.consultation_create(
        channel="phone", summary="電話での相談", by=staff, corporation=own
    )
    intro_request = desk_services.introduction_request_create(
        corporation=own, candidates=[other], message="", by=manager
    )
    from notices import services as notice_services

    (notice,) = notice_services.notify(
        recipients=[manager], kind="report_finished", title="帳票ができました", key="world"
    )
    unsubscribe = notice_services.unsubscribe_token(user=manager, kind="action_overdue")
    uid = urlsafe_base64_encode(force_bytes(manager.pk))
    token = default_token_generator.make_token(manager)
    # Real values per path converter: (route prefix, converter name) -> values; first match wins.
    ids = [
        ("consortia/from-introduction/", "intro_pk", [intro.pk]),
        ("consortia/", "pk", [ours.pk, theirs.pk]),
        ("consortia/invitations/", "membership_pk", [invitation.pk]),
        ("consortia/", "membership_pk", [membership.pk]),
        ("consortia/", "action_pk", [action.pk]),
        ("consortia/", "activity_pk", [activity.pk]),
        ("consortia/", "measurement_pk", [measurement.pk]),
        ("consortia/referrals/", "referral_pk", [referral.pk]),
        ("consortia/", "item_pk", [ChecklistItem.objects.filter(consortium=ours).first().pk]),
        ("consortia/", "template_pk", [ChecklistTemplate.objects.order_by("pk").first().pk]),
        ("consortia/", "expert_pk", [expert.pk]),
        ("partners/imports/", "pk", [run.pk]),
        ("partners/introductions/", "pk", [intro.pk]),
        ("partners/meetings/", "pk", [meeting.pk]),
        ("partners/", "number", [own.number, other.number]),
        ("cases/", "number", [case.number]),
        ("cases/", "history_id", [case.history.order_by("history_id").first().history_id]),
        ("accounts/users/", "pk", [manager.pk, superuser.pk]),
        ("reports/", "pk", [job.pk]),
        ("consultations/requests/", "pk", [intro_request.pk]),
        ("consultations/", "pk", [consultation.pk]),
        ("programmes/", "code", ["wam-merger-loan"]),
        ("documents/", "slug", ["membership-fee-rules", "loose-network-start-checklist"]),
        ("documents/", "number", [1]),
        ("notifications/unsubscribe/", "token", [unsubscribe]),
        ("notifications/", "pk", [notice.pk]),
        ("partners/rsvp/", "token", [rsvp]),
        ("", "uidb64", [uid]),
        ("", "token", [token]),
    ]
    extra_names = [
        f"{prefix}-{p.pk}" for p in meeting.participants.all() for prefix in ("group", "attended")
    ]
    return {"users": users, "ids": ids, "extra_names": extra_names, "action": action, "kpi": kpi}


# --- Walking the URL patterns -----------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    segments: tuple  # the RoutePattern / RegexPattern of each level
    callback: object
    name: str

    @property
    def text(self) -> str:
        """The path with its converters, without regex anchors: consortia/<int:pk>/..."""
        return "".join(_plain(str(s)) for s in self.segments)


def all_routes(patterns=None, prefix=()) -> list[Route]:
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        segments = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            routes.extend(all_routes(entry.url_patterns, segments))
        elif isinstance(entry, URLPattern):
            routes.append(Route(segments, entry.callback, entry.name or ""))
    return [r for r in routes if not r.text.startswith(EXCLUDED_PREFIXES)]


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _plain(text: str) -> str:
    return text.lstrip("^").rstrip("$").replace("\\", "")


def parameters(route: Route) -> list[tuple[str, str]]:
    """(name, kind) of each value in the path, kind being 'int', 'str' or 'csv|xlsx'-like."""
    found = []
    for segment in route.segments:
        if isinstance(segment, RoutePattern):
            for m in _ROUTE_PARAM.finditer(str(segment)):
                found.append((m["name"], m["converter"] or "str"))
        elif isinstance(segment, RegexPattern):
            for m in _REGEX_PARAM.finditer(str(segment)):
                found.append((m["name"], "int" if m["body"] == r"\d+" else m["body"]))
    return found


def render(route: Route, values: dict[str, str]) -> str:
    path = ""
    for segment in route.segments:
        text = str(segment)
        if isinstance(segment, RoutePattern):
            path += _ROUTE_PARAM.sub(lambda m: values[m["name"]], text)
        else:
            path += _plain(_REGEX_PARAM.sub(lambda m: values[m["name"]], text))
    return "/" + path


def real_values(world, route: Route, name: str, kind: str) -> list[str]:
    if kind not in ("int", "str", "slug", "path"):
        return kind.split("|")  # an alternation of literals, e.g. csv|xlsx
    text = route.text
    for prefix, converter_name, values in world["ids"]:
        if converter_name == name and text.startswith(prefix):
            return [str(v) for v in values]
    raise AssertionError(f"No seeded value for <{name}> in {route.text}: add one to `world`.")


def hostile_values(kind: str) -> list[str]:
    if kind == "int":
        return ["0", HUGE]
    if kind in ("str", "slug", "path"):
        return ["..", "abc", "²", "１２", "-1", LONG, "\x00"]
    return []


def paths(world, route: Route) -> tuple[list[str], list[str]]:
    """The route with every combination of real values, and with each value hostile alone."""
    params = parameters(route)
    real = {name: real_values(world, route, name, kind) for name, kind in params}
    names = [name for name, _ in params]
    full = [render(route, dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*(real[n] for n in names))]  # fmt: skip
    hostile = []
    for name, kind in params:
        base = {n: real[n][0] for n in names}
        hostile += [render(route, {**base, name: v}) for v in hostile_values(kind)]
    return full, hostile


def parameter_names(world) -> list[str]:
    """Every name the portal reads: directly, and as a field of any of its forms or filters."""
    import django_filters
    from django import forms

    names = list(READ_DIRECTLY) + world["extra_names"]
    for module_name in ("cases.forms", "cases.filters", "partners.forms", "partners.filters",
                        "guidance.forms", "portal.forms", "support.forms"):  # fmt: skip
        module = __import__(module_name, fromlist=["*"])
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, forms.BaseForm):
                names += list(value.base_fields)
            if inspect.isclass(value) and issubclass(value, django_filters.FilterSet):
                names += list(value.base_filters)
    return list(dict.fromkeys(names))


def view_source(route: Route) -> str:
    try:
        return inspect.getsource(inspect.unwrap(route.callback))
    except (OSError, TypeError):
        return ""


def reads(route: Route, method: str) -> bool:
    """Whether the view reads request.GET / request.POST itself (class-based views: assume so)."""
    if hasattr(route.callback, "view_class"):
        return True
    return f"request.{method.upper()}" in view_source(route)


def branch_choices(route: Route) -> list[dict[str, str]]:
    """The branch-choosing values the route's view names in its source."""
    source = view_source(route)
    choices = [
        {name: value}
        for name, values in BRANCH_VALUES.items()
        for value in values
        if f'"{value}"' in source
    ]
    if 'POST.get("kind"' in source:
        from portal import jobs

        choices += [{"kind": kind.name} for kind in jobs.kinds()]
    return choices


# --- The requests -----------------------------------------------------------------------------------
def batches(world, route: Route):
    """(method, data) pairs for one page answered beyond the permission check."""
    names = parameter_names(world)
    # NUL is answered by RejectNulMiddleware before any view: once is enough.
    yield "get", dict.fromkeys(names, "\x00")
    for method in ("get", "post"):
        # Where the view does not read this method's values itself (only templates or helpers
        # might), the sharpest values are enough.
        for value in HOSTILE if reads(route, method) else SHARP:
            if value != "\x00":
                yield method, dict.fromkeys(names, value)
    # A parameter the view reads itself is also sent alone (others absent may take another path).
    source = view_source(route)
    for name in dict.fromkeys(INTEGER_LIKE + READ_DIRECTLY):
        if f'"{name}"' in source:
            for value in ALONE:
                yield "get", {name: value}
                yield "post", {name: value}
    for choice in branch_choices(route):
        for value in SHARP:
            yield "post", {**dict.fromkeys(names, value), **choice}
        yield "post", {**choice, "id": "abc"}
        yield "post", {**choice, "id": str(world["action"].pk), "kpi": str(world["kpi"].pk),
                       "measured_on": "2026-02-30", "value": HUGE}  # fmt: skip


def _to_login(response) -> bool:
    return (
        response is not None
        and response.status_code == 302
        and response["Location"].startswith("/accounts/login/?")
    )


def _refused(response) -> bool:
    return response is not None and (_to_login(response) or response.status_code in (403, 405))


def walk(client, world, role: str, part: int = 0, parts: int = 1) -> tuple[list[str], int]:
    """Every route (or every `parts`-th, from the `part`-th) as this role."""
    user = world["users"].get(role)
    failures: list[str] = []
    sent = 0

    def send(path, method, data=None):
        nonlocal sent
        sent += 1
        try:
            if method == "post":
                # Form-encoded, as a browser posts a form without files (the test client would
                # send multipart, whose parser took a sixth of the walk's time).
                body = urlencode(data or {}, doseq=True)
                response = client.post(path, body, content_type=FORM_ENCODED)
            else:
                response = client.get(path, data or {})
        except Exception as exc:  # noqa: BLE001 - every exception is a failure to report
            where = traceback.extract_tb(exc.__traceback__)[-1]
            failures.append(
                f"{method.upper()} {path[:120]} as {role} {_short(data)}: "
                f"{type(exc).__name__}: {str(exc)[:200]} ({where.filename}:{where.lineno})"
            )
            return None
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {path[:120]} as {role} {_short(data)}: "
                            f"{response.status_code}")  # fmt: skip
        return response

    def logged_in() -> bool:
        return client.session.get(SESSION_KEY) == str(user.pk)

    for route in all_routes()[part::parts]:
        full, hostile = paths(world, route)
        opened = False
        for path in full + hostile:
            if user is not None and not logged_in():
                client.force_login(user)  # a logout (or a deactivation) ended the session
            answers = {"get": send(path, "get"), "post": send(path, "post")}
            if user is not None and path in full and all(_to_login(a) for a in answers.values()):
                # A page never sends a signed-in role to the login page: the session ended in a
                # way the check above cannot see (a password change): sign in again, once.
                client.force_login(user)
                answers = {"get": send(path, "get"), "post": send(path, "post")}
            if path in full and all(_to_login(a) for a in answers.values()):
                break  # the login page answers before the view reads its path or parameters
            if opened or path in hostile or all(_refused(a) for a in answers.values()):
                # Other real ids run the same code as the first opened; hostile ids end in 404.
                continue
            opened = True
            if role in OWN_PAGES and not route.text.startswith(OWN_PAGES[role]):
                continue
            for method, data in batches(world, route):
                if not _refused(answers[method]):  # 403 and 405 come before the parameters
                    send(path, method, data)
    return failures, sent


def _short(data) -> str:
    if not data:
        return "{}"
    values = set(data.values())
    if len(values) == 1 and len(data) > 3:
        return f"{{all {len(data)} parameters: {next(iter(values))[:20]!r}}}"
    return "{" + ", ".join(f"{k}={v[:20]!r}" for k, v in data.items()) + "}"


# The longest walks in parts (every n-th route each), so that two test processes share them.
WALK_PARTS = {"staff": 3, "manager": 2, "official": 2}
WALKS = [
    pytest.param(role, part, WALK_PARTS.get(role, 1), id=f"{role}-{part + 1}")
    if WALK_PARTS.get(role, 1) > 1
    else pytest.param(role, 0, 1, id=role)
    for role in ROLES
    for part in range(WALK_PARTS.get(role, 1))
]


@pytest.mark.parametrize(("role", "part", "parts"), WALKS)
def test_no_page_answers_a_server_error_to_hostile_values(client, world, role, part, parts):
    failures, sent = walk(client, world, role, part, parts)
    assert sent > 100
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)


# --- The server errors issue 18 reported, each answered now -----------------------------------------
def test_the_reported_server_errors_are_answered(client, world, staff):
    from guidance.models import Consortium
    from partners.models import SubMeeting

    client.force_login(staff)
    ours = Consortium.objects.get(name="長野北部介護人材ネットワーク")
    meeting = SubMeeting.objects.get()
    assert client.get("/cases/compare/", {"n": "²"}).status_code == 200
    assert client.get("/dashboard/", {"days": "²"}).status_code == 200
    assert client.get(f"/consortia/{ours.pk}/advance/", {"to": "²"}).status_code == 200
    done = client.post(f"/consortia/{ours.pk}/actions/abc/done/")
    assert done.status_code == 404
    remove = client.post(f"/partners/meetings/{meeting.pk}/remove/", {"corporation": "abc"})
    assert remove.status_code == 302
    weights = client.post("/partners/weights/", {"number": "../../x"})
    assert weights["Location"] == "/partners/"  # not a link to a 法人番号 that cannot exist
    report = client.post(
        "/reports/request/", {"kind": "consortium", "consortium": "²"}, follow=True
    )
    assert "報告書を作る協働体を選んでください。" in report.content.decode()


# --- Bodies that are not forms ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/partners/imports/", "/consortia/{pk}/items/{item}/", "/accounts/login/"]
)
def test_odd_request_bodies_are_answered_without_a_server_error(client, world, staff, path):
    from guidance.models import ChecklistItem

    item = ChecklistItem.objects.order_by("pk").first()
    path = path.format(pk=item.consortium_id, item=item.pk)
    client.force_login(staff)
    bodies = [
        {"data": b'{"files": "x", "action": "add"}', "content_type": "application/json"},
        {"data": b"\x00\xff\xfe garbage", "content_type": "application/octet-stream"},
        {"data": b"--x\r\nbroken", "content_type": "multipart/form-data; boundary=x"},
        {"data": b"a=%00&b=%ff", "content_type": "application/x-www-form-urlencoded"},
    ]
    for body in bodies:
        assert client.post(path, **body).status_code < 500, body
    for name in ["a\x00b.csv", "../../etc/passwd", "x" * 5000 + ".csv", "\x00"]:
        upload = SimpleUploadedFile(name, b"a,b\r\n1,2\r\n", content_type="text/csv")
        response = client.post(path, {"open_data": upload, "evidence_file": upload})
        assert response.status_code < 500, name
