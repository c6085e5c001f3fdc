"""The statistics page: the report's aggregate tables recomputed from the cases, side by side with
the published figures (chapter 3 §3), and the number of cases per prefecture for the map."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from cases.models import Case, Prefecture, Tag
from portal.charts import bar_chart

# Published counts of the 2026 report, chapter 3 §3 (29 interviewed cases; a case may count
# under several values).
REPORT: dict[str, Any] = {
    "origin": {
        "existing_meetings": 13,
        "executive_ties": 9,
        "same_group": 3,
        "promoter_outreach": 5,
        "consultation_request": 2,
    },
    "reason": {
        "staff_shortage": 16,
        "management_stability": 11,
        "staff_development": 5,
        "disaster_readiness": 5,
        "no_family_support": 3,
    },
    "area": {"within": 23, "across": 6},
    "operation": {
        "community": (22, 16, 6),
        "disaster": (18, 16, 2),
        "management": (20, 14, 6),
        "lending": (1, 1, 0),
        "workforce": (26, 18, 8),
        "supplies": (19, 15, 4),
    },
    "members": {
        "2": 2,
        "3": 8,
        "4": 2,
        "5": 2,
        "6": 4,
        "7": 1,
        "8": 0,
        "9": 1,
        "10": 2,
        "11-20": 4,
        "21-30": 1,
        "31-": 1,
    },
}
MEMBER_ROWS = (
    ("2", "2法人", 2, 2),
    ("3", "3法人", 3, 3),
    ("4", "4法人", 4, 4),
    ("5", "5法人", 5, 5),
    ("6", "6法人", 6, 6),
    ("7", "7法人", 7, 7),
    ("8", "8法人", 8, 8),
    ("9", "9法人", 9, 9),
    ("10", "10法人", 10, 10),
    ("11-20", "11～20法人", 11, 20),
    ("21-30", "21～30法人", 21, 30),
    ("31-", "31法人以上（報告書の「30法人以上」）", 31, 10**6),
)

# Why our counts can differ from the published ones; shown to window staff on the page.
EXPLANATIONS = {
    "general": (
        "報告書の集計表は、聞き取りの内容全体から集計されています。この事例ライブラリのタグは、"
        "報告書に掲載された各事例の本文から読み取れることだけを付けているため、本文に書かれていない"
        "取組（たとえば災害時支援や物資の共同購入）は数えていません。両方の数字を並べて示します。"
    ),
    "members": (
        "参加法人数は、事例本文の記載を優先し、ない場合は図表2-2の記載を使っています。"
        "「5～6法人程度」のように幅のある記載（事例14）と、施設の数しか分からない記載"
        "（事例27：図表2-2の9施設）は「記載なし」に含めています。"
        "事例23はネットワーク型の取組で法人数の区分に含まれない点は、報告書と同じです。"
    ),
    "area": (
        "見出しの所在地が1都道府県でも、本文で参加法人が複数の都道府県にあると分かる事例は"
        "「複数の都道府県」に数えています。報告書が数えた6件のうち、本文から確認できるのは3件です。"
    ),
}


# Where a text says something near a missing tag without supporting it, the reason says so;
# otherwise the gap lists the case with the default reason (no such passage in ①–⑥).
NEAR_MISSES = {
    (
        "operation",
        "community",
        8,
    ): "⑥で、今後は地域福祉を担う法人の力になりたいという思いが語られるのみで、"
    "実施している取組の記載はない",
    (
        "operation",
        "community",
        22,
    ): "④で、地域貢献も検討したが現時点では人材育成を優先していると記載",
    (
        "operation",
        "disaster",
        22,
    ): "④で、災害時の相互協力も検討したが現時点では人材育成を優先していると記載",
    (
        "operation",
        "supplies",
        29,
    ): "④の「一括して担う」は事務局機能のことで、物資の一括調達ではない",
    (
        "area",
        "across",
        2,
    ): "①に東京大学の研究室との議論が出てくるが、参加法人の所在地は書かれていない",
    (
        "area",
        "across",
        16,
    ): "見出しは「京都府京都市等」で、本文は京都市内の法人どうしのつながりを述べている",
}


@dataclass
class Gap:
    """One published figure our texts cannot reproduce: the report's count beside ours, and the
    cases among which the report's extra ones must be, each with why our text does not count it.

    The report publishes totals only, not which case it counted, so `candidates` are all the
    cases (of the same form, for operations) whose text lacks the item; `missing` of them are
    counted by the report.
    """

    table: str
    code: str
    label: str
    form: str  # "" for the whole, or "close" / "loose" for one part of an operations row
    report: int
    ours: int
    candidates: list[tuple[int, str]] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.report - self.ours

    @property
    def scope(self) -> str:
        return {"close": "緊密な連携", "loose": "緩やかな連携"}.get(self.form, "全体")

    @property
    def summary(self) -> str:
        return (
            f"{self.label}（{self.scope}）：報告書 {self.report}件、事例データ {self.ours}件。"
            f"報告書は次の{len(self.candidates)}事例のうち{self.missing}事例を数えていると考えられ"
            "ますが、報告書はどの事例を数えたかを示しておらず、本文からは確認できません。"
        )


def _gap(table, code, label, form, report, holders, pool, reason) -> Gap | None:
    if report is None or len(holders) >= report:
        return None
    held = {c.number for c in holders}
    candidates = [
        (c.number, NEAR_MISSES.get((table, code, c.number), reason))
        for c in sorted(pool, key=lambda c: c.number)
        if c.number not in held
    ]
    return Gap(table, code, label, form, report, len(holders), candidates)


@dataclass
class Row:
    code: str
    label: str
    ours: int
    report: int | None = None
    close: int | None = None
    loose: int | None = None
    report_close: int | None = None
    report_loose: int | None = None
    cases: list[int] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def difference(self) -> int | None:
        return None if self.report is None else self.ours - self.report

    @property
    def matches(self) -> bool:
        return self.report is None or self.ours == self.report


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    explanation: str = ""

    @property
    def matches(self) -> bool:
        return all(row.matches for row in self.rows)

    @property
    def chart(self) -> dict:
        """The page's bar chart: the same module as the case book's, labels above the bars."""
        return bar_chart([(r.label, r.ours, r.report) for r in self.rows], unit="件", stacked=True)


@dataclass
class Stats:
    total: int
    include_local: bool
    tables: list[Table]
    prefectures: list[dict]
    max_per_prefecture: int

    @property
    def gaps(self) -> list[Gap]:
        """Every published figure our texts fall short of, for the page and the case book."""
        return [gap for table in self.tables for row in table.rows for gap in row.gaps]


def case_stats(*, user, include_local: bool = False) -> Stats:
    """Five queries whatever the number of cases."""
    cases_qs = Case.objects.visible_to(user).published()
    if not include_local:
        cases_qs = cases_qs.from_report()
    cases = list(
        cases_qs.prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("position")), "prefectures"
        )
    )
    return stats_of(cases, include_local=include_local)


def stats_of(cases: list[Case], *, include_local: bool = False) -> Stats:
    """The tables and map counts for these cases (tags and prefectures prefetched); two queries."""
    keys = {c.pk: {(t.kind, t.code) for t in c.tags.all()} for c in cases}
    all_tags = list(Tag.objects.order_by("position"))

    def tag_rows(kind: str) -> list[Row]:
        rows = []
        for tag in (t for t in all_tags if t.kind == kind):
            holders = [c for c in cases if (kind, tag.code) in keys[c.pk]]
            row = Row(tag.code, tag.label, len(holders), cases=[c.number for c in holders])
            if kind == "operation":
                row.close = sum(c.form == "close" for c in holders)
                row.loose = sum(c.form == "loose" for c in holders)
                published = REPORT["operation"].get(tag.code)
                if published:
                    row.report, row.report_close, row.report_loose = published
                    reason = f"本文（①～⑥）に{tag.label}にあたる取組の記載がない"
                    for form, report in (("close", row.report_close), ("loose", row.report_loose)):
                        pool = [c for c in cases if c.form == form]
                        mine = [c for c in holders if c.form == form]
                        gap = _gap(kind, tag.code, tag.label, form, report, mine, pool, reason)
                        if gap and not include_local:
                            row.gaps.append(gap)
            else:
                row.report = REPORT[kind].get(tag.code)
            rows.append(row)
        return rows

    across = [c for c in cases if c.area_scope == "cross_prefecture"]
    within = [c for c in cases if c.area_scope != "cross_prefecture"]
    area_rows = [
        Row(
            "within",
            "同一都道府県内の連携",
            len(within),
            REPORT["area"]["within"],
            cases=[c.number for c in within],
        ),
        Row(
            "across",
            "複数の都道府県にまたがる連携",
            len(across),
            REPORT["area"]["across"],
            cases=[c.number for c in across],
        ),
    ]
    gap = _gap(
        "area",
        "across",
        "複数の都道府県にまたがる連携",
        "",
        REPORT["area"]["across"],
        across,
        cases,
        "本文・図表2-2とも、参加法人の所在地は1都道府県内しか確認できない",
    )
    if gap and not include_local:
        area_rows[1].gaps.append(gap)
    member_rows = []
    for code, label, low, high in MEMBER_ROWS:
        holders = [c for c in cases if c.member_count and low <= c.member_count <= high]
        member_rows.append(
            Row(
                code,
                label,
                len(holders),
                REPORT["members"][code],
                cases=[c.number for c in holders],
            )
        )
    unknown = [c for c in cases if not c.member_count]
    member_rows.append(
        Row("none", "記載なし・区分外", len(unknown), 1, cases=[c.number for c in unknown])
    )

    tables = [
        Table("origin", "協働化のきっかけ（関係性）", tag_rows("origin"), EXPLANATIONS["general"]),
        Table("reason", "協働化を実施する主な理由", tag_rows("reason"), EXPLANATIONS["general"]),
        Table("area", "協働化のエリア", area_rows, EXPLANATIONS["area"]),
        Table(
            "operation",
            "協働内容（社会福祉連携推進業務ほか）",
            tag_rows("operation"),
            EXPLANATIONS["general"],
        ),
        Table("members", "参加法人数", member_rows, EXPLANATIONS["members"]),
    ]

    per_prefecture: dict[str, list[int]] = {}
    for case in cases:
        for prefecture in case.prefectures.all():
            per_prefecture.setdefault(prefecture.name, []).append(case.number)
    prefectures: list[dict[str, Any]] = [
        {
            "code": p.code,
            "name": p.name,
            "short": p.name if p.name == "北海道" else p.name[:-1],
            "count": len(per_prefecture.get(p.name, [])),
            "cases": per_prefecture.get(p.name, []),
            "level": _level(len(per_prefecture.get(p.name, [])), per_prefecture),
            **TILE_POSITIONS[p.name],
        }
        for p in Prefecture.objects.order_by("code")
    ]
    return Stats(
        total=len(cases),
        include_local=include_local,
        tables=tables,
        prefectures=prefectures,
        max_per_prefecture=max([1, *(p["count"] for p in prefectures)]),
    )


def _level(count: int, per_prefecture: dict) -> int:
    """Colour step 0–4 of a prefecture on the map."""
    top = max([1, *(len(v) for v in per_prefecture.values())])
    return 0 if count == 0 else max(1, min(4, -(-count * 4 // top)))


# A tile-grid map of Japan drawn by our own code: one square per prefecture, placed roughly
# where it lies (column x from west to east, row y from north to south).
_TILES = (
    (0, [("北海道", 12)]),
    (1, [("青森県", 12)]),
    (2, [("秋田県", 11), ("岩手県", 12)]),
    (3, [("石川県", 7), ("富山県", 8), ("新潟県", 10), ("山形県", 11), ("宮城県", 12)]),
    (
        4,
        [
            ("福井県", 7),
            ("岐阜県", 8),
            ("長野県", 9),
            ("群馬県", 10),
            ("栃木県", 11),
            ("福島県", 12),
        ],
    ),
    (
        5,
        [
            ("島根県", 3),
            ("鳥取県", 4),
            ("兵庫県", 5),
            ("京都府", 6),
            ("滋賀県", 7),
            ("愛知県", 8),
            ("山梨県", 9),
            ("埼玉県", 10),
            ("茨城県", 11),
        ],
    ),
    (
        6,
        [
            ("山口県", 2),
            ("広島県", 3),
            ("岡山県", 4),
            ("大阪府", 5),
            ("奈良県", 6),
            ("三重県", 7),
            ("静岡県", 8),
            ("神奈川県", 9),
            ("東京都", 10),
            ("千葉県", 11),
        ],
    ),
    (7, [("佐賀県", 0), ("福岡県", 1), ("愛媛県", 3), ("香川県", 4), ("和歌山県", 5)]),
    (8, [("長崎県", 0), ("熊本県", 1), ("大分県", 2), ("高知県", 3), ("徳島県", 4)]),
    (9, [("鹿児島県", 1), ("宮崎県", 2)]),
    (10, [("沖縄県", 0)]),
)
TILE = 52
TILE_POSITIONS = {
    name: {
        "x": x * TILE + 4,
        "y": y * TILE + 4,
        "cx": x * TILE + 4 + TILE // 2 - 2,
        "cy": y * TILE + 4,
    }
    for y, row in _TILES
    for name, x in row
}
MAP_WIDTH = 13 * TILE + 8
MAP_HEIGHT = 11 * TILE + 8
