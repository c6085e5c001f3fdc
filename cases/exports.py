"""Exports of the case library (CSV for Excel, XLSX with a column guide, JSON for scripts)."""

import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from cases.models import STAGES, Case, Tag
from portal.spreadsheets import TableSheet, csv_writer, new_workbook, workbook_bytes
from portal.taxonomy import STAGE_NUMBERS


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    description: str


COLUMNS = (
    Column("number", "事例番号", "報告書の事例番号（1～29）。窓口が追加した事例は1001以降。"),
    Column("name", "名称", "取組・法人の名称（報告書の表記）。"),
    Column("form", "連携の形態", "緊密な連携（法人格を持つ連携）か、緩やかな連携か。"),
    Column("legal_form", "法人格・組織形態", "社会福祉連携推進法人、一般社団法人、任意団体など。"),
    Column("prefectures", "都道府県", "参加法人のある都道府県（複数の場合は「、」区切り）。"),
    Column("area_scope", "連携の範囲", "同一市区町村内／複数の市区町村／複数の都道府県。"),
    Column("founded_year", "設立・認定年", "報告書に記載がある場合のみ（西暦）。"),
    Column(
        "member_count", "参加法人数", "事例本文、なければ報告書の図表2-2による。空欄は記載なし。"
    ),
    Column("operations", "協働内容", "社会福祉連携推進業務の6分類とバックオフィス効率化。"),
    Column("reasons", "協働化の理由", "報告書の集計表の5分類。"),
    Column("origins", "きっかけ", "協働化に至った関係性（報告書の集計表の5分類）。"),
    Column("effects", "効果", "報告書第4章の7つの効果の分類。"),
    Column("summary", "概要", "事例の要約（当ポータルによる記述）。"),
    *(
        Column(
            f"stage_{n}",
            f"{'①②③④⑤⑥'[n - 1]}{title}",
            f"STEP{step}に属する段階の記述（当ポータルによる要約）。",
        )
        for n, title, step in STAGES
    ),
    Column("status", "公開状態", "公開／下書き。"),
    Column("url", "URL", "このポータルの事例ページ。"),
)


def export_queryset(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(
        "prefectures", Prefetch("tags", queryset=Tag.objects.order_by("position"))
    ).order_by("number")


def case_url(case: Case, base_url: str | None = None) -> str:
    base = (base_url or settings.PORTAL_BASE_URL).rstrip("/")
    return base + reverse("cases:detail", args=[case.number])


def _tags(case: Case, kind: str) -> list[Tag]:
    return [t for t in case.tags.all() if t.kind == kind]


def as_json_objects(cases, base_url: str | None = None) -> list[dict]:
    rows = []
    for case in cases:
        rows.append(
            {
                "number": case.number,
                "name": case.name,
                "prefectures": [p.name for p in case.prefectures.all()],
                "form": case.form,
                "legal_form": case.legal_form,
                "area_scope": case.area_scope,
                "founded_year": case.founded_year,
                "member_count": case.member_count,
                "operations": [t.code for t in _tags(case, "operation")],
                "reasons": [t.code for t in _tags(case, "reason")],
                "origins": [t.code for t in _tags(case, "origin")],
                "effects": [t.code for t in _tags(case, "effect")],
                "summary": case.summary,
                "stages": {str(n): case.stage_text(n) for n in STAGE_NUMBERS},
                "status": case.status,
                "source": case.source,
                "url": case_url(case, base_url),
            }
        )
    return rows


def _row(case: Case, base_url: str | None) -> list:
    labels = {
        kind: "、".join(t.label for t in _tags(case, kind))
        for kind in ("operation", "reason", "origin", "effect")
    }
    return [
        case.number,
        case.name,
        case.get_form_display(),
        case.legal_form,
        "、".join(p.name for p in case.prefectures.all()),
        case.get_area_scope_display(),
        # None, not "": an empty cell keeps the XLSX column numeric (CSV writes it as empty).
        case.founded_year or None,
        case.member_count,
        labels["operation"],
        labels["reason"],
        labels["origin"],
        labels["effect"],
        case.summary,
        *(case.stage_text(n) for n in STAGE_NUMBERS),
        case.get_status_display(),
        case_url(case, base_url),
    ]


def render_json(cases, base_url: str | None = None) -> bytes:
    return json.dumps(as_json_objects(cases, base_url), ensure_ascii=False, indent=2).encode(
        "utf-8"
    )


def render_csv(cases, base_url: str | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Japanese text correctly."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for case in cases:
        writer.writerow(_row(case, base_url))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# The research report the 29 cases come from (its title page), named on every sheet.
SOURCE = (
    "出典：令和7年度 老人保健事業推進費等補助金（老人保健健康増進等事業）「介護事業所における"
    "協働化等による職場環境改善の"
    "効果検証等に関する調査研究」成果報告書（株式会社NTTデータ経営研究所、令和8（2026）年3月）"
    "第3章をもとに当ポータルが要約・分類"
)
# Long text columns (概要 and the six stages) wrap instead of running off the sheet.
_WRAPPED = {i for i, c in enumerate(COLUMNS) if c.key == "summary" or c.key.startswith("stage_")}


def render_xlsx(cases, base_url: str | None = None) -> bytes:
    """The case table (header on row 1, so it stays a plain table for filters and scripts; the
    source and date are in the page header and the document properties) and a column guide."""
    today = timezone.localdate()
    book = new_workbook(title="事例ライブラリの一覧", subject=SOURCE)
    table = TableSheet(
        book,
        "事例",
        [c.header for c in COLUMNS],
        source=SOURCE,
        as_of=today,
        freeze_columns=2,
        wrap_columns=_WRAPPED,
        max_width=50,
    )
    for case in cases:
        table.append(_row(case, base_url))
    table.close()
    guide = TableSheet(
        book, "列の説明", ["列", "見出し", "内容"], source=SOURCE, as_of=today, wrap_columns={2}
    )
    for index, column in enumerate(COLUMNS, start=1):
        guide.append([index, column.header, column.description])
    guide.close(after=[["", "出典", SOURCE.removeprefix("出典：")], ["", "作成日", today]])
    return workbook_bytes(book)


RENDERERS = {
    "json": (render_json, "application/json; charset=utf-8"),
    "csv": (render_csv, "text/csv; charset=utf-8"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
