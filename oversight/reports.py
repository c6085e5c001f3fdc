"""The prefecture's report on the state of collaboration in a fiscal year: a PDF and a spreadsheet
holding the same tables, built from each app's figures for the period.

The report is a list of SECTIONS. Each section reads the figures it needs from `Figures` (each app's
figures computed once per report) and returns its headline lines and its tables; the PDF, the
spreadsheet and the dashboard all show those same tables. Adding a section is one entry in
SECTIONS (and, for a new app's figures, one property on `Figures`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.utils import timezone

from cases.selectors import LibraryFigures, library_figures
from desk.selectors import ConsultationFigures, consultation_figures
from guidance.models import Consortium, Stage, step_of
from guidance.selectors import STALLED_DAYS, ConsortiaFigures, consortia_figures
from partners.selectors import OpenDataCredit, PeriodFunnel, funnel, open_data_credit
from portal import jobs
from portal.access import can_view_dashboard
from portal.charts import bar_chart
from portal.dates import fiscal_year_of, format_seireki, format_wareki
from portal.pdf import html_to_pdf, render_report_html
from portal.periods import Period, current_fiscal_year, fiscal_year_bounds, fiscal_year_label
from portal.spreadsheets import Percent
from portal.taxonomy import STEPS

__all__ = [
    "build_prefecture",
    "current_fiscal_year",
    "fiscal_year_bounds",
    "fiscal_year_label",
    "prefecture_report",
]

# The one definition of 辞退あり (partners.querysets.IntroductionQuerySet.declined), in words.
DECLINED_NOTE = (
    "「辞退あり」は、当事者のいずれかが辞退した紹介を、最初に辞退した日に1件として数えます"
    "（その後に終了した紹介も含みます。紹介の一覧・月ごとの表と同じ数え方です）。"
)


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: dict | None = None


@dataclass
class Section:
    summary: list[tuple[str, str]]  # headline figures: (label, 「4件」)
    tables: list[Table]


class Figures:
    """Each app's figures for one period, each computed once (on first use) for every section."""

    def __init__(self, period: Period, viewer=None) -> None:
        self.period, self.viewer = period, viewer

    @cached_property
    def consortia(self) -> ConsortiaFigures:
        return consortia_figures(self.period, viewer=self.viewer)

    @cached_property
    def introductions(self) -> PeriodFunnel:
        return funnel(self.period)

    @cached_property
    def library(self) -> LibraryFigures:
        return library_figures(self.period)

    @cached_property
    def consultations(self) -> ConsultationFigures:
        return consultation_figures((self.period.start, self.period.end))


def _number(value) -> int | float:
    """20.00 → 20 and 12.50 → 12.5, the same in the PDF and the spreadsheet."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _bars(rows: list, unit: str = "件") -> dict:
    return bar_chart([(r[0], r[1], None) for r in rows], unit=unit)


# --- Sections, in the order the report shows them ---------------------------------------------------
def consortia_section(f: Figures) -> Section:
    c, as_of = f.consortia, f.period.as_of
    per_stage = c.per_stage
    stage_table = Table(
        "stages",
        "STEP・段階別の協働体数",
        ["STEP", "段階", "協働体数"],
        [[STEPS[step_of(value)], label, per_stage[value]] for value, label in Stage.choices],
        note=f"{format_seireki(as_of)}時点の段階。終了した協働体を除きます。",
    )
    stage_table.chart = bar_chart(
        [(label, per_stage[v], None) for v, label in Stage.choices], unit="件"
    )
    step_table = Table(
        "steps",
        "STEP別の協働体数",
        ["STEP", "協働体数"],
        [
            [label, sum(per_stage[v] for v, _ in Stage.choices if step_of(v) == n)]
            for n, label in STEPS.items()
        ],
    )
    municipality_table = Table(
        "municipalities",
        "市区町村別の協働体数",
        ["市区町村", *(label.split()[0] for label in STEPS.values()), "合計"],
        [
            [name, *counts]
            for name, counts in sorted(c.places.items(), key=lambda kv: (-kv[1][-1], kv[0]))
        ],
        note=(
            "協働体の主な所在地と参加法人の所在地の市区町村ごとに数えています。複数の市区町村に"
            "またがる協働体はそれぞれの市区町村に1件ずつ数えるため、合計は協働体の数より多くなる"
            "ことがあります。"
        ),
    )
    theme_rows = [[label, n] for label, n in c.themes]
    theme_table = Table(
        "themes",
        "協働の内容（テーマ）別の協働体数",
        ["テーマ", "協働体数"],
        theme_rows,
        note="1つの協働体が複数のテーマに数えられることがあります。",
        chart=_bars(theme_rows) if theme_rows else None,
    )
    return Section(
        summary=[
            ("協働体（終了を除く）", f"{len(c.live)}件"),
            ("年度内に発足", f"{c.started}件"),
            ("年度内の段階の前進", f"{c.moves}回"),
        ],
        tables=[step_table, stage_table, municipality_table, theme_table],
    )


def introductions_section(f: Figures) -> Section:
    rows = [[label, n] for label, n in f.introductions.rows]
    table = Table(
        "funnel",
        "紹介（マッチング）の状況",
        ["段階", "件数"],
        rows,
        note=(
            "年度内に提案した紹介の件数と、年度内にそれぞれの状態に進んだ紹介の件数です。"
            f"{DECLINED_NOTE}"
        ),
        chart=_bars(rows),
    )
    return Section(
        summary=[("年度内の紹介の提案", f"{f.introductions.proposed}件")], tables=[table]
    )


def progress_section(f: Figures) -> Section:
    c = f.consortia
    stalled_table = Table(
        "stalled",
        f"動きの止まった協働体（{STALLED_DAYS}日以上活動の記録なし）",
        ["協働体", "段階", "市区町村", "最後の活動"],
        [[s["name"], s["stage"], s["municipality"], s["last"] or "記録なし"] for s in c.stalled],
    )
    kpi_rows: list[list] = []
    kpi_bars: list[tuple[str, float | int, float | int | None]] = []
    for name, view in c.kpis:
        kpi = view.kpi
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
        chart=bar_chart(kpi_bars, unit="％") if kpi_bars else None,
    )
    return Section(
        summary=[("動きの止まった協働体", f"{len(c.stalled)}件")],
        tables=[stalled_table, kpi_table],
    )


def library_section(f: Figures) -> Section:
    lib = f.library
    case_table = Table(
        "cases",
        "事例ライブラリ",
        ["項目", "件数"],
        [
            ["公開中の事例", lib.published],
            ["うち調査研究報告書の事例", lib.from_report],
            ["うち窓口が追加した地域の事例", lib.local],
            ["緊密な連携", lib.close],
            ["緩やかな連携", lib.loose],
            ["年度内に追加した地域の事例", lib.local_added],
        ],
    )
    ops_rows = [[label, n] for label, n in lib.operations]
    case_ops = Table(
        "case_operations",
        "事例ライブラリ：協働内容別の事例数",
        ["協働内容", "事例数"],
        ops_rows,
        chart=_bars(ops_rows),
    )
    return Section(summary=[("公開中の事例", f"{lib.published}件")], tables=[case_table, case_ops])


def consultations_section(f: Figures) -> Section:
    c = f.consultations
    month_rows = [[f"{m.year}年{m.month}月", n] for m, n in c.per_month]
    channel_rows = [[label, n] for label, n in c.per_channel]
    topic_rows = [[label, n] for label, n in c.per_topic]
    return Section(
        summary=[("受け付けた相談", f"{c.total}件")],
        tables=[
            Table(
                "consultations_months",
                "相談窓口：月別の相談件数",
                ["月", "相談件数"],
                month_rows,
                note="受け付けた日で数えています（電話・来所・訪問・メール・分科会・フォームのすべて）。",
                chart=_bars(month_rows),
            ),
            Table(
                "consultations_channels",
                "相談窓口：受付経路別の相談件数",
                ["受付経路", "相談件数"],
                channel_rows,
            ),
            Table(
                "consultations_topics",
                "相談窓口：相談内容（経営課題）別の件数",
                ["経営課題", "相談件数"],
                topic_rows,
                note="1件の相談が複数の課題にかかわるときは、それぞれの課題に数えます。",
            ),
        ],
    )


SECTIONS: list[Callable[[Figures], Section]] = [
    consortia_section,
    introductions_section,
    progress_section,
    library_section,
    consultations_section,
]


# --- The report -------------------------------------------------------------------------------------
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
    # Corporations and their names come from the national open data: its licence asks for this.
    credit: OpenDataCredit

    @property
    def interim(self) -> bool:
        return self.as_of < self.end


def prefecture_report(*, fiscal_year: int, viewer=None) -> PrefectureReport:
    """Every figure of the prefectural report, for the PDF and the spreadsheet alike.

    Figures describe the state at the end of the fiscal year (or today, for the year under way)
    and what happened within the year. `viewer` is the person it is made for (a job's
    requester): it counts only the consortia they may see; None is the operator's command line.
    """
    period = Period.fiscal_year(fiscal_year)
    figures = Figures(period, viewer)
    sections = [build(figures) for build in SECTIONS]
    return PrefectureReport(
        fiscal_year=fiscal_year,
        label=period.label,
        start=period.start,
        end=period.end,
        as_of=period.as_of,
        summary=[line for s in sections for line in s.summary],
        tables=[t for s in sections for t in s.tables],
        stalled=figures.consortia.stalled,
        credit=open_data_credit(),
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
    summary.close(after=[[line] for line in report.credit.lines])
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
    value: Any = params.get("fiscal_year")  # an int from a command line, a str from a form
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
        "prefecture",
        "県の協働化状況報告書（PDF＋Excel）",
        prepare_prefecture,
        may_download=lambda user, job: can_view_dashboard(user),
        describe=describe_prefecture,
        params_from=prefecture_params,
        panel=prefecture_panel,
        file_label="協働化の状況報告書",
    )


def prefecture_params(data, *, user=None) -> dict:
    return {"fiscal_year": _fiscal_year({"fiscal_year": (data.get("fiscal_year") or "").strip()})}


def prefecture_panel(request) -> dict | None:
    if not can_view_dashboard(request.user):
        return None
    return {
        "template": "oversight/_report_panel_prefecture.html",
        "context": {"years": fiscal_years(), "current": current_fiscal_year()},
    }


def fiscal_years() -> list[tuple[int, str]]:
    """This fiscal year back to the year before the first consortium, newest first."""
    current = current_fiscal_year()
    first = Consortium.objects.order_by("created_at").values_list("created_at", flat=True).first()
    start = min(current, fiscal_year_of(first)) if first else current
    return [(y, fiscal_year_label(y)) for y in range(current, max(2000, start - 1) - 1, -1)]
