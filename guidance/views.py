"""Pages of the consortium workflow and the dashboards."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guidance import access, selectors, services
from guidance.forms import (
    SUGGESTED_KPIS,
    ActionForm,
    ActivityForm,
    ConsortiumCreateForm,
    FromIntroductionForm,
    GoalForm,
    ItemForm,
    KpiForm,
    MeasurementForm,
    MoveForm,
    ReferralForm,
    StatusForm,
)
from guidance.models import (
    Action,
    ChecklistItem,
    Consortium,
    ConsortiumStatus,
    Kpi,
    Referral,
    ReferralStatus,
    Stage,
)
from guidance.reports import fiscal_years
from portal.access import is_window_staff, permission_required, require
from portal.params import object_or_404, parse_int

CONFLICT = (
    "この画面を開いた後に、ほかの人がこの項目を更新しました。入力内容は保存していません。"
    "最新の内容を確認して、もう一度入力してください。"
)


def _page(request, pk: int):
    page = selectors.consortium_page(pk=pk)
    if page is None:
        raise Http404("この協働体は見つかりません。")
    require(access.can_view(request.user, page.consortium))
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
            values=values, themes=data["themes"], members=data["members"], by=request.user
        )
        messages.success(request, f"協働体「{consortium.name}」を登録しました。")
        return redirect("guidance:detail", pk=consortium.pk)
    return render(request, "guidance/create.html", {"form": form})


@permission_required("manage_registry")
def from_introduction(request, intro_pk: int):
    from partners.selectors import introduction_detail

    intro = introduction_detail(pk=intro_pk)
    if intro is None:
        raise Http404("この紹介は見つかりません。")
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
            messages.success(request, "紹介の当事者を参加法人として協働体を作りました。")
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
    context = {"page": page, "c": page.consortium, **_rights(request.user, page.consortium)}
    return render(request, "guidance/checklist.html", context)


@permission_required("view_consortia")
def item(request, pk: int, item_pk: int):
    page = _page(request, pk)
    consortium = page.consortium
    obj = get_object_or_404(ChecklistItem, pk=item_pk, consortium=consortium)
    may = access.can_contribute(request.user, consortium)
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
    context = {"c": consortium, "item": obj, "form": form, "may_contribute": may}
    return render(request, "guidance/item.html", context)


@require_POST
@permission_required("view_consortia")
def item_status(request, pk: int, item_pk: int):
    """The quick status change next to each item (no JavaScript needed)."""
    consortium = get_object_or_404(Consortium, pk=pk)
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
    next_stage = min(6, consortium.stage + 1)
    form = MoveForm(request.POST or None, initial={"to_stage": next_stage})
    raw = request.POST.get("to_stage") or request.GET.get("to")
    target = parse_int(raw, min_value=1, max_value=6, default=next_stage)
    # What stands between the consortium and its next STEP, shown before anyone asks.
    next_step_stage = {1: 3, 2: 4}.get(consortium.step)
    missing = (
        services.gate_missing(consortium=consortium, to_stage=next_step_stage)
        if next_step_stage
        else []
    )
    if request.method == "POST":
        require(rights["may_lead"])
        if form.is_valid():
            override = form.cleaned_data["override"] and rights["may_override"]
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


@permission_required("view_consortia")
def kpis(request, pk: int):
    page = _page(request, pk)
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    action = request.POST.get("action")
    goal_form = GoalForm(request.POST if action == "goal" else None)
    kpi_form = KpiForm(request.POST if action == "kpi" else None, goals=consortium.goals.all())
    measurement_form = MeasurementForm(request.POST if action == "measure" else None)
    if request.method == "POST":
        if action in ("goal", "kpi"):
            require(rights["may_lead"])
        else:
            require(rights["may_contribute"])
        try:
            if action == "goal" and goal_form.is_valid():
                services.goal_create(
                    consortium=consortium, by=request.user, **goal_form.cleaned_data
                )
                messages.success(request, "目標を追加しました。")
                return redirect("guidance:kpis", pk=pk)
            if action == "kpi" and kpi_form.is_valid():
                services.kpi_create(by=request.user, **kpi_form.cleaned_data)
                messages.success(request, "KPIを追加しました。")
                return redirect("guidance:kpis", pk=pk)
            if action == "measure" and measurement_form.is_valid():
                data = measurement_form.cleaned_data
                kpi = get_object_or_404(Kpi, pk=data["kpi"], goal__consortium=consortium)
                services.measurement_add(
                    kpi=kpi,
                    measured_on=data["measured_on"],
                    value=data["value"],
                    note=data["note"],
                    by=request.user,
                )
                messages.success(request, f"「{kpi.name}」の測定値を記録しました。")
                return redirect("guidance:kpis", pk=pk)
        except ValidationError as exc:
            target = {"goal": goal_form, "kpi": kpi_form, "measure": measurement_form}[action]
            target.add_error(None, exc)
    themes = [t.code for t in consortium.themes.all()]
    suggestions = [(code, s) for code in themes for s in SUGGESTED_KPIS.get(code, [])]
    context = {"page": page, "c": consortium, "goal_form": goal_form, "kpi_form": kpi_form,
               "measurement_form": measurement_form, "suggestions": suggestions, **rights}  # fmt: skip
    return render(request, "guidance/kpis.html", context)


@permission_required("view_consortia")
def actions(request, pk: int):
    page = _page(request, pk)
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    kind = request.POST.get("action")
    action_form = ActionForm(request.POST if kind == "action" else None)
    activity_form = ActivityForm(request.POST if kind == "activity" else None)
    if request.method == "POST":
        if kind == "action":
            require(rights["may_lead"])
            if action_form.is_valid():
                services.action_create(
                    consortium=consortium, by=request.user, **action_form.cleaned_data
                )
                messages.success(request, "次のアクションを追加しました。")
                return redirect("guidance:actions", pk=pk)
        elif kind == "activity":
            require(rights["may_contribute"])
            if activity_form.is_valid():
                services.activity_add(
                    consortium=consortium, by=request.user, **activity_form.cleaned_data
                )
                messages.success(request, "活動を記録しました。")
                return redirect("guidance:actions", pk=pk)
        elif kind in ("done", "reopen"):
            require(rights["may_contribute"])
            obj = object_or_404(Action, request.POST.get("id"), consortium=consortium)
            services.action_complete(action=obj, by=request.user, done=kind == "done")
            messages.success(
                request,
                f"「{obj.title}」を{'完了にしました' if kind == 'done' else '未完了に戻しました'}。",
            )
            return redirect("guidance:actions", pk=pk)
    context = {"page": page, "c": consortium, "action_form": action_form,
               "activity_form": activity_form, **rights}  # fmt: skip
    return render(request, "guidance/actions.html", context)


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


@permission_required("manage_registry")
def referrals(request):
    if request.method == "POST":
        referral = object_or_404(Referral, request.POST.get("id"))
        try:
            services.referral_move(
                referral=referral, to=request.POST.get("to", ""), by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "紹介依頼の状態を更新しました。")
        return redirect("guidance:referrals")
    rows = Referral.objects.select_related("consortium", "kind", "expert", "requested_by")
    moves = services.REFERRAL_MOVES
    context = {
        "rows": rows,
        "moves": {k: [(s, ReferralStatus(s).label) for s in v] for k, v in moves.items()},
    }
    return render(request, "guidance/referrals.html", context)


@permission_required("view_dashboard")
def dashboard(request):
    days = request.GET.get("days")
    stalled_days = parse_int(days, min_value=1, max_value=365, default=selectors.STALLED_DAYS)
    data = selectors.dashboard(user=request.user, stalled_days=stalled_days)
    return render(request, "guidance/dashboard.html", {"d": data, "years": fiscal_years()})


def home_panel(request):
    """A manager's home: their consortia's STEP progress, open checklist items and next actions."""
    from portal.access import is_manager

    if not is_manager(request.user):
        return None
    pages = []
    for consortium in selectors.consortium_list(user=request.user, status=ConsortiumStatus.ACTIVE):
        page = selectors.consortium_page(pk=consortium.pk)
        if page is not None:
            pages.append(page)
    return {"template": "guidance/_home_panel.html", "context": {"pages": pages}}


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


# --- Members and external partners ------------------------------------------------------------------
@permission_required("view_consortia")
def members(request, pk: int):
    from guidance.forms import ExternalPartnerForm, MemberForm
    from guidance.models import Membership

    page = _page(request, pk)
    consortium = page.consortium
    rights = _rights(request.user, consortium)
    kind = request.POST.get("action")
    member_form = MemberForm(request.POST if kind == "member" else None)
    partner_form = ExternalPartnerForm(request.POST if kind == "partner" else None)
    if request.method == "POST":
        require(rights["may_lead"])
        try:
            if kind == "member" and member_form.is_valid():
                data = member_form.cleaned_data
                services.member_add(
                    consortium=consortium,
                    corporation=data["number"],
                    role=data["role"],
                    by=request.user,
                )
                messages.success(request, f"{data['number'].name}を参加法人に加えました。")
                return redirect("guidance:members", pk=pk)
            if kind == "leave":
                membership = object_or_404(
                    Membership, request.POST.get("id"), consortium=consortium
                )
                services.member_leave(membership=membership, by=request.user)
                messages.success(request, f"{membership.corporation.name}の脱退を記録しました。")
                return redirect("guidance:members", pk=pk)
            if kind == "partner" and partner_form.is_valid():
                services.external_partner_add(
                    consortium=consortium, by=request.user, **partner_form.cleaned_data
                )
                messages.success(request, "外部の協力者を加えました。")
                return redirect("guidance:members", pk=pk)
        except ValidationError as exc:
            member_form.add_error(None, exc)
    partners_list = list(consortium.external_partners.all())
    context = {"page": page, "c": consortium, "member_form": member_form, "partner_form": partner_form,
               "partners": partners_list, **rights}  # fmt: skip
    return render(request, "guidance/members.html", context)


@permission_required("view_consortia")
def evidence(request, pk: int, item_pk: int):
    """An item's evidence file, served only to those who may see the consortium."""
    from django.http import FileResponse

    consortium = get_object_or_404(Consortium, pk=pk)
    require(access.can_view(request.user, consortium))
    obj = get_object_or_404(ChecklistItem, pk=item_pk, consortium=consortium)
    if not obj.evidence_file:
        raise Http404("根拠資料は添付されていません。")
    name = obj.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(obj.evidence_file.open("rb"), as_attachment=True, filename=name)
