"""Pages of the provider registry and matchmaking.

Staff use all of it; a manager sees their own corporation, providers that consented, matches for
their own corporation and the introductions it is party to (rules in partners/access.py).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from partners import exports, selectors, services
from partners.access import RegistryViewer
from partners.forms import (
    AnswerForm,
    AnswerOnBehalfForm,
    GroupForm,
    IntroductionForm,
    MinutesForm,
    MoveForm,
    ParticipantsForm,
    ProfileForm,
    QuestionnaireForm,
    RsvpForm,
    ScheduleForm,
    SeriesForm,
    SubMeetingForm,
    UploadForm,
    WeightsForm,
)
from partners.matching import Weights
from partners.models import (
    ImportRun,
    Introduction,
    IntroductionStatus,
    MatchWeights,
    SubMeeting,
)
from partners.services import events
from partners.state import REGISTRY
from portal import providers
from portal.access import permission_required, require, require_visible
from portal.changes import STALE
from portal.confirm import unconfirmed
from portal.params import parse_id, parse_int
from portal.validators import is_valid_corporate_number

SEARCH_CACHE_SECONDS = 600


def _viewer(request) -> RegistryViewer:
    """The request's registry viewer, computed once (access rules in partners/access.py)."""
    if not hasattr(request, "registry_viewer"):
        request.registry_viewer = RegistryViewer(request.user)
    return request.registry_viewer


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@permission_required("use_registry")
def index(request):
    viewer = _viewer(request)
    part = "results" if request.htmx else "search"
    # Staff all see the same registry: their rendering is cached until the registry changes. A
    # manager's depends on their corporation and its introductions, and is made each time.
    key = None
    if viewer.staff:
        key = selectors.registry_search_cache_key(
            query=request.META.get("QUERY_STRING", ""), part=part
        )
    version, html = REGISTRY.read(key) if key else ("", None)
    if html is None:
        browse = selectors.registry_browse(params=request.GET, viewer=viewer)
        context = {"browse": browse, "own": selectors.own_corporation(viewer)}
        html = render_to_string(f"partners/index.html#{part}", context, request=request)
        if key:
            REGISTRY.store(key, version, html, SEARCH_CACHE_SECONDS)
    if request.htmx:
        return HttpResponse(html)
    search_html = mark_safe(html)  # noqa: S308 - rendered by our template, escaped there
    return render(request, "partners/index.html", {"search_html": search_html})


@permission_required("manage_registry")
def export(request, fmt: str):
    viewer = _viewer(request)
    view, _flt, queryset, _valid = selectors.registry_queryset(params=request.GET, viewer=viewer)
    title, header, rows = exports.registry_table(view, queryset, viewer)
    name = f"{'establishments' if view == 'establishments' else 'corporations'}-{_stamp()}"
    # Streamed: a filtered list can hold 250,000 establishments.
    return _spreadsheet(fmt, name, title, header, rows, stream=True)


def _spreadsheet(fmt: str, name: str, title: str, header, rows, *, stream: bool = False):
    """A CSV (UTF-8 with BOM) or XLSX download of a table."""
    if fmt == "csv":
        lines = exports.stream_csv(header, rows)
        content_type = "text/csv; charset=utf-8"
        if stream:
            response = StreamingHttpResponse(lines, content_type=content_type)
        else:
            response = HttpResponse("".join(lines), content_type=content_type)
    else:
        response = HttpResponse(
            exports.xlsx_bytes(title, header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _corporation_or_404(request, number: str):
    corporation = selectors.corporation_for(number=number)
    if corporation is None:
        raise Http404("この法人番号の法人は台帳にありません。")
    require_visible(_viewer(request).sees_name(corporation))
    return corporation


@permission_required("use_registry")
def corporation(request, number: str):
    corp = _corporation_or_404(request, number)
    viewer = _viewer(request)
    page = selectors.corporation_page(corporation=corp, viewer=viewer)
    context = {
        "page": page,
        "corp": corp,
        "may_edit": viewer.may_edit_profile(corp),
        "may_match": viewer.may_match_for(corp),
        # Sections higher apps add (the desk's consultations, for staff): portal/providers.py.
        "panels": providers.collect("corporation_page", request=request, corporation=corp),
    }
    return render(request, "partners/corporation.html", context)


@permission_required("use_registry")
def profile_edit(request, number: str):
    corp = _corporation_or_404(request, number)
    require(_viewer(request).may_edit_profile(corp))
    profile = getattr(corp, "profile", None)
    initial = {"version": profile.version if profile else 0}
    if profile:
        initial.update(
            challenges=list(profile.challenges.all()),
            themes=list(profile.themes.all()),
            consent_matching=profile.consent_matching,
            contact_person=profile.contact_person,
            contact=profile.contact,
        )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                corporation=corp,
                challenges=data["challenges"],
                themes=data["themes"],
                consent_matching=data["consent_matching"],
                contact_person=data["contact_person"],
                contact=data["contact"],
                by=request.user,
                version=data["version"],
            )
        except services.EditConflict as exc:
            form.add_error(
                None,
                "この画面を開いた後に、ほかの人がプロフィールを更新しました。入力内容は保存していません。"
                "ページを開き直して、最新の内容に重ねて入力してください。"
                if exc.message == STALE
                else exc.message,
            )
        else:
            messages.success(request, "プロフィールを保存しました。")
            return redirect("partners:corporation", number=corp.number)
    return render(request, "partners/profile_edit.html", {"corp": corp, "form": form})


@permission_required("use_registry")
def match(request, number: str):
    corp = _corporation_or_404(request, number)
    viewer = _viewer(request)
    require(viewer.may_match_for(corp))
    saved = MatchWeights.objects.order_by("pk").first()
    staff = viewer.staff
    params = request.GET if (staff and "region" in request.GET) else None
    form = WeightsForm(params, initial=WeightsForm.initial_from(saved))
    top = 20
    weights = selectors.default_weights()
    if params is not None and form.is_valid():
        data = form.cleaned_data
        top = data["top"]
        weights = Weights(
            region=data["region"],
            size=data["size"],
            challenges=data["challenges"],
            themes=data["themes"],
            services=data["services"],
            complementary_size=data["size_mode"] == "complementary",
        )
    else:
        top = parse_int(request.GET.get("top"), default=20, min_value=1, max_value=200) or 20
    results = [] if params is not None and not form.is_valid() else None
    if results is None:
        results = selectors.match_candidates(
            corporation=corp, viewer=viewer, weights=weights, top=top
        )
    numbers = [m.candidate.number for m in results]
    marks = selectors.introduction_marks(corporation=corp, numbers=numbers)
    # A higher app (the desk) may let a manager ask the window for introductions from here.
    asking = next(
        iter(providers.collect("match_page", request=request, corporation=corp, numbers=numbers)),
        None,
    )
    if asking:
        marks = {**asking.get("marks", {}), **marks}
    for m in results:
        m.mark = marks.get(m.candidate.number, "")
    context = {
        "corp": corp,
        "form": form,
        "results": results,
        "weights": weights,
        "staff": staff,
        "asking": asking,
    }
    return render(request, "partners/match.html", context)


@require_POST
@permission_required("manage_registry")
def weights_save(request):
    form = WeightsForm(request.POST)
    # Only a real 法人番号 goes back into a URL: "../../x" is dropped, not a NoReverseMatch.
    number = request.POST.get("number", "").strip()
    if not is_valid_corporate_number(number):
        number = ""
    if form.is_valid():
        values = {
            k: form.cleaned_data[k] for k in ("region", "size", "challenges", "themes", "services")
        }
        services.match_weights_update(values=values, by=request.user)
        messages.success(request, "この重みを窓口の既定値として保存しました。")
    else:
        messages.error(request, "重みを保存できませんでした。0～100の整数を入力してください。")
    if number:
        return redirect("partners:match", number=number)
    return redirect("partners:index")


# --- Imports ----------------------------------------------------------------------------------------
@permission_required("manage_registry")
def imports(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_upload(
                uploaded=form.cleaned_data["open_data"],
                by=request.user,
                as_of=form.cleaned_data["as_of"],
                snapshot=form.snapshot_choice,
            )
        except ValidationError as exc:
            form.add_error("open_data", exc)
        else:
            messages.success(
                request, f"「{run.file_name}」を受け付けました。取り込みの進み具合を表示します。"
            )
            return redirect("partners:import_detail", pk=run.pk)
    context = {"form": form, "runs": selectors.import_runs()}
    return render(request, "partners/imports.html", context)


@permission_required("manage_registry")
def import_detail(request, pk: int):
    run = get_object_or_404(ImportRun.objects.select_related("started_by"), pk=pk)
    context = {"run": run, "poll": not run.is_finished}
    if request.htmx:
        return render(request, "partners/import_detail.html#progress", context)
    return render(request, "partners/import_detail.html", context)


@permission_required("manage_registry")
def import_rejects(request, pk: int):
    run = get_object_or_404(ImportRun, pk=pk)
    if not run.rejects_file:
        raise Http404("この取り込みには取り込めなかった行がありません。")
    from pathlib import Path

    path = Path(run.rejects_file)
    if not path.exists():
        raise Http404("取り込めなかった行のファイルが見つかりません。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"rejects-run-{run.pk}.csv")


# --- Introductions ----------------------------------------------------------------------------------
@permission_required("use_registry")
def introductions(request):
    status = request.GET.get("status", "")
    if status not in IntroductionStatus.values:
        status = ""
    viewer = _viewer(request)
    rows = selectors.introduction_list(viewer=viewer, status=status)
    funnel = selectors.introduction_funnel() if viewer.staff else None
    context = {
        "rows": rows,
        "funnel": funnel,
        "status": status,
        "statuses": IntroductionStatus.choices,
        "own": selectors.own_corporation(viewer),
    }
    return render(request, "partners/introductions.html", context)


@permission_required("manage_registry")
def introduction_new(request):
    initial = {"corporations": "\n".join(request.GET.getlist("c"))}
    form = IntroductionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        intro = services.introduction_propose(
            corporations=data["corporations"],
            title=data["title"],
            note=data["note"],
            theme=data["theme"],
            by=request.user,
        )
        messages.success(request, "紹介を提案として登録しました。")
        return redirect("partners:introduction", pk=intro.pk)
    return render(request, "partners/introduction_new.html", {"form": form})


@permission_required("use_registry")
def introduction(request, pk: int):
    viewer = _viewer(request)
    intro = selectors.introduction_detail(pk=pk)
    if intro is None:
        raise Http404("この紹介は見つかりません。")
    require_visible(viewer.sees_introduction(intro))
    parties = selectors.party_rows(intro, viewer)
    open_for_answers = intro.accepts_answers
    for row in parties:
        if row["may_record"] and open_for_answers:
            row["record_form"] = AnswerOnBehalfForm(
                initial={
                    "number": row["party"].corporation.number,
                    "received_on": timezone.localdate(),
                },
                auto_id=f"id_p{row['party'].pk}_%s",
            )
    context = {
        "intro": intro,
        "parties": parties,
        "own_party": next((r for r in parties if r["own"]), None),
        "open_for_answers": open_for_answers,
        "staff": viewer.staff,
        "contacts_hidden": not all(r["sees_contact"] for r in parties),
        "contacts_shown": any(r["sees_contact"] for r in parties),
        "sees_log": viewer.sees_introduction_log(intro),
        "move_form": MoveForm(initial={"version": intro.version}),
        "moves": [(s, IntroductionStatus(s).label) for s in intro.next_moves],
    }
    return render(request, "partners/introduction.html", context)


@require_POST
@permission_required("manage_registry")
def introduction_move(request, pk: int):
    intro = get_object_or_404(Introduction, pk=pk)
    what = "紹介の状態を選んだ次の状態に移します。当事者への表示と経過の記録が変わります。"
    back = reverse("partners:introduction", args=[pk])
    if refusal := unconfirmed(request, what=what, back=back):
        return refusal
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("to", ["次の状態を選んでください。"])))
        return redirect("partners:introduction", pk=pk)
    try:
        services.introduction_move(
            introduction=intro,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
            by=request.user,
            version=form.cleaned_data["version"],
        )
    except services.EditConflict:
        messages.error(
            request,
            "この画面を開いた後に、ほかの人がこの紹介の状態を変えました。最新の状態を確認してから、もう一度操作してください。",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "紹介の状態を更新しました。")
    return redirect("partners:introduction", pk=pk)


@require_POST
@permission_required("use_registry")
def introduction_respond(request, pk: int):
    """A party's own manager answers; staff record answers with introduction_record_answer."""
    viewer = _viewer(request)
    intro = get_object_or_404(Introduction.objects.prefetch_related("parties__corporation"), pk=pk)
    require_visible(viewer.sees_introduction(intro))
    corp = selectors.own_corporation(viewer)
    require(corp is not None)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "承諾か辞退かを選んでください。")
        return redirect("partners:introduction", pk=pk)
    accept = form.cleaned_data["answer"] == "accept"
    if not accept:
        what = f"{corp.name}としてこの紹介を辞退します。回答は一度だけで、後から変えられません。"
        back = reverse("partners:introduction", args=[pk])
        if refusal := unconfirmed(request, what=what, back=back):
            return refusal
    try:
        services.introduction_respond(
            introduction=intro, corporation=corp, accept=accept, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "回答を記録しました。" if accept else "辞退を記録しました。")
    return redirect("partners:introduction", pk=pk)


@require_POST
@permission_required("manage_registry")
def introduction_record_answer(request, pk: int):
    """Staff record, on a party's behalf, the answer it gave by phone, e-mail or in a meeting."""
    intro = get_object_or_404(Introduction, pk=pk)
    form = AnswerOnBehalfForm(request.POST)
    party = None
    if form.is_valid():
        party = (
            intro.parties.select_related("corporation")
            .filter(corporation__number=form.cleaned_data["number"])
            .first()
        )
    if party is None:
        errors = [e for field in form.errors.values() for e in field] or [
            "この法人はこの紹介の当事者ではありません。"
        ]
        messages.error(request, "代理の回答を記録できませんでした。" + " ".join(errors))
        return redirect("partners:introduction", pk=pk)
    data = form.cleaned_data
    if data["answer"] != "accept":
        what = f"{party.corporation.name}の辞退を代理で記録します。紹介は辞退で終わります。"
        back = reverse("partners:introduction", args=[pk])
        if refusal := unconfirmed(request, what=what, back=back):
            return refusal
    try:
        services.introduction_record_answer(
            introduction=intro,
            corporation=party.corporation,
            accept=data["answer"] == "accept",
            channel=data["channel"],
            received_on=data["received_on"],
            note=data["note"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{party.corporation.name}の回答を代理で記録しました。")
    return redirect("partners:introduction", pk=pk)


# --- Sub-meetings -----------------------------------------------------------------------------------
@permission_required("manage_registry")
def meetings(request):
    form = SubMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = services.submeeting_create(values=form.cleaned_data, by=request.user)
        messages.success(request, "分科会を登録しました。参加する法人を追加してください。")
        return redirect("partners:meeting", pk=meeting.pk)
    context = {"form": form, "series_form": SeriesForm(), "meetings": selectors.submeetings()}
    return render(request, "partners/meetings.html", context)


def _meeting(pk: int) -> SubMeeting:
    return get_object_or_404(SubMeeting.objects.select_related("theme"), pk=pk)


def _meeting_page(request, meeting: SubMeeting, status: int = 200, **forms):
    forms.setdefault("add_form", ParticipantsForm())
    forms.setdefault("group_form", GroupForm(initial={"group_size": meeting.group_size}))
    forms.setdefault("schedule_form", ScheduleForm(instance=meeting))
    forms.setdefault("minutes_form", MinutesForm(initial={"minutes": meeting.minutes}))
    groups, unplaced = selectors.submeeting_groups(meeting=meeting)
    group_numbers = list(range(1, max([g["number"] for g in groups] + [0]) + 2))
    participants = [m for g in groups for m in g["members"]] + unplaced
    context = {"meeting": meeting, "groups": groups, "unplaced": unplaced,
               "group_numbers": group_numbers, "participants": participants,
               "counts": selectors.rsvp_counts(participants), **forms}  # fmt: skip
    return render(request, "partners/meeting.html", context, status=status)


@require_GET
@permission_required("manage_registry")
def meeting(request, pk: int):
    return _meeting_page(request, _meeting(pk))


@require_POST
@permission_required("manage_registry")
def meeting_add(request, pk: int):
    meeting = _meeting(pk)
    form = ParticipantsForm(request.POST)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, add_form=form)
    added = services.submeeting_add(
        meeting=meeting, corporations=form.cleaned_data["numbers"], by=request.user
    )
    messages.success(request, f"{added}法人を参加者に追加しました。")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_group(request, pk: int):
    meeting = _meeting(pk)
    form = GroupForm(request.POST, initial={"group_size": meeting.group_size})
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, group_form=form)
    services.submeeting_group(
        meeting=meeting, group_size=form.cleaned_data["group_size"], by=request.user
    )
    messages.success(request, "グループ分けの案を作りました。必要なら手で入れ替えてください。")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_move(request, pk: int):
    meeting = _meeting(pk)
    moves = {}
    for key, value in request.POST.items():
        participant = parse_id(key[6:]) if key.startswith("group-") else None
        if participant is not None:
            moves[participant] = parse_int(value, min_value=1, max_value=999)
    changed = services.submeeting_move(meeting=meeting, moves=moves, by=request.user)
    messages.success(request, f"{changed}法人のグループを変更しました。")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_remove(request, pk: int):
    removed = services.submeeting_remove(
        meeting=_meeting(pk),
        corporation_id=parse_id(request.POST.get("corporation")) or 0,
        by=request.user,
    )
    if removed:
        messages.success(
            request, "参加者から外しました。グループ分けは、必要なら案を作り直してください。"
        )
    else:
        messages.error(request, "指定された法人はこの分科会の参加者ではありません。")
    return redirect("partners:meeting", pk=pk)


@permission_required("manage_registry")
def meeting_export(request, pk: int, fmt: str):
    meeting = get_object_or_404(SubMeeting.objects.select_related("theme"), pk=pk)
    groups, unplaced = selectors.submeeting_groups(meeting=meeting)
    header, rows = exports.groups_table(meeting, groups, unplaced, _viewer(request))
    name = f"submeeting-{meeting.pk}-{_stamp()}"
    return _spreadsheet(fmt, name, "グループ", header, rows)


# --- Sub-meetings as events ------------------------------------------------------------------------
@require_POST
@permission_required("manage_registry")
def meeting_schedule(request, pk: int):
    meeting = _meeting(pk)
    form = ScheduleForm(request.POST, instance=_meeting(pk))
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, schedule_form=form)
    values = {f: form.cleaned_data[f] for f in ScheduleForm.Meta.fields}
    try:
        updated = events.submeeting_schedule(meeting=meeting, values=values, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        told = "招待した法人に変更をお知らせします。" if updated.version != meeting.version else ""
        messages.success(request, f"日程・会場を保存しました。{told}")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_invite(request, pk: int):
    invited = events.submeeting_invite(meeting=_meeting(pk), by=request.user)
    if invited:
        messages.success(request, f"{invited}法人に招待メールを送ります。")
    else:
        messages.info(request, "新しく招待する法人はありません（全員招待済みです）。")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_attendance(request, pk: int):
    meeting = _meeting(pk)
    attendance: dict[int, int | None] = {}
    for key, value in request.POST.items():
        participant = parse_id(key[9:]) if key.startswith("attended-") else None
        if participant is not None:
            attendance[participant] = parse_int(value, min_value=0, max_value=99)
    changed = events.submeeting_record_attendance(
        meeting=meeting, attendance=attendance, by=request.user
    )
    messages.success(request, f"{changed}法人の出席を記録しました。")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_minutes(request, pk: int):
    meeting = _meeting(pk)
    form = MinutesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, minutes_form=form)
    events.submeeting_save_minutes(
        meeting=meeting,
        text=form.cleaned_data["minutes"],
        upload=form.cleaned_data["minutes_file"],
        by=request.user,
    )
    messages.success(request, "議事録を保存しました。")
    return redirect("partners:meeting", pk=pk)


@require_POST
@permission_required("manage_registry")
def meeting_introduce(request, pk: int):
    meeting = _meeting(pk)
    group = parse_int(request.POST.get("group"), min_value=1, max_value=999)
    if group is None:
        messages.error(request, "グループを選んでください。")
        return redirect("partners:meeting", pk=pk)
    try:
        introduction = events.submeeting_introduce_group(
            meeting=meeting, group=group, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partners:meeting", pk=pk)
    messages.success(request, f"グループ{group}の法人どうしの紹介を提案しました。")
    return redirect("partners:introduction", pk=introduction.pk)


@require_POST
@permission_required("manage_registry")
def meeting_series(request):
    form = SeriesForm(request.POST)
    if not form.is_valid():
        context = {"form": SubMeetingForm(), "series_form": form,
                   "meetings": selectors.submeetings()}  # fmt: skip
        return render(request, "partners/meetings.html", context, status=400)
    values = {k: v for k, v in form.cleaned_data.items() if k != "count"}
    series = events.series_create(values=values, count=form.cleaned_data["count"], by=request.user)
    messages.success(
        request, f"定例の分科会「{series.title}」の{form.cleaned_data['count']}回分を作成しました。"
    )
    return redirect("partners:meetings")


def _visible_meeting(request, pk: int) -> SubMeeting:
    """A sub-meeting the user may open as an event (access rule 9), else 403."""
    meeting = _meeting(pk)
    require(_viewer(request).sees_meeting(meeting))
    return meeting


@require_GET
@permission_required("use_registry")
def meeting_ics(request, pk: int):
    from partners.ics import meeting_calendar

    meeting = _visible_meeting(request, pk)
    response = HttpResponse(meeting_calendar(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="submeeting-{meeting.pk}.ics"'
    return response


@require_GET
@permission_required("use_registry")
def meeting_minutes_file(request, pk: int):
    meeting = _visible_meeting(request, pk)
    if not meeting.minutes_file:
        raise Http404
    name = meeting.minutes_file.name.rsplit("/", 1)[-1]
    return FileResponse(meeting.minutes_file.open("rb"), as_attachment=True, filename=name)


@require_GET
@permission_required("use_registry")
def my_meetings(request):
    invitations = selectors.own_invitations(_viewer(request))
    return render(request, "partners/my_meetings.html", {"invitations": invitations})


def _invitation_page(request, meeting: SubMeeting, status: int = 200, **forms):
    invitation = selectors.own_invitation(_viewer(request), meeting)
    require(invitation is not None)
    forms.setdefault(
        "rsvp_form",
        RsvpForm(initial={"answer": invitation.response, "people": invitation.people or 1}),
    )
    if "questionnaire_form" not in forms:
        source = getattr(invitation, "questionnaire", None)
        profile = getattr(invitation.corporation, "profile", None)
        source = source or profile
        initial = {"comment": getattr(source, "comment", "")}
        if source is not None:
            initial["challenges"] = list(source.challenges.all())
            initial["themes"] = list(source.themes.all())
        forms["questionnaire_form"] = QuestionnaireForm(initial=initial)
    context = {"meeting": meeting, "invitation": invitation,
               "open": events.accepts_answers(meeting), **forms}  # fmt: skip
    return render(request, "partners/meeting_invitation.html", context, status=status)


@require_GET
@permission_required("use_registry")
def meeting_invitation(request, pk: int):
    meeting = _visible_meeting(request, pk)
    if _viewer(request).staff:
        return redirect("partners:meeting", pk=pk)
    return _invitation_page(request, meeting)


@require_POST
@permission_required("use_registry")
def meeting_answer(request, pk: int):
    meeting = _visible_meeting(request, pk)
    invitation = selectors.own_invitation(_viewer(request), meeting)
    require(invitation is not None)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        return _invitation_page(request, meeting, status=400, rsvp_form=form)
    try:
        answered = events.invitation_respond(
            participant=invitation,  # type: ignore[arg-type]
            answer=form.cleaned_data["answer"],
            people=form.cleaned_data["people"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _answered_text(answered))
    return redirect("partners:meeting_invitation", pk=pk)


@require_POST
@permission_required("use_registry")
def meeting_questionnaire(request, pk: int):
    meeting = _visible_meeting(request, pk)
    invitation = selectors.own_invitation(_viewer(request), meeting)
    require(invitation is not None)
    form = QuestionnaireForm(request.POST)
    if not form.is_valid():
        return _invitation_page(request, meeting, status=400, questionnaire_form=form)
    events.questionnaire_answer(
        participant=invitation,  # type: ignore[arg-type]
        challenges=form.cleaned_data["challenges"],
        themes=form.cleaned_data["themes"],
        comment=form.cleaned_data["comment"],
        update_profile=form.cleaned_data["update_profile"],
        by=request.user,
    )
    done = "法人の基本情報も更新しました。" if form.cleaned_data["update_profile"] else ""
    messages.success(request, f"アンケートの回答を保存しました。{done}")
    return redirect("partners:meeting_invitation", pk=pk)


def _answered_text(participant) -> str:
    if participant.waiting:
        return (
            "定員に達しているため、キャンセル待ちで受け付けました。席が空きしだいお知らせします。"
        )
    if participant.response == "attend":
        return f"参加（{participant.people}名）で受け付けました。"
    return f"「{participant.get_response_display()}」で受け付けました。"


def _rsvp_invitation(token: str):
    """The invitation of a mail's signed link (no login; it answers only for itself)."""
    invitation = events.participant_for_token(token)
    if invitation is None:
        raise Http404("この回答用リンクは無効です。")
    return invitation


def _rsvp_page(request, token: str, invitation, status: int = 200, form=None):
    form = form or RsvpForm(
        initial={"answer": invitation.response, "people": invitation.people or 1}
    )
    context = {"meeting": invitation.meeting, "invitation": invitation, "token": token,
               "form": form, "open": events.accepts_answers(invitation.meeting)}  # fmt: skip
    return render(request, "partners/rsvp.html", context, status=status)


@require_GET
def rsvp(request, token: str):
    return _rsvp_page(request, token, _rsvp_invitation(token))


@require_POST
def rsvp_answer(request, token: str):
    invitation = _rsvp_invitation(token)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        return _rsvp_page(request, token, invitation, status=400, form=form)
    try:
        answered = events.invitation_respond(
            participant=invitation,
            answer=form.cleaned_data["answer"],
            people=form.cleaned_data["people"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _answered_text(answered))
    return redirect("partners:rsvp", token=token)
