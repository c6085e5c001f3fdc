"""Pages of the consultation desk: the public form, the staff's desk, introduction requests."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from desk import selectors, services
from desk.access import can_use_desk, may_decide_request, may_request_introduction
from desk.forms import (
    ConsultationEditForm,
    ConsultationForm,
    ConsultForm,
    DeclineForm,
    IntroductionRequestForm,
    MoveForm,
    NoteForm,
    OutcomeForm,
)
from desk.models import IntroductionRequest, OutcomeKind
from guidance.models import Consortium, Referral
from partners.access import RegistryViewer
from partners.models import Corporation, Introduction, SubMeeting
from portal.access import require
from portal.network import client_ip
from portal.params import parse_id
from portal.spreadsheets import TableSheet, csv_writer, new_workbook, workbook_bytes

RATE_GROUP = "desk.consult"


def _accepted_too_often(request, *, increment: bool) -> bool:
    """At most CONSULT_RATE accepted submissions per client address (django-ratelimit)."""
    usage = get_usage(
        request,
        group=RATE_GROUP,
        key=lambda _group, req: client_ip(req),
        rate=settings.CONSULT_RATE,
        method=ALL,
        increment=increment,
    )
    # Without incrementing, the count is of submissions already accepted: the limit is reached
    # when it equals the rate.
    return bool(usage) and usage["count"] >= usage["limit"] + (1 if increment else 0)


def consult(request):
    form = ConsultForm(request.POST or None)
    limited = False
    if request.method == "POST":
        limited = _accepted_too_often(request, increment=False)
        if not limited and form.is_valid():
            if not form.is_spam:
                data = form.cleaned_data
                services.consultation_submit(
                    corporation_name=data["corporation_name"],
                    corporation_number=data["corporation_number"],
                    contact_name=data["contact_name"],
                    email=data["email"],
                    phone=data["phone"],
                    topics=data["topics"],
                    message=data["message"],
                )
                _accepted_too_often(request, increment=True)
            return redirect("desk:consult_thanks")
    status = 429 if limited else 200
    return render(request, "desk/consult.html", {"form": form, "limited": limited}, status=status)


def consult_thanks(request):
    return render(request, "desk/consult_thanks.html")


def consult_privacy(request):
    return render(
        request,
        "desk/consult_privacy.html",
        {"retention_days": settings.CONSULTATION_RETENTION_DAYS},
    )


def staff_only(view):
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if can_use_desk(request.user):
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied

    return wrapped


@staff_only
def consultations(request):
    flt, page = selectors.consultation_page(params=request.GET, user=request.user)
    pending = list(
        IntroductionRequest.objects.pending().select_related("corporation", "consultation")[:20]
    )
    query = request.GET.copy()
    query.pop("page", None)  # the exports take every row of the filter, not one page
    context = {"filter": flt, "page": page, "rows": page.object_list, "pending": pending}
    context["query"] = query.urlencode()
    return render(request, "desk/consultations.html", context)


@staff_only
def consultations_export(request, fmt: str):
    _flt, queryset = selectors.consultation_list(params=request.GET, user=request.user)
    rows = selectors.export_rows(queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    header = selectors.EXPORT_HEADER
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv_writer(response)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
    else:
        source = f"出典：{settings.PORTAL_WINDOW_NAME}の相談記録"
        book = new_workbook(title="相談の一覧", subject=source)
        table = TableSheet(book, "相談", header, source=source, as_of=timezone.localdate())
        table.extend(rows)
        table.close()
        response = HttpResponse(
            workbook_bytes(book),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="consultations-{stamp}.{fmt}"'
    return response


@staff_only
def consultation_new(request):
    form = ConsultationForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consultation = services.consultation_create(by=request.user, **data)
        messages.success(request, "相談を記録しました。")
        return redirect("desk:consultation", pk=consultation.pk)
    return render(request, "desk/consultation_new.html", {"form": form})


def _consultation(request, pk: int):
    consultation = selectors.consultation_detail(pk=pk, user=request.user)
    if consultation is None:
        raise Http404
    return consultation


@staff_only
def consultation(request, pk: int):
    c = _consultation(request, pk)
    context = {
        "c": c,
        "edit_form": ConsultationEditForm(
            initial={
                "owner": c.owner_id,
                "follow_up_on": c.follow_up_on,
                "topics": list(c.topics.all()),
                "corporation_number": c.corporation.number if c.corporation_id else "",
            }
        ),
        "move_form": MoveForm(),
        "note_form": NoteForm(),
        "outcome_form": OutcomeForm(),
        "intro_request": selectors.request_for(c),
        "decline_form": DeclineForm(),
    }
    return render(request, "desk/consultation.html", context)


def _back(pk: int):
    return redirect("desk:consultation", pk=pk)


@require_POST
@staff_only
def consultation_edit(request, pk: int):
    c = _consultation(request, pk)
    form = ConsultationEditForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "保存できませんでした：" + " ".join(e for es in form.errors.values() for e in es),
        )
        return _back(c.pk)
    data = form.cleaned_data
    corporation = None
    if data["corporation_number"]:
        corporation = Corporation.objects.filter(number=data["corporation_number"]).first()
        if corporation is None:
            messages.error(request, "その法人番号の法人は台帳にありません。")
            return _back(c.pk)
    services.consultation_update(
        consultation=c,
        by=request.user,
        owner=data["owner"],
        follow_up_on=data["follow_up_on"],
        topics=data["topics"],
        corporation=corporation,
    )
    messages.success(request, "保存しました。")
    return _back(c.pk)


@require_POST
@staff_only
def consultation_move(request, pk: int):
    c = _consultation(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_move(
                consultation=c,
                to=form.cleaned_data["to"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, "状態を変えました。")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "状態を選んでください。")
    return _back(c.pk)


@require_POST
@staff_only
def consultation_note(request, pk: int):
    c = _consultation(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(consultation=c, by=request.user, **form.cleaned_data)
        messages.success(request, "記録しました。")
    else:
        messages.error(request, "記録する内容を入力してください。")
    return _back(c.pk)


OUTCOME_MODELS = {
    OutcomeKind.INTRODUCTION: Introduction,
    OutcomeKind.REFERRAL: Referral,
    OutcomeKind.CONSORTIUM: Consortium,
    OutcomeKind.SUBMEETING: SubMeeting,
}


@require_POST
@staff_only
def consultation_outcome(request, pk: int):
    c = _consultation(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "つながった先の種類と番号を入力してください。")
        return _back(c.pk)
    kind = form.cleaned_data["kind"]
    target = OUTCOME_MODELS[kind].objects.filter(pk=form.cleaned_data["target"]).first()
    if target is None:
        messages.error(request, f"その番号の{OutcomeKind(kind).label}は見つかりません。")
        return _back(c.pk)
    services.outcome_link(consultation=c, kind=kind, target=target, by=request.user)
    messages.success(request, "つながった先を記録しました。")
    return _back(c.pk)


# --- Introduction requests ---------------------------------------------------------------------------
@require_POST
def match_request(request, number: str):
    if not request.user.is_authenticated:
        raise PermissionDenied
    viewer = RegistryViewer(request.user)
    corporation = get_object_or_404(Corporation.objects.visible_to(request.user), number=number)
    require(may_request_introduction(viewer, corporation))
    raw = [v for v in request.POST.getlist("candidates") if isinstance(v, str)][:50]
    visible = Corporation.objects.matchable_for(viewer).filter(number__in=raw)
    allowed = {c.number: c for c in visible}
    form = IntroductionRequestForm(request.POST, allowed=list(allowed))
    if not form.is_valid():
        messages.error(request, " ".join(e for es in form.errors.values() for e in es))
        return redirect("partners:match", number=corporation.number)
    services.introduction_request_create(
        corporation=corporation,
        candidates=[allowed[n] for n in form.cleaned_data["candidates"]],
        message=form.cleaned_data["message"],
        by=request.user,
    )
    messages.success(request, "紹介の依頼を窓口に送りました。ホームで状況を確認できます。")
    return redirect("home")


def _request(request, pk) -> IntroductionRequest:
    require(may_decide_request(request.user))
    found = IntroductionRequest.objects.filter(pk=parse_id(str(pk))).first()
    if found is None:
        raise Http404
    return found


@require_POST
@staff_only
def request_accept(request, pk: int):
    req = _request(request, pk)
    try:
        introduction = services.introduction_request_accept(request=req, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("desk:consultations")
    messages.success(request, "依頼を受けて、紹介を提案しました。")
    return redirect("partners:introduction", pk=introduction.pk)


@require_POST
@staff_only
def request_decline(request, pk: int):
    req = _request(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.introduction_request_decline(
                request=req, reason=form.cleaned_data["reason"], by=request.user
            )
            messages.success(request, "依頼を見送りました。")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "見送りの理由を入力してください。")
    if req.consultation_id:
        return _back(req.consultation_id)
    return redirect("desk:consultations")
