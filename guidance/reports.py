"""PDF reports of the workflow: one consortium's progress report, and the prefecture's report on
the state of collaboration in a fiscal year (with its spreadsheet)."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from guidance.models import (
    ActionStatus,
    Consortium,
    ConsortiumStatus,
    Kpi,
    Measurement,
    Membership,
    MembershipState,
    Stage,
    StageMove,
    step_of,
)
from guidance.selectors import STALLED_DAYS, consortium_page, kpi_progress
from portal import jobs
from portal.access import can_view_dashboard
from portal.charts import bar_chart
from portal.dates import fiscal_year_of, format_seireki, format_wareki
from portal.params import parse_id
from portal.pdf import html_to_pdf, render_report_html
from portal.spreadsheets import Percent
from portal.taxonomy import STAGE_MARKS, STAGES, STEPS


# --- One consortium ---------------------------------------------------------------------------------
def _consortium_pk(params: dict) -> int | None:
    value = params.get("consortium")
    return parse_id(str(value)) if isinstance(value, int | str) else None


def _consortium_of(params: dict) -> Consortium | None:
    pk = _consortium_pk(params)
    return Consortium.objects.filter(pk=pk).first() if pk else None


def may_download_consortium(user, job) -> bool:
    pk = _consortium_pk(job.params)
    return pk is not None and Consortium.objects.visible_to(user).filter(pk=pk).exists()


def describe_consortium(params: dict) -> str:
    """The job's title when it is requested, before anyone checked that the requester may see the
    consortium: its number only. The render, which does check, sets the name (Draft.title)."""
    pk = _consortium_pk(params)
    return f"協働体（番号 {pk}）" if pk else "（削除された協働体）"


def build_consortium_html(pk: int) -> str:
    page = consortium_page(pk=pk)
    if page is None:
        raise jobs.JobError("この協働体は見つかりませんでした（削除された可能性があります）。")
    moves = sorted(page.moves, key=lambda m: m.at)
    first_stage = moves[0].from_stage if moves else page.consortium.stage
    timeline = [
        {
            "on": page.consortium.started_on or timezone.localdate(page.consortium.created_at),
            "text": f"{Stage(first_stage).label}から開始",
            "by": "",
            "reason": "",
            "overridden": False,
        }
    ]
    for move in moves:
        timeline.append(
            {
                "on": timezone.localdate(move.at),
                "text": f"{STAGE_MARKS[move.from_stage - 1]} → {Stage(move.to_stage).label}",
                "by": move.by.full_name if move.by else "",
                "reason": move.reason,
                "overridden": move.overridden,
                "missing": move.missing,
            }
        )
    stages = []
    for row in page.stages:
        items = page.items_by_stage.get(row["number"], [])
        stages.append(
            {
                **row,
                "mark": STAGE_MARKS[row["number"] - 1],
                "open_required": [i for i in items if i.required and not i.is_settled],
                "items": items,
            }
        )
    return render_report_html(
        "reports/consortium.html",
        {
            "p": page,
            "c": page.consortium,
            "timeline": timeline,
            "stage_rows": stages,
            "step_label": STEPS[page.consortium.step],
            "stage_title": STAGES[page.consortium.stage - 1][1],
            "active_members": sum(1 for m in page.memberships if not m.left_on),
            "left_members": sum(1 for m in page.memberships if m.left_on),
            "stage_mark": STAGE_MARKS[page.consortium.stage - 1],
            "open_actions": page.open_actions,
            "overdue_ids": {a.pk for a in page.overdue_actions},
            "done_actions": [a for a in page.actions if a.status != ActionStatus.OPEN][:10],
        },
    )


def prepare_consortium(job, progress) -> jobs.Draft:
    consortium = _consortium_of(job.params)
    requester = job.requested_by
    if consortium is not None and requester is not None:
        # Rendered only for someone who may see it (the same answer as for a missing one).
        consortium = Consortium.objects.visible_to(requester).filter(pk=consortium.pk).first()
    if consortium is None:
        raise jobs.JobError("この協働体は見つかりませんでした（削除された可能性があります）。")
    html = build_consortium_html(consortium.pk)
    progress(15)
    return jobs.Draft(
        filename=f"consortium-{consortium.pk}-{timezone.localdate():%Y%m%d}.pdf",
        content_type="application/pdf",
        fingerprint=jobs.fingerprint("consortium", html),
        build=lambda progress: html_to_pdf(html, progress),
        title=consortium.name,
    )


# --- The prefecture's report ------------------------------------------------------------------------
def fiscal_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def fiscal_year_label(year: int) -> str:
    """2026 → 2026年度（令和8年度）; 2019 → 令和元年度 (the era in force for most of the year)."""
    era_year = format_wareki(date(year, 12, 31)).split("年", 1)[0]
    return f"{year}年度（{era_year}年度）"


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: dict | None = None


@dataclass
class PrefectureReport:
    fiscal_year: int
    label: str
    start: date
    end: date
    as_of: date
    summary: list[tuple[str, str]]
    tables: list[Table]
    stalled: list[dict]

    @property
    def interim(self) -> bool:
        return self.as_of < self.end


def _aware(day: date, end: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment)


def _stage_at(consortium: Consortium, moves: list[StageMove], moment: datetime) -> int:
    """The stage a consortium was at, from its moves (the current stage if it never moved)."""
    before = [m for m in moves if m.at < moment]
    if before:
        return before[-1].to_stage
    if moves:
        return moves[0].from_stage
    return consortium.stage


def _number(value) -> int | float:
    """20.00 → 20 and 12.50 → 12.5, the same in the PDF and the spreadsheet."""
    number = float(value)
    return int(number) if number.is_integer() else number


def started_on(consortium: Consortium) -> date:
    """When a consortium started: its 開始日, or the day it was registered when none is set."""
    return consortium.started_on or timezone.localdate(consortium.created_at)


NO_MUNICIPALITY = "（市区町村の登録なし）"
# The one definition of 辞退あり (partners.querysets.IntroductionQuerySet.declined), in words.
DECLINED_NOTE = (
    "「辞退あり」は、当事者のいずれかが辞退した紹介を、最初に辞退した日に1件として数えます"
    "（その後に終了した紹介も含みます。紹介の一覧・月ごとの表と同じ数え方です）。"
)


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


def prefecture_report(*, fiscal_year: int, viewer=None) -> PrefectureReport:
    """Every figure of the prefectural report, for the PDF and the spreadsheet alike.

    Figures describe the state at the end of the fiscal year (or today, for the year under way)
    and what happened within the year. `viewer` is the person it is made for (a job's
    requester): it counts only the consortia they may see; None is the operator's command line.
    """
    from cases.models import Case, SourceKind
    from cases.stats import stats_of
    from partners.models import Introduction, IntroductionEvent, IntroductionStatus

    start, end = fiscal_year_bounds(fiscal_year)
    today = timezone.localdate()
    as_of = min(end, today)
    since, until = _aware(start), _aware(as_of, end=True)

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
    new_in_year = [c for c in consortia if start <= started_on(c) <= as_of]
    moves_in_year = [m for c in consortia for m in c.moves.all() if since <= m.at < until]

    per_stage = Counter(stage_of.values())
    stage_table = Table(
        "stages",
        "STEP・段階別の協働体数",
        ["STEP", "段階", "協働体数"],
        [[STEPS[step_of(value)], label, per_stage[value]] for value, label in Stage.choices],
        note=f"{format_seireki(as_of)}時点の段階。終了した協働体を除きます。",
    )
    stage_table.chart = bar_chart(
        [(label, per_stage[v], None) for v, label in Stage.choices],
        unit="件",
    )
    step_rows = [
        [label, sum(per_stage[v] for v, _ in Stage.choices if step_of(v) == n)]
        for n, label in STEPS.items()
    ]
    step_table = Table("steps", "STEP別の協働体数", ["STEP", "協働体数"], step_rows)

    places: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for c in live:
        for key in municipalities_of(c, until=as_of):
            places[key][step_of(stage_of[c.pk]) - 1] += 1
            places[key][3] += 1
    municipality_table = Table(
        "municipalities",
        "市区町村別の協働体数",
        ["市区町村", "STEP1", "STEP2", "STEP3", "合計"],
        [
            [name, *counts]
            for name, counts in sorted(places.items(), key=lambda kv: (-kv[1][3], kv[0]))
        ],
        note=(
            "協働体の主な所在地と参加法人の所在地の市区町村ごとに数えています。複数の市区町村に"
            "またがる協働体はそれぞれの市区町村に1件ずつ数えるため、合計は協働体の数より多くなる"
            "ことがあります。"
        ),
    )

    themes: Counter = Counter()
    theme_labels: dict[str, str] = {}
    for c in live:
        for t in c.themes.all():
            themes[t.code] += 1
            theme_labels[t.code] = t.label
    theme_rows = [[theme_labels[code], n] for code, n in themes.most_common()]
    theme_table = Table(
        "themes",
        "協働の内容（テーマ）別の協働体数",
        ["テーマ", "協働体数"],
        theme_rows,
        note="1つの協働体が複数のテーマに数えられることがあります。",
    )
    if theme_rows:
        theme_table.chart = bar_chart([(r[0], r[1], None) for r in theme_rows], unit="件")

    proposed = set(
        Introduction.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
            "pk", flat=True
        )
    )
    reached: dict[str, set[int]] = defaultdict(set)
    for intro_id, status in IntroductionEvent.objects.filter(
        at__gte=since, at__lt=until
    ).values_list("introduction_id", "status"):
        reached[status].add(intro_id)
    funnel_states = [
        IntroductionStatus.PROPOSED,
        IntroductionStatus.CONTACTED,
        IntroductionStatus.ACCEPTED,
        IntroductionStatus.MEETING_HELD,
        IntroductionStatus.FORMED,
        IntroductionStatus.DECLINED,
        IntroductionStatus.CLOSED,
    ]
    reached[IntroductionStatus.DECLINED] = set(
        Introduction.objects.declined(since=since, until=until).values_list("pk", flat=True)
    )
    funnel_rows = []
    for state in funnel_states:
        count = len(proposed) if state == IntroductionStatus.PROPOSED else len(reached[state])
        funnel_rows.append([state.label, count])
    funnel_table = Table(
        "funnel",
        "紹介（マッチング）の状況",
        ["段階", "件数"],
        funnel_rows,
        note=(
            "年度内に提案した紹介の件数と、年度内にそれぞれの状態に進んだ紹介の件数です。"
            f"{DECLINED_NOTE}"
        ),
    )
    funnel_table.chart = bar_chart([(r[0], r[1], None) for r in funnel_rows], unit="件")

    cutoff = until - timedelta(days=STALLED_DAYS)
    stalled = [
        {
            "name": c.name,
            "stage": Stage(stage_of[c.pk]).label,
            "municipality": c.municipality.name if c.municipality else "（市区町村の登録なし）",
            "last": timezone.localdate(c.last_activity_at) if c.last_activity_at else None,
        }
        for c in live
        if c.status == ConsortiumStatus.ACTIVE
        and (c.last_activity_at is None or c.last_activity_at < cutoff)
    ]
    stalled_table = Table(
        "stalled",
        f"動きの止まった協働体（{STALLED_DAYS}日以上活動の記録なし）",
        ["協働体", "段階", "市区町村", "最後の活動"],
        [[s["name"], s["stage"], s["municipality"], s["last"] or "記録なし"] for s in stalled],
    )

    kpis = (
        Kpi.objects.filter(goal__consortium__in=[c.pk for c in live])
        .select_related("goal__consortium")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=Measurement.objects.filter(measured_on__lte=as_of).order_by(
                    "measured_on", "pk"
                ),
            )
        )
        .order_by("goal__consortium__name", "pk")
    )
    kpi_rows = []
    kpi_bars = []
    for kpi in kpis:
        view = kpi_progress(kpi, list(kpi.measurements.all()))
        name = kpi.goal.consortium.name
        kpi_rows.append(
            [
                name,
                kpi.name,
                _number(kpi.baseline),
                _number(kpi.target),
                _number(view.current) if view.current is not None else None,
                kpi.unit,
                # Shown as a whole percent; the spreadsheet writes the exact ratio with a % format.
                Percent(view.progress) if view.progress is not None else None,
            ]
        )
        if view.percent is not None:
            kpi_bars.append((f"{kpi.name}（{name}）", view.percent, None))
    kpi_table = Table(
        "kpis",
        "KPIの達成状況",
        ["協働体", "指標", "基準値", "目標値", "直近の値", "単位", "達成率（％）"],
        kpi_rows,
        note="達成率は（直近の値－基準値）÷（目標値－基準値）。測定のない指標は空欄です。",
    )
    if kpi_bars:
        kpi_table.chart = bar_chart(kpi_bars, unit="％")

    cases = list(
        Case.objects.published().prefetch_related("tags", "prefectures").order_by("number")
    )
    stats = stats_of(cases, include_local=True)
    case_rows = [
        ["公開中の事例", len(cases)],
        ["うち調査研究報告書の事例", sum(c.source_kind == SourceKind.REPORT for c in cases)],
        ["うち窓口が追加した地域の事例", sum(c.source_kind == SourceKind.LOCAL for c in cases)],
        ["緊密な連携", sum(c.form == "close" for c in cases)],
        ["緩やかな連携", sum(c.form == "loose" for c in cases)],
        [
            "年度内に追加した地域の事例",
            sum(c.source_kind == SourceKind.LOCAL and since <= c.created_at < until for c in cases),
        ],
    ]
    operation = next(t for t in stats.tables if t.key == "operation")
    case_table = Table("cases", "事例ライブラリ", ["項目", "件数"], case_rows)
    case_ops = Table(
        "case_operations",
        "事例ライブラリ：協働内容別の事例数",
        ["協働内容", "事例数"],
        [[r.label, r.ours] for r in operation.rows],
    )
    case_ops.chart = bar_chart([(r.label, r.ours, None) for r in operation.rows], unit="件")

    summary = [
        ("協働体（終了を除く）", f"{len(live)}件"),
        ("年度内に発足", f"{len(new_in_year)}件"),
        ("年度内の段階の前進", f"{len(moves_in_year)}回"),
        ("年度内の紹介の提案", f"{len(proposed)}件"),
        ("動きの止まった協働体", f"{len(stalled)}件"),
        ("公開中の事例", f"{len(cases)}件"),
    ]
    return PrefectureReport(
        fiscal_year=fiscal_year,
        label=fiscal_year_label(fiscal_year),
        start=start,
        end=end,
        as_of=as_of,
        summary=summary,
        tables=[
            step_table,
            stage_table,
            municipality_table,
            theme_table,
            funnel_table,
            stalled_table,
            kpi_table,
            case_table,
            case_ops,
        ],
        stalled=stalled,
    )


_COUNT = re.compile(r"^(\d+)([^\d]+)$")


def _summary_row(label: str, value) -> list:
    """A headline figure as a number and its unit (「4件」 → 4, 件), so Excel can add them up."""
    match = _COUNT.match(value) if isinstance(value, str) else None
    if match:
        return [label, int(match[1]), match[2]]
    return [label, value, ""]


def prefecture_xlsx(report: PrefectureReport) -> bytes:
    """The same tables as the PDF, one sheet each, after a sheet with the headline figures.

    Every sheet: title on row 1, source and as-of date on row 2, the header on row 3 (frozen,
    filtered, repeated on each printed page), typed rows below, the table's note after them."""
    from django.conf import settings

    from portal.spreadsheets import TableSheet, new_workbook, workbook_bytes

    title = f"協働化の状況 {report.label}"
    source = (
        f"出典：{settings.PORTAL_WINDOW_NAME}の協働化支援ポータル"
        "（協働体・紹介・事例の登録内容）による集計"
    )
    as_of = (
        f"集計日：{format_seireki(report.as_of)}（{format_wareki(report.as_of)}）"
        f"{'・年度途中の値' if report.interim else ''}"
    )
    book = new_workbook(title=title, subject=f"{source}。{as_of}")
    lines = (title, f"{source}　{as_of}")
    summary = TableSheet(
        book, "概要", ["項目", "値", "単位"], source=source, as_of=report.as_of, lines=lines
    )
    summary.extend(
        [
            ["対象期間の初日", report.start, ""],
            ["対象期間の末日", report.end, ""],
            ["集計日", report.as_of, ""],
            *(_summary_row(label, value) for label, value in report.summary),
        ]
    )
    summary.close()
    for table in report.tables:
        sheet = TableSheet(
            book,
            table.title,
            table.header,
            source=source,
            as_of=report.as_of,
            lines=(table.title, f"{source}　{as_of}"),
            wrap_columns={0},
            max_width=40,
        )
        sheet.extend(table.rows)
        sheet.close(after=[[table.note]] if table.note else ())
    return workbook_bytes(book)


def build_prefecture(fiscal_year: int, viewer=None) -> tuple[str, bytes, PrefectureReport]:
    report = prefecture_report(fiscal_year=fiscal_year, viewer=viewer)
    html = render_report_html("reports/prefecture.html", {"r": report})
    return html, prefecture_xlsx(report), report


def _fiscal_year(params: dict) -> int:
    value = params.get("fiscal_year")
    if value in (None, ""):
        return current_fiscal_year()
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise jobs.JobError(f"年度「{value}」は西暦4桁で指定してください（例：2026）。") from None
    if not 2000 <= year <= current_fiscal_year():
        raise jobs.JobError(
            f"年度は2000年度から{current_fiscal_year()}年度までの間で指定してください。"
        )
    return year


def describe_prefecture(params: dict) -> str:
    try:
        return fiscal_year_label(_fiscal_year(params))
    except jobs.JobError:
        return str(params.get("fiscal_year", ""))


def prepare_prefecture(job, progress) -> jobs.Draft:
    year = _fiscal_year(job.params)
    html, xlsx, report = build_prefecture(year, viewer=job.requested_by)
    progress(15)
    stamp = f"{year}-{timezone.localdate():%Y%m%d}"
    return jobs.Draft(
        filename=f"prefecture-report-{stamp}.pdf",
        content_type="application/pdf",
        # The spreadsheet is built from the same figures as the HTML, so the HTML names both.
        fingerprint=jobs.fingerprint("prefecture", html),
        build=lambda progress: html_to_pdf(html, progress),
        companion=jobs.Companion(
            filename=f"prefecture-report-{stamp}.xlsx",
            content=xlsx,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        title=report.label,
    )


def register() -> None:
    jobs.register_kind(
        "consortium",
        "協働体の進捗報告書（PDF）",
        prepare_consortium,
        may_download=may_download_consortium,
        describe=describe_consortium,
        params_from=consortium_params,
        panel=consortium_panel,
        file_label="協働体の進捗報告書",
    )
    jobs.register_kind(
        "prefecture",
        "県の協働化状況報告書（PDF＋Excel）",
        prepare_prefecture,
        may_download=lambda user, job: can_view_dashboard(user),
        describe=describe_prefecture,
        params_from=prefecture_params,
        panel=prefecture_panel,
        file_label="協働化の状況報告書",
    )


# --- Request forms on /reports/ ----------------------------------------------------------------------
def consortium_params(data, *, user=None) -> dict:
    pk = parse_id(data.get("consortium"))
    if pk is None:
        raise jobs.JobError("報告書を作る協働体を選んでください。")
    consortia = Consortium.objects.all() if user is None else Consortium.objects.visible_to(user)
    if not consortia.filter(pk=pk).exists():
        raise jobs.JobError(f"番号 {pk} の協働体はありません。")
    return {"consortium": pk}


def consortium_panel(request) -> dict | None:
    consortia = list(Consortium.objects.visible_to(request.user).order_by("name"))
    if not consortia:
        return None
    return {
        "template": "guidance/_report_panel_consortium.html",
        "context": {"consortia": consortia},
    }


def prefecture_params(data, *, user=None) -> dict:
    return {"fiscal_year": _fiscal_year({"fiscal_year": (data.get("fiscal_year") or "").strip()})}


def prefecture_panel(request) -> dict | None:
    if not can_view_dashboard(request.user):
        return None
    return {
        "template": "guidance/_report_panel_prefecture.html",
        "context": {"years": fiscal_years(), "current": current_fiscal_year()},
    }


def fiscal_years() -> list[tuple[int, str]]:
    """This fiscal year back to the year before the first consortium, newest first."""
    current = current_fiscal_year()
    first = Consortium.objects.order_by("created_at").values_list("created_at", flat=True).first()
    start = min(current, fiscal_year_of(first)) if first else current
    return [(y, fiscal_year_label(y)) for y in range(current, max(2000, start - 1) - 1, -1)]
