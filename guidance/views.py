"""Pages of the consortium workflow (the dashboard lives in oversight/)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from guidance import access, selectors, services
from guidance.forms import (
    SUGGESTED_KPIS,
    ActionForm,
    ActivityForm,
    ConsortiumCreateForm,
    ExternalPartnerForm,
    FromIntroductionForm,
    GoalForm,
    InvitationAnswerForm,
    ItemForm,
    KpiForm,
    MeasurementEditForm,
    MeasurementForm,
    MemberForm,
    MoveForm,
    ReferralForm,
    StatusForm,
)
from guidance.models import (
    Action,
    Activity,
    ChecklistItem,
    Consortium,
    ConsortiumStatus,
    Kpi,
    Measurement,
    Membership,
    Referral,
    ReferralStatus,
    Stage,
)
from portal.access import is_window_staff, permission_required, require, require_visible
from portal.confirm import REFUSED as CONFIRM_REFUSED
from portal.confirm import is_confirmed, unconfirmed
from portal.dates import format_seireki
from portal.params import object_or_404, parse_choice
from portal.taxonomy import STAGE_NUMBERS, next_step_first_stage, parse_stage

CONFLICT = (
    "この画面を開いた後に、ほかの人がこの項目を更新しました。入力内容は保存していません。"
    "最新の内容を確認して、もう一度入力してください。"
)


def _page(request, pk: int):
    page = selectors.consortium_page(pk=pk)
    if page is None:
        raise Http404("この協働体は見つかりません。")
    require_visible(access.can_view(request.user, page.consortium))
    return page


def _rights(user, consortium) -> dict:
    return {
        "may_contribute": access.can_contribute(user, consortium),
        "may_lead": access.can_lead(user, consortium),
        "may_override": access.can_override_gate(user),
        "staff": is_window_staff(user),
    }


@permission_required("view_consortia")
def index(request):
    status = request.GET.get("status", ConsortiumStatus.ACTIVE)
    if status not in ConsortiumStatus.values and status != "all":
        status = ConsortiumStatus.ACTIVE
    rows = selectors.consortium_list(user=request.user, status="" if status == "all" else status)
    context = {
        "rows": rows,
        "status": status,
        "statuses": ConsortiumStatus.choices,
        "staff": is_window_staff(request.user),
    }
    return render(request, "guidance/index.html", context)


@permission_required("manage_registry")
def create(request):
    form = ConsortiumCreateForm(request.POST or None, prefecture=settings.PORTAL_PREFECTURE)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            k: data[k]
            for k in (
                "name",
                "form",
                "legal_form",
                "area",
                "municipality",
                "stage",
                "started_on",
                "target_on",
            )
        }
        consortium = services.consortium_create(
            values=values, themes=data["themes"], members=data["members"], by=request.user,
            invite=True,
        )  # fmt: skip
        messages.success(
            request,
            f"協働体「{consortium.name}」を登録し、参加法人に招待を送りました。"
            "各法人が承諾すると（または窓口が回答を記録すると）参加法人になります。",
        )
        return redirect("guidance:detail", pk=consortium.pk)
    return render(request, "guidance/create.html", {"form": form})


@permission_required("manage_registry")
def from_introduction(request, intro_pk: int):
    from partners.selectors import introduction_detail

    intro = introduction_detail(pk=intro_pk)
    if intro is None:
        raise Http404("この紹介は見つかりません。")
    formed = list(Consortium.objects.filter(introduction=intro).order_by("pk"))
    if formed:
        # A second visit (or a double submit) meets the consortium already made, not a form.
        context = {"intro": intro, "formed": formed}
        status = 409 if request.method == "POST" else 200
        return render(request, "guidance/from_introduction.html", context, status=status)
    form = FromIntroductionForm(request.POST or None, initial={"form": "loose"})
    if request.method == "POST" and form.is_valid():
        try:
            consortium = services.consortium_from_introduction(
                introduction=intro,
                name=form.cleaned_data["name"],
                form=form.cleaned_data["form"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "協働体を作り、紹介の当事者に招待を送りました。承諾すると参加法人になります。",
            )
            return redirect("guidance:detail", pk=consortium.pk)
    return render(request, "guidance/from_introduction.html", {"form": form, "intro": intro})


@permission_required("view_consortia")
def detail(request, pk: int):
    page = _page(request, pk)
    context = {"page": page, "c": page.consortium, **_rights(request.user, page.consortium)}
    return render(request, "guidance/detail.html", context)


@permission_required("view_consortia")
def checklist(request, pk: int):
    page = _page(request, pk)
    selectors.checklist_documents(page=page, user=request.user)
    context = {"page": page, "c": page.consortium, **_rights(request.user, page.consortium)}
    return render(request, "guidance/checklist.html", context)


@permission_required("view_consortia")
def item(request, pk: int, item_pk: int):
    page = _page(request, pk)
    consortium = page.consortium
    obj = get_object_or_404(ChecklistItem, pk=item_pk, consortium=consortium)
    may = access.can_contribute(request.user, consortium)
    stored = selectors.evidence_listing(obj)  # before a bound form puts an upload on obj
    form = ItemForm(request.POST or None, request.FILES or None, instance=obj,
                    initial={"version": obj.version})  # fmt: skip
    if request.method == "POST":
        require(may)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in ItemForm.Meta.fields}
            try:
                services.checklist_item_update(
                    item=obj, values=values, by=request.user, version=form.cleaned_data["version"]
                )
            except services.EditConflict:
                form.add_error(None, CONFLICT)
            else:
                messages.success(request, f"「{obj.title}」を保存しました。")
                return redirect("guidance:checklist", pk=pk)
    context = {"c": consortium, "item": obj, "form": form, "may_contribute": may,
               **stored}  # fmt: skip
    return render(request, "guidance/item.html", context)


@require_POST
@permission_required("view_consortia")
def item_status(request, pk: int, item_pk: int):
    """The quick status change next to each item (no JavaScript needed)."""
    consortium = get_object_or_404(Consortium, pk=pk)
    require_visible(access.can_view(request.user, consortium))
    require(access.can_contribute(request.user, consortium))
    obj = get_object_or_404(ChecklistItem, pk=item_pk, consortium=consortium)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            obj = services.checklist_item_update(
                item=obj,
                values={"status": form.cleaned_data["status"]},
                by=request.user,
                version=form.cleaned_data["version"],
            )
        except services.EditConflict:
            messages.error(request, CONFLICT)
        else:
            messages.success(
                request, f"「{obj.title}」を「{obj.get_status_display()}」にしました。"
            )
    back = request.POST.get("next", "")
    if back.startswith(f"/consortia/{pk}/"):
        return redirect(back)
    return redirect("guidance:detail", pk=pk)


@permission_required("view_consortia")
def advance(request, pk: int):
    page = _page(request, pk)
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    next_stage = min(STAGE_NUMBERS[-1], consortium.stage + 1)
    form = MoveForm(request.POST or None, initial={"to_stage": next_stage})
    raw = request.POST.get("to_stage") or request.GET.get("to")
    target = parse_stage(raw) or next_stage
    # What stands between the consortium and its next STEP, shown before anyone asks.
    next_step_stage = next_step_first_stage(consortium.stage)
    missing = (
        services.gate_missing(consortium=consortium, to_stage=next_step_stage)
        if next_step_stage
        else []
    )
    if request.method == "POST":
        require(rights["may_lead"])
        override = form.is_valid() and form.cleaned_data["override"] and rights["may_override"]
        if override and not is_confirmed(request):
            # Skipping required items is consequential: the same box as every such action.
            form.add_error(None, CONFIRM_REFUSED)
        if form.is_valid():
            try:
                move = services.consortium_move(
                    consortium=consortium,
                    to_stage=form.cleaned_data["to_stage"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    override=override,
                )
            except services.GateBlocked as exc:
                missing = exc.missing
                form.add_error(
                    None,
                    f"次のSTEPに進むには、必須の項目があと{len(missing)}件あります。"
                    + (
                        "終わらせるか、理由を書いて「進める」にチェックしてください。"
                        if rights["may_override"]
                        else "終わらせてから、もう一度お試しください。"
                    ),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"{move.get_from_stage_display()} から {move.get_to_stage_display()} に移りました。",
                )
                return redirect("guidance:detail", pk=pk)
    context = {"page": page, "c": consortium, "form": form, "missing": missing, "target": target,
               "stages": Stage.choices, **rights}  # fmt: skip
    return render(request, "guidance/advance.html", context)


# --- Goals, KPIs and measurements: one page, one POST view per action ------------------------------
def _kpis_page(request, page, status: int = 200, **forms):
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    kpis = Kpi.objects.filter(goal__consortium=consortium)
    forms.setdefault("goal_form", GoalForm())
    forms.setdefault("kpi_form", KpiForm(goals=consortium.goals.all()))
    forms.setdefault("measurement_form", MeasurementForm(kpis=kpis))
    bound = forms["measurement_form"]
    chosen = getattr(bound, "cleaned_data", {}).get("kpi") if bound.is_bound else None
    forms["measure_for"] = chosen.pk if chosen else None
    themes = [t.code for t in consortium.themes.all()]
    suggestions = [(code, s) for code in themes for s in SUGGESTED_KPIS.get(code, [])]
    context = {"page": page, "c": consortium, "suggestions": suggestions, **forms, **rights}
    return render(request, "guidance/kpis.html", context, status=status)


@require_GET
@permission_required("view_consortia")
def kpis(request, pk: int):
    return _kpis_page(request, _page(request, pk))


@require_POST
@permission_required("view_consortia")
def goal_add(request, pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    form = GoalForm(request.POST)
    if form.is_valid():
        services.goal_create(consortium=page.consortium, by=request.user, **form.cleaned_data)
        messages.success(request, "目標を追加しました。")
        return redirect("guidance:kpis", pk=pk)
    return _kpis_page(request, page, status=400, goal_form=form)


@require_POST
@permission_required("view_consortia")
def kpi_add(request, pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    form = KpiForm(request.POST, goals=page.consortium.goals.all())
    if form.is_valid():
        try:
            services.kpi_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)  # field errors land next to their fields
        else:
            messages.success(request, "KPIを追加しました。")
            return redirect("guidance:kpis", pk=pk)
    return _kpis_page(request, page, status=400, kpi_form=form)


@require_POST
@permission_required("view_consortia")
def measurement_add(request, pk: int):
    page = _page(request, pk)
    require(access.can_contribute(request.user, page.consortium))
    form = MeasurementForm(request.POST, kpis=Kpi.objects.filter(goal__consortium=page.consortium))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measurement_add(kpi=data["kpi"], measured_on=data["measured_on"],
                                     value=data["value"], note=data["note"], by=request.user,
                                     replace=data["replace"])  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"「{data['kpi'].name}」の測定値を記録しました。")
            return redirect("guidance:kpis", pk=pk)
    return _kpis_page(request, page, status=400, measurement_form=form)


@permission_required("view_consortia")
def measurements(request, pk: int):
    """Every measurement, with correction and deletion for the leads."""
    page = _page(request, pk)
    rows = selectors.measurement_rows(consortium=page.consortium)
    context = {"page": page, "c": page.consortium, "rows": rows,
               **_rights(request.user, page.consortium)}  # fmt: skip
    return render(request, "guidance/measurements.html", context)


@permission_required("view_consortia")
def measurement_edit(request, pk: int, measurement_pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    obj = get_object_or_404(Measurement, pk=measurement_pk, kpi__goal__consortium=page.consortium)
    initial = {"measured_on": obj.measured_on, "value": obj.value, "note": obj.note}
    form = MeasurementEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_update(measurement=obj, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"「{obj.kpi.name}」の測定値を直しました。")
            return redirect("guidance:measurements", pk=pk)
    context = {"page": page, "c": page.consortium, "m": obj, "form": form}
    return render(request, "guidance/measurement_edit.html", context)


@require_POST
@permission_required("view_consortia")
def measurement_delete(request, pk: int, measurement_pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    obj = get_object_or_404(Measurement, pk=measurement_pk, kpi__goal__consortium=page.consortium)
    services.measurement_delete(measurement=obj, by=request.user)
    messages.success(
        request, f"「{obj.kpi.name}」の{format_seireki(obj.measured_on)}の測定値を削除しました。"
    )
    return redirect("guidance:measurements", pk=pk)


# --- Next actions and activity: one page, one POST view per action ----------------------------------
def _actions_page(request, page, status: int = 200, **forms):
    forms.setdefault("action_form", ActionForm(consortium=page.consortium))
    forms.setdefault("activity_form", ActivityForm())
    changeable = access.changeable_activity_ids(request.user, page.consortium, page.activities)
    context = {"page": page, "c": page.consortium, **forms, "changeable": changeable,
               **_rights(request.user, page.consortium)}  # fmt: skip
    return render(request, "guidance/actions.html", context, status=status)


@require_GET
@permission_required("view_consortia")
def actions(request, pk: int):
    return _actions_page(request, _page(request, pk))


@require_POST
@permission_required("view_consortia")
def action_add(request, pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    form = ActionForm(request.POST, consortium=page.consortium)
    if form.is_valid():
        services.action_create(consortium=page.consortium, by=request.user, **form.cleaned_data)
        messages.success(request, "次のアクションを追加しました。")
        return redirect("guidance:actions", pk=pk)
    return _actions_page(request, page, status=400, action_form=form)


@require_POST
@permission_required("view_consortia")
def activity_add(request, pk: int):
    page = _page(request, pk)
    require(access.can_contribute(request.user, page.consortium))
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_add(consortium=page.consortium, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "活動を記録しました。")
            return redirect("guidance:actions", pk=pk)
    return _actions_page(request, page, status=400, activity_form=form)


def _entry_page(request, page, *, form, kind: str, entry, status: int = 200):
    context = {"page": page, "c": page.consortium, "form": form, "kind": kind, "entry": entry}
    return render(request, "guidance/entry_edit.html", context, status=status)


@permission_required("view_consortia")
def action_edit(request, pk: int, action_pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    obj = get_object_or_404(Action, pk=action_pk, consortium=page.consortium)
    initial = {"title": obj.title, "owner": obj.owner, "due_on": obj.due_on}
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.action_update(action=obj, values=form.cleaned_data, by=request.user)
        messages.success(request, "次のアクションを直しました。")
        return redirect("guidance:actions", pk=pk)
    return _entry_page(request, page, form=form, kind="action", entry=obj,
                       status=400 if form.errors else 200)  # fmt: skip


@require_POST
@permission_required("view_consortia")
def action_delete(request, pk: int, action_pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    obj = get_object_or_404(Action, pk=action_pk, consortium=page.consortium)
    what = f"次のアクション「{obj.title}」を削除します。削除した内容は変更履歴に残ります。"
    back = reverse("guidance:actions", args=[pk])
    if refusal := unconfirmed(request, what=what, back=back):
        return refusal
    services.action_delete(action=obj, by=request.user)
    messages.success(request, f"次のアクション「{obj.title}」を削除しました。")
    return redirect("guidance:actions", pk=pk)


@permission_required("view_consortia")
def activity_edit(request, pk: int, activity_pk: int):
    page = _page(request, pk)
    obj = get_object_or_404(Activity, pk=activity_pk, consortium=page.consortium)
    require(access.can_change_activity(request.user, obj))
    initial = {k: getattr(obj, k) for k in ("kind", "title", "happened_on", "note", "url")}
    form = ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=obj, values=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "活動の記録を直しました。")
            return redirect("guidance:actions", pk=pk)
    return _entry_page(request, page, form=form, kind="activity", entry=obj,
                       status=400 if form.errors else 200)  # fmt: skip


@require_POST
@permission_required("view_consortia")
def activity_delete(request, pk: int, activity_pk: int):
    page = _page(request, pk)
    obj = get_object_or_404(Activity, pk=activity_pk, consortium=page.consortium)
    require(access.can_change_activity(request.user, obj))
    what = f"活動の記録「{obj.title}」を削除します。削除した内容は変更履歴に残ります。"
    back = reverse("guidance:actions", args=[pk])
    if refusal := unconfirmed(request, what=what, back=back):
        return refusal
    services.activity_delete(activity=obj, by=request.user)
    messages.success(request, f"活動の記録「{obj.title}」を削除しました。")
    return redirect("guidance:actions", pk=pk)


def _action_set(request, pk: int, action_pk, done: bool):
    consortium = get_object_or_404(Consortium, pk=pk)
    require_visible(access.can_view(request.user, consortium))
    require(access.can_contribute(request.user, consortium))
    obj = object_or_404(Action, str(action_pk), consortium=consortium)
    services.action_complete(action=obj, by=request.user, done=done)
    messages.success(
        request, f"「{obj.title}」を{'完了にしました' if done else '未完了に戻しました'}。"
    )
    return redirect("guidance:actions", pk=pk)


@require_POST
@permission_required("view_consortia")
def action_done(request, pk: int, action_pk):
    return _action_set(request, pk, action_pk, done=True)


@require_POST
@permission_required("view_consortia")
def action_reopen(request, pk: int, action_pk):
    return _action_set(request, pk, action_pk, done=False)


@permission_required("view_consortia")
def help_page(request, pk: int):
    page = _page(request, pk)
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    form = ReferralForm(request.POST or None)
    if request.method == "POST":
        require(rights["may_lead"])
        if form.is_valid():
            services.referral_request(consortium=consortium, by=request.user, **form.cleaned_data)
            messages.success(request, "専門家の紹介を窓口に依頼しました。窓口から連絡します。")
            return redirect("guidance:help", pk=pk)
    stage_help = selectors.stage_help(consortium=consortium, user=request.user)
    context = {"page": page, "c": consortium, "help": stage_help, "form": form, **rights}
    return render(request, "guidance/help.html", context)


@require_GET
@permission_required("manage_registry")
def referrals(request):
    rows = Referral.objects.select_related("consortium", "kind", "expert", "requested_by")
    moves = services.REFERRAL_MOVES
    context = {
        "rows": rows,
        "moves": {k: [(s, ReferralStatus(s).label) for s in v] for k, v in moves.items()},
    }
    return render(request, "guidance/referrals.html", context)


@require_POST
@permission_required("manage_registry")
def referral_move(request, referral_pk):
    referral = object_or_404(Referral, str(referral_pk))
    to = parse_choice(request.POST.get("to"), ReferralStatus.values, default="")
    try:
        services.referral_move(referral=referral, to=to or "", by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "紹介依頼の状態を更新しました。")
    return redirect("guidance:referrals")


def home_panel(request):
    """A manager's home: their consortia's STEP progress, open checklist items and next actions."""
    from portal.access import is_manager

    if not is_manager(request.user):
        return None
    home = selectors.manager_home(user=request.user)
    context = {"pages": home.consortia, "invitations": home.invitations}
    return {"template": "guidance/_home_panel.html", "context": context}


# --- Staff: model checklists and the expert directory -----------------------------------------------
@permission_required("manage_registry")
def templates_list(request):
    from guidance.models import ChecklistTemplate

    rows = ChecklistTemplate.objects.order_by("stage", "position", "pk")
    return render(request, "guidance/templates.html", {"rows": rows})


@permission_required("manage_registry")
def template_edit(request, template_pk: int | None = None):
    from guidance.forms import TemplateForm
    from guidance.models import ChecklistTemplate

    template = get_object_or_404(ChecklistTemplate, pk=template_pk) if template_pk else None
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        if template is None:
            form.instance.code = f"local-{timezone.now():%Y%m%d%H%M%S%f}"
        saved = services.template_save(form=form, by=request.user)
        messages.success(
            request,
            f"「{saved.title}」を保存しました。これから登録する協働体に使われます（登録済みの協働体は変わりません）。",
        )
        return redirect("guidance:templates")
    return render(request, "guidance/template_edit.html", {"form": form, "template": template})


@permission_required("manage_registry")
def experts(request):
    from guidance.forms import ExpertForm
    from guidance.models import Expert

    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expert = services.expert_save(form=form, by=request.user)
        messages.success(request, f"「{expert.name}」を専門家の名簿に加えました。")
        return redirect("guidance:experts")
    rows = Expert.objects.select_related("kind").prefetch_related("fields")
    return render(request, "guidance/experts.html", {"rows": rows, "form": form})


@permission_required("manage_registry")
def expert_edit(request, expert_pk: int):
    from guidance.forms import ExpertForm
    from guidance.models import Expert

    expert = get_object_or_404(Expert, pk=expert_pk)
    form = ExpertForm(request.POST or None, instance=expert)
    if request.method == "POST" and form.is_valid():
        services.expert_save(form=form, by=request.user)
        messages.success(request, f"「{expert.name}」を保存しました。")
        return redirect("guidance:experts")
    return render(request, "guidance/expert_edit.html", {"form": form, "expert": expert})


# --- Members, invitations and external partners: one page, one POST view per action ---------------
def _members_page(request, page, status: int = 200, **forms):
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    forms.setdefault("member_form", MemberForm(user=request.user))
    forms.setdefault("partner_form", ExternalPartnerForm())
    sent = selectors.invitations_of(consortium=consortium) if rights["may_lead"] else []
    invitations = [(m, access.sees_invited_name(request.user, m)) for m in sent]
    context = {"page": page, "c": consortium, "invitations": invitations,
               "partners": list(consortium.external_partners.all()), **forms, **rights}  # fmt: skip
    return render(request, "guidance/members.html", context, status=status)


@require_GET
@permission_required("view_consortia")
def members(request, pk: int):
    return _members_page(request, _page(request, pk))


@require_POST
@permission_required("view_consortia")
def member_invite(request, pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    form = MemberForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.member_invite(consortium=page.consortium, corporation=data["number"],
                                   role=data["role"], by=request.user)  # fmt: skip
        except ValidationError as exc:
            form.add_error("number", exc)
        else:
            messages.success(
                request,
                f"法人番号 {data['number'].number} の法人に招待を送りました。"
                "先方が承諾すると参加法人になります。",
            )
            return redirect("guidance:members", pk=pk)
    return _members_page(request, page, status=400, member_form=form)


@require_POST
@permission_required("view_consortia")
def member_leave(request, pk: int, membership_pk):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    membership = object_or_404(
        Membership.objects.active().select_related("corporation"),
        str(membership_pk),
        consortium=page.consortium,
    )
    what = f"{membership.corporation.name}の脱退を記録します。脱退した法人はこの協働体を見られなくなります。"
    back = reverse("guidance:members", args=[pk])
    if refusal := unconfirmed(request, what=what, back=back):
        return refusal
    services.member_leave(membership=membership, by=request.user)
    messages.success(request, f"{membership.corporation.name}の脱退を記録しました。")
    return redirect("guidance:members", pk=pk)


@require_POST
@permission_required("view_consortia")
def partner_add(request, pk: int):
    page = _page(request, pk)
    require(access.can_lead(request.user, page.consortium))
    form = ExternalPartnerForm(request.POST)
    if form.is_valid():
        services.external_partner_add(consortium=page.consortium, by=request.user,
                                      **form.cleaned_data)  # fmt: skip
        messages.success(request, "外部の協力者を加えました。")
        return redirect("guidance:members", pk=pk)
    return _members_page(request, page, status=400, partner_form=form)


def _invitation(request, membership_pk: int) -> Membership:
    membership = get_object_or_404(
        Membership.objects.select_related("consortium", "corporation", "invited_by"),
        pk=membership_pk,
    )
    # Someone who may not see the invitation learns nothing, not even that it exists.
    if not access.can_view_invitation(request.user, membership):
        raise Http404("この招待は見つかりません。")
    return membership


@permission_required("view_consortia")
def invitation(request, membership_pk: int, form=None, status: int = 200):
    """An invitation to join a consortium: its corporation's manager answers it here; staff
    record an answer received by phone, mail or in a meeting."""
    membership = _invitation(request, membership_pk)
    staff = is_window_staff(request.user)
    context = {
        "m": membership,
        "c": membership.consortium,
        "may_answer": access.can_answer_invitation(request.user, membership),
        "is_invitee": access.is_invitee(request.user, membership),
        "named": access.sees_invited_name(request.user, membership),
        "staff": staff,
        "form": form or (InvitationAnswerForm(initial={"answered_on": timezone.localdate()})
                         if staff else None),
    }  # fmt: skip
    return render(request, "guidance/invitation.html", context, status=status)


def _answer(request, membership_pk: int, accept: bool):
    membership = _invitation(request, membership_pk)
    require(access.is_invitee(request.user, membership))
    require(access.can_answer_invitation(request.user, membership))
    if not accept:
        what = f"「{membership.consortium.name}」への招待を辞退します。回答は後から変えられません。"
        back = reverse("guidance:invitation", args=[membership_pk])
        if refusal := unconfirmed(request, what=what, back=back):
            return refusal
    try:
        services.invitation_answer(membership=membership, accept=accept, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("guidance:invitation", membership_pk=membership_pk)
    if accept:
        messages.success(request, f"「{membership.consortium.name}」に参加しました。")
        return redirect("guidance:detail", pk=membership.consortium_id)
    messages.success(request, f"「{membership.consortium.name}」への招待を辞退しました。")
    return redirect("home")


@require_POST
@permission_required("view_consortia")
def invitation_accept(request, membership_pk: int):
    return _answer(request, membership_pk, accept=True)


@require_POST
@permission_required("view_consortia")
def invitation_decline(request, membership_pk: int):
    return _answer(request, membership_pk, accept=False)


@require_POST
@permission_required("manage_registry")
def invitation_record(request, membership_pk: int):
    """Staff record the invited corporation's answer on its behalf."""
    membership = _invitation(request, membership_pk)
    require(access.can_answer_invitation(request.user, membership))
    form = InvitationAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_answer(membership=membership, accept=data["answer"],
                                       by=request.user, channel=data["channel"],
                                       answered_on=data["answered_on"], note=data["note"])  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{membership.corporation.name}の回答を記録しました。")
            return redirect("guidance:members", pk=membership.consortium_id)
    return invitation(request, membership_pk, form=form, status=400)


@permission_required("view_consortia")
def evidence(request, pk: int, item_pk: int):
    """An item's evidence file, served only to those who may see the consortium."""
    from django.http import FileResponse

    consortium = get_object_or_404(Consortium, pk=pk)
    require_visible(access.can_view(request.user, consortium))
    obj = get_object_or_404(ChecklistItem, pk=item_pk, consortium=consortium)
    if not obj.evidence_file:
        raise Http404("根拠資料は添付されていません。")
    name = obj.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(obj.evidence_file.open("rb"), as_attachment=True, filename=name)
