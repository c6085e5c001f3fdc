"""Read functions that compose querysets for one page or export each."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, Prefetch, Q, When
from django.utils import timezone

from guidance.access import active_membership_q
from guidance.models import (
    Action,
    ActionStatus,
    Activity,
    ChecklistItem,
    Consortium,
    ConsortiumStatus,
    Expert,
    ExpertKind,
    Goal,
    Kpi,
    Measurement,
    MemberRole,
    Membership,
    MembershipState,
    Referral,
    Stage,
    StageMove,
    step_of,
)
from notices.selectors import managers_of
from portal.access import is_window_staff
from portal.charts import nice_ticks, tick_label
from portal.taxonomy import STEPS

STALLED_DAYS = 30


# --- The consortium's people (action owners, recipients of its notices) ---------------------------
def staff_owner(consortium: Consortium):
    """The window staff member who set the consortium up, if staff set it up."""
    user = consortium.created_by
    return user if user is not None and is_window_staff(user) else None


def member_managers(consortium: Consortium, *, roles: Iterable[str] | None = None):
    """Active managers of the consortium's member corporations (of these roles only, if given)."""
    members = Membership.objects.filter(active_membership_q(), consortium=consortium)
    if roles is not None:
        members = members.filter(role__in=list(roles))
    return managers_of(members.values_list("corporation__number", flat=True))


def action_owner_choices(consortium: Consortium):
    """Who may own an action: the members' managers (the promoter's among them), the staff owner."""
    owner = staff_owner(consortium)
    people = member_managers(consortium)
    if owner is not None:
        people = people | type(owner).objects.filter(pk=owner.pk)
    return people.distinct().order_by("full_name", "pk")


# --- What the registry asks of the workflow (registered in GuidanceConfig.ready) ------------------
def co_member_ids(corporation_id: int) -> set[int]:
    """Corporations that share a consortium (not closed) with this one; members who left do not count."""
    consortia = (
        Membership.objects.active()
        .filter(corporation_id=corporation_id)
        .exclude(consortium__status=ConsortiumStatus.CLOSED)
    )
    return set(
        Membership.objects.active()
        .filter(consortium__in=consortia.values("consortium_id"))
        .exclude(corporation_id=corporation_id)
        .values_list("corporation_id", flat=True)
    )


def memberships_by_corporation(corporation_ids: Iterable[int]) -> dict[int, list[dict]]:
    result: dict[int, list[dict]] = defaultdict(list)
    # Pending and declined invitations are not memberships.
    rows = Membership.objects.filter(
        corporation_id__in=list(corporation_ids), state=MembershipState.ACCEPTED
    ).select_related("consortium")
    for m in rows:
        result[m.corporation_id].append(
            {
                "consortium_id": m.consortium_id,
                "name": m.consortium.name,
                "role": m.get_role_display(),
                "stage": m.consortium.get_stage_display(),
                "step": m.consortium.step,
                "status": m.consortium.get_status_display(),
                "left_on": m.left_on,
            }
        )
    return dict(result)


# --- KPIs -------------------------------------------------------------------------------------------
@dataclass
class KpiView:
    kpi: Kpi
    measurements: list[Measurement]
    current: Decimal | None
    progress: float | None  # (current − baseline) / (target − baseline), may exceed 0–1
    chart: dict = field(default_factory=dict)

    @property
    def percent(self) -> int | None:
        if self.progress is None:
            return None
        return round(self.progress * 100)

    @property
    def percent_clamped(self) -> int:
        return max(0, min(100, self.percent or 0))


def kpi_progress(kpi: Kpi, measurements: list[Measurement]) -> KpiView:
    current = measurements[-1].value if measurements else None
    progress = None
    if current is not None and kpi.target != kpi.baseline:
        progress = float((current - kpi.baseline) / (kpi.target - kpi.baseline))
    return KpiView(kpi, measurements, current, progress, _chart(kpi, measurements))


CHART_W, CHART_H, PAD = 480, 190, 40


def _chart(kpi: Kpi, measurements: list[Measurement]) -> dict:
    """Points of an SVG line chart: measurements over time, with baseline and target lines."""
    values = [float(m.value) for m in measurements] + [float(kpi.baseline), float(kpi.target)]
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    span = high - low
    low, high = low - span * 0.1, high + span * 0.1

    def y(v: float) -> float:
        return round(PAD / 2 + (CHART_H - PAD) * (1 - (v - low) / (high - low)), 1)

    days = [m.measured_on.toordinal() for m in measurements]
    first, last = (min(days), max(days)) if days else (0, 1)
    width = max(1, last - first)

    def x(day: int) -> float:
        if len(days) == 1:
            return round(PAD + (CHART_W - 2 * PAD) / 2, 1)
        return round(PAD + (CHART_W - 2 * PAD) * (day - first) / width, 1)

    points = [
        {"x": x(d), "y": y(float(m.value)), "label": f"{m.measured_on:%Y-%m-%d} {m.value}"}
        for d, m in zip(days, measurements, strict=True)
    ]
    # The scale on the left, a date under every measurement (at most six, evenly picked).
    y_ticks = [
        {"y": y(t), "label": tick_label(t)}
        for t in nice_ticks(high, low, count=4)
        if low <= t <= high
    ]
    step = max(1, -(-len(measurements) // 6))
    shown = [
        (p["x"], m.measured_on)
        for i, (p, m) in enumerate(zip(points, measurements, strict=True))
        if i % step == 0 or i == len(measurements) - 1
    ]
    # The year only where it starts or changes, so that neighbouring dates do not run together.
    x_ticks = [
        {
            "x": tick_x,
            "date": day,
            "label": f"{day.year}年{day.month}月{day.day}日"
            if i == 0 or shown[i - 1][1].year != day.year
            else f"{day.month}月{day.day}日",
        }
        for i, (tick_x, day) in enumerate(shown)
    ]
    latest = None
    if measurements:
        latest_x, latest_y = x(days[-1]), y(float(measurements[-1].value))
        latest = {
            "x": latest_x,
            "y": latest_y,
            "value": measurements[-1].value.normalize(),
            "anchor": "end" if latest_x > CHART_W / 2 else "start",
        }
    return {
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "latest": latest,
        "axis_y": CHART_H - PAD / 2,
        "width": CHART_W,
        "height": CHART_H,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "points": points,
        "baseline_y": y(float(kpi.baseline)),
        "target_y": y(float(kpi.target)),
        "left": PAD,
        "right": CHART_W - PAD,
        "first": measurements[0].measured_on if measurements else None,
        "last": measurements[-1].measured_on if measurements else None,
    }


# --- Lists ------------------------------------------------------------------------------------------
def evidence_listing(item: ChecklistItem) -> dict:
    """The attached evidence file as the item page lists it: its own name (not the storage path)
    and its size, None when the file is missing from storage."""
    if not item.evidence_file:
        return {"evidence_name": "", "evidence_size": None}
    name = item.evidence_file.name.rsplit("/", 1)[-1]
    try:
        size = item.evidence_file.size
    except OSError:
        size = None
    return {"evidence_name": name, "evidence_size": size}


def consortium_list(*, user, status: str = ""):
    today = timezone.localdate()
    queryset = Consortium.objects.visible_to(user).annotate(
        member_count=Count(
            "memberships", filter=active_membership_q("memberships__"), distinct=True
        ),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
        overdue_actions=Count(
            "actions",
            filter=Q(actions__status=ActionStatus.OPEN, actions__due_on__lt=today),
            distinct=True,
        ),
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("municipality").order_by("-stage", "name")


# --- One consortium ---------------------------------------------------------------------------------
@dataclass
class ConsortiumPage:
    consortium: Consortium
    memberships: list[Membership]
    items_by_stage: dict[int, list[ChecklistItem]]
    kpis: list[KpiView]
    goals: list[Goal]
    actions: list[Action]
    activities: list[Activity]
    moves: list[StageMove]
    referrals: list[Referral]
    today: date

    @property
    def current_items(self) -> list[ChecklistItem]:
        return self.items_by_stage.get(self.consortium.stage, [])

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [i for i in self.current_items if not i.is_settled]

    @property
    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if a.status == ActionStatus.OPEN]

    @property
    def overdue_actions(self) -> list[Action]:
        return [a for a in self.open_actions if a.due_on and a.due_on < self.today]

    @property
    def stages(self) -> list[dict]:
        rows = []
        for value, label in Stage.choices:
            items = self.items_by_stage.get(value, [])
            settled = sum(1 for i in items if i.is_settled)
            rows.append(
                {
                    "number": value,
                    "label": label,
                    "step": step_of(value),
                    "total": len(items),
                    "settled": settled,
                    "current": value == self.consortium.stage,
                    "passed": value < self.consortium.stage,
                }
            )
        return rows

    @property
    def steps(self) -> list[dict]:
        current = self.consortium.step
        return [
            {"number": n, "label": label, "current": n == current, "passed": n < current}
            for n, label in STEPS.items()
        ]


def consortium_page(*, pk: int) -> ConsortiumPage | None:
    consortium = (
        Consortium.objects.select_related("municipality", "introduction")
        .prefetch_related(
            "themes",
            Prefetch(
                "memberships",
                # Members only: invitations are listed by invitations_of, for the leads.
                queryset=Membership.objects.filter(state=MembershipState.ACCEPTED)
                .select_related("corporation")
                .order_by(
                    Case(
                        When(role=MemberRole.PROMOTER, then=0),
                        When(role=MemberRole.SECRETARIAT, then=1),
                        default=2,
                    ),
                    "pk",
                ),
                to_attr="_memberships_cache",
            ),
            Prefetch(
                "checklist_items",
                queryset=ChecklistItem.objects.select_related("template").order_by(
                    "stage", "position", "pk"
                ),
            ),
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("theme").prefetch_related(
                    Prefetch(
                        "kpis",
                        queryset=Kpi.objects.prefetch_related(
                            Prefetch(
                                "measurements",
                                queryset=Measurement.objects.order_by("measured_on", "pk"),
                            )
                        ),
                    )
                ),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner_user").order_by(
                    "status", "due_on", "pk"
                ),
            ),
            Prefetch("moves", queryset=StageMove.objects.select_related("by")),
            Prefetch("referrals", queryset=Referral.objects.select_related("kind", "expert")),
        )
        .filter(pk=pk)
        .first()
    )
    if consortium is None:
        return None
    items: dict[int, list[ChecklistItem]] = defaultdict(list)
    for item in consortium.checklist_items.all():
        items[item.stage].append(item)
    goals = list(consortium.goals.all())
    kpis = [kpi_progress(k, list(k.measurements.all())) for g in goals for k in g.kpis.all()]
    activities = list(Activity.objects.filter(consortium=consortium).select_related("by")[:20])
    return ConsortiumPage(
        consortium=consortium,
        memberships=consortium._memberships_cache,
        items_by_stage=dict(items),
        kpis=kpis,
        goals=goals,
        actions=list(consortium.actions.all()),
        activities=activities,
        moves=list(consortium.moves.all()),
        referrals=list(consortium.referrals.all()),
        today=timezone.localdate(),
    )


# --- A manager's home ------------------------------------------------------------------------------
@dataclass
class HomeConsortium:
    """One consortium on a manager's home: its STEP bar, open items of its stage, open actions."""

    consortium: Consortium
    items: list[ChecklistItem]  # every item, by stage and position
    open_actions: list[Action]  # by due date
    today: date

    @property
    def open_items(self) -> list[ChecklistItem]:
        stage = self.consortium.stage
        return [i for i in self.items if i.stage == stage and not i.is_settled]

    @property
    def steps(self) -> list[dict]:
        current = self.consortium.step
        return [
            {"number": n, "label": label, "current": n == current, "passed": n < current}
            for n, label in STEPS.items()
        ]


@dataclass
class ManagerHome:
    consortia: list[HomeConsortium]
    invitations: list[Membership]


def manager_home(*, user) -> ManagerHome:
    """Everything a manager's home shows of the workflow, in a constant number of queries whatever
    the number of consortia (the consortia, their items, their open actions, the invitations)."""
    consortia = (
        Consortium.objects.visible_to(user)
        .filter(status=ConsortiumStatus.ACTIVE)
        .prefetch_related(
            Prefetch(
                "checklist_items",
                queryset=ChecklistItem.objects.order_by("stage", "position", "pk"),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.filter(status=ActionStatus.OPEN).order_by("due_on", "pk"),
            ),
        )
        .order_by("-stage", "name")
    )
    today = timezone.localdate()
    return ManagerHome(
        consortia=[
            HomeConsortium(c, list(c.checklist_items.all()), list(c.actions.all()), today)
            for c in consortia
        ],
        invitations=invitations_for(user=user),
    )


# --- Invitations ------------------------------------------------------------------------------------
def invitations_of(*, consortium: Consortium) -> list[Membership]:
    """Invitations a consortium sent that are pending or were declined (for its leads)."""
    return list(
        consortium.memberships.exclude(state=MembershipState.ACCEPTED)
        .select_related("corporation__profile", "invited_by", "answered_by")
        .order_by("state", "-invited_at", "pk")
    )


def invitations_for(*, user) -> list[Membership]:
    """Pending invitations addressed to the user's own corporation (a manager's home)."""
    from portal.access import is_manager, user_corporation_number

    number = user_corporation_number(user) if is_manager(user) else None
    if not number:
        return []
    return list(
        Membership.objects.pending()
        .filter(corporation__number=number)
        .select_related("consortium", "corporation", "invited_by")
        .order_by("-invited_at", "pk")
    )


def measurement_rows(*, consortium: Consortium) -> list[Measurement]:
    """Every measurement of a consortium's KPIs, newest first, for the correction list."""
    return list(
        Measurement.objects.filter(kpi__goal__consortium=consortium)
        .select_related("kpi", "by")
        .order_by("kpi__goal_id", "kpi_id", "-measured_on", "-pk")
    )


# --- Help at the current stage ----------------------------------------------------------------------
@dataclass
class StageHelp:
    stage: int
    cases: list[dict]
    experts: list[Expert]
    expert_kinds: list[ExpertKind]
    programmes: list
    documents: list


def stage_help(*, consortium: Consortium, user) -> StageHelp:
    """How similar cases handled this same stage, who to call, which programmes apply."""
    from cases.selectors import cases_like

    stage = consortium.stage
    themes = {t.code for t in consortium.themes.all()}
    matches = cases_like(form=consortium.form, operations=frozenset(themes), user=user, top=3)
    cases = [
        {
            "number": m.case.number,
            "name": m.case.name,
            "form": m.case.get_form_display(),
            "reasons": m.reasons,
            "text": m.case.stage_text(stage),
        }
        for m in matches
    ]
    kinds = [k for k in ExpertKind.objects.all() if stage in (k.stages or [])]
    experts = list(
        Expert.objects.filter(active=True, kind__in=kinds)
        .select_related("kind")
        .prefetch_related("fields")
    )
    experts.sort(key=lambda e: -len({f.code for f in e.fields.all()} & themes))
    from support.selectors import documents_for_stage, programmes_for_stage

    programmes = programmes_for_stage(stage=stage)
    documents = documents_for_stage(stage=stage, user=user)
    return StageHelp(stage, cases, experts[:8], kinds, programmes, documents)


def checklist_documents(*, page: "ConsortiumPage", user) -> None:
    """Give each checklist item the model documents that help with it (`item.documents`)."""
    from support.selectors import documents_by_checklist_code

    by_code = documents_by_checklist_code(user=user)
    for items in page.items_by_stage.values():
        for item in items:
            code = item.template.code if item.template else ""
            item.documents = by_code.get(code, [])  # type: ignore[attr-defined]


# --- Dashboard --------------------------------------------------------------------------------------
@dataclass
class Dashboard:
    total: int
    by_stage: list[dict]
    by_step: list[dict]
    stalled: list[Consortium]
    overdue: list[Action]
    attainment: list[dict]
    by_municipality: list[dict]
    stalled_days: int


def dashboard(*, user, stalled_days: int = STALLED_DAYS) -> Dashboard:
    consortia = list(
        Consortium.objects.visible_to(user)
        .filter(status=ConsortiumStatus.ACTIVE)
        .select_related("municipality")
        .order_by("name")
    )
    total = len(consortia)
    by_stage: list[dict] = []
    for value, label in Stage.choices:
        n = sum(1 for c in consortia if c.stage == value)
        by_stage.append({"number": value, "label": label, "count": n, "step": step_of(value)})
    by_step = [
        {"number": s, "label": label, "count": sum(r["count"] for r in by_stage if r["step"] == s)}
        for s, label in STEPS.items()
    ]
    cutoff = timezone.now() - timedelta(days=stalled_days)
    stalled = [c for c in consortia if c.last_activity_at is None or c.last_activity_at < cutoff]
    today = timezone.localdate()
    ids = [c.pk for c in consortia]
    overdue = list(
        Action.objects.filter(consortium_id__in=ids, status=ActionStatus.OPEN, due_on__lt=today)
        .select_related("consortium")
        .order_by("due_on")
    )
    kpis = (
        Kpi.objects.filter(goal__consortium_id__in=ids)
        .select_related("goal__consortium")
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on", "pk"))
        )
    )
    per_consortium: dict[int, list[KpiView]] = defaultdict(list)
    for kpi in kpis:
        per_consortium[kpi.goal.consortium_id].append(
            kpi_progress(kpi, list(kpi.measurements.all()))
        )
    attainment = []
    for c in consortia:
        views = [v for v in per_consortium.get(c.pk, []) if v.progress is not None]
        if views:
            average = sum(v.progress for v in views) / len(views)  # type: ignore[misc]
            attainment.append(
                {"consortium": c, "kpis": len(views), "percent": round(average * 100)}
            )
    places: dict[str, dict] = {}
    for c in consortia:
        key = c.municipality.name if c.municipality else "（未設定）"
        entry = places.setdefault(key, {"name": key, "count": 0, "steps": [0, 0, 0]})
        entry["count"] += 1
        entry["steps"][c.step - 1] += 1
    by_municipality = sorted(places.values(), key=lambda e: (-e["count"], e["name"]))
    return Dashboard(
        total, by_stage, by_step, stalled, overdue, attainment, by_municipality, stalled_days
    )


# --- Figures for a period (the prefectural report) ---------------------------------------------------
NO_MUNICIPALITY = "（市区町村の登録なし）"


def started_on(consortium: Consortium) -> date:
    """When a consortium started: its 開始日, or the day it was registered when none is set."""
    return consortium.started_on or timezone.localdate(consortium.created_at)


def _stage_at(consortium: Consortium, moves: list[StageMove], moment) -> int:
    """The stage a consortium was at, from its moves (the current stage if it never moved)."""
    before = [m for m in moves if m.at < moment]
    if before:
        return before[-1].to_stage
    if moves:
        return moves[0].from_stage
    return consortium.stage


def municipalities_of(consortium: Consortium, *, until: date | None = None) -> list[str]:
    """Every municipality a consortium spans: its main one and its accepted members' (members who
    left before `until` aside). Memberships must be prefetched with their corporation's
    municipality."""
    names = [consortium.municipality.name] if consortium.municipality else []
    for membership in consortium.memberships.all():
        if membership.state != MembershipState.ACCEPTED:
            continue
        if membership.left_on and (until is None or membership.left_on <= until):
            continue
        municipality = membership.corporation.municipality
        if municipality is not None:
            names.append(municipality.name)
    return list(dict.fromkeys(names)) or [NO_MUNICIPALITY]


@dataclass
class ConsortiaFigures:
    live: list[Consortium]  # not closed at the end of the period, by name
    stage_of: dict[int, int]  # consortium id -> its stage at the end of the period
    started: int  # consortia started within the period
    moves: int  # stage moves within the period
    places: dict[str, list[int]]  # municipality -> [one count per STEP, …, total]
    themes: list[tuple[str, int]]  # (theme label, consortia), most frequent first
    stalled: list[dict]  # {"name", "stage", "municipality", "last"}
    kpis: list[tuple[str, KpiView]]  # (consortium name, the KPI's progress at the end)

    @property
    def per_stage(self) -> Counter:
        return Counter(self.stage_of.values())


def consortia_figures(period, *, viewer=None) -> ConsortiaFigures:
    """The consortia at the end of `period` and what they did within it. `viewer` counts only the
    consortia that person may see; None is the operator's command line."""
    since, until = period.since, period.until
    visible = Consortium.objects.all() if viewer is None else Consortium.objects.visible_to(viewer)
    consortia = list(
        visible.filter(created_at__lt=until)
        .select_related("municipality")
        .prefetch_related(
            "themes",
            Prefetch("moves", queryset=StageMove.objects.order_by("at", "pk")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(state=MembershipState.ACCEPTED).select_related(
                    "corporation__municipality"
                ),
            ),
        )
        .order_by("name")
    )
    live = [c for c in consortia if c.status != ConsortiumStatus.CLOSED or c.updated_at >= until]
    stage_of = {c.pk: _stage_at(c, list(c.moves.all()), until) for c in live}

    places: dict[str, list[int]] = defaultdict(lambda: [0] * (len(STEPS) + 1))
    for c in live:
        for key in municipalities_of(c, until=period.as_of):
            places[key][step_of(stage_of[c.pk]) - 1] += 1
            places[key][-1] += 1

    themes: Counter = Counter()
    theme_labels: dict[str, str] = {}
    for c in live:
        for t in c.themes.all():
            themes[t.code] += 1
            theme_labels[t.code] = t.label

    cutoff = until - timedelta(days=STALLED_DAYS)
    stalled = [
        {
            "name": c.name,
            "stage": Stage(stage_of[c.pk]).label,
            "municipality": c.municipality.name if c.municipality else NO_MUNICIPALITY,
            "last": timezone.localdate(c.last_activity_at) if c.last_activity_at else None,
        }
        for c in live
        if c.status == ConsortiumStatus.ACTIVE
        and (c.last_activity_at is None or c.last_activity_at < cutoff)
    ]

    kpis = (
        Kpi.objects.filter(goal__consortium__in=[c.pk for c in live])
        .select_related("goal__consortium")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=Measurement.objects.filter(measured_on__lte=period.as_of).order_by(
                    "measured_on", "pk"
                ),
            )
        )
        .order_by("goal__consortium__name", "pk")
    )
    return ConsortiaFigures(
        live=live,
        stage_of=stage_of,
        started=sum(1 for c in consortia if period.contains(started_on(c))),
        moves=sum(1 for c in consortia for m in c.moves.all() if since <= m.at < until),
        places=dict(places),
        themes=[(theme_labels[code], n) for code, n in themes.most_common()],
        stalled=stalled,
        kpis=[(k.goal.consortium.name, kpi_progress(k, list(k.measurements.all()))) for k in kpis],
    )
