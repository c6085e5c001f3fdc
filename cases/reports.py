"""The public case book (公開事例集) as a PDF report job: published cases only, library filters."""

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from cases import exports
from cases.filters import MEMBER_BANDS
from cases.models import AreaScope, Case, Form, Region, SourceKind, Tag
from cases.selectors import FACET_ORDER, case_export
from cases.stats import stats_of
from portal import jobs
from portal.charts import bar_chart
from portal.pdf import html_to_pdf, render_report_html
from portal.taxonomy import LOOSE_STAGE_TITLES, STAGES, STEPS

KIND = "casebook"
LABEL = "公開事例集（PDF）"
# The library's filters that make sense for a printed book (the page number and sort do not).
FILTER_KEYS = ("q", *FACET_ORDER)


def clean_params(params) -> dict:
    """Keep the library filters of a query (QueryDict or dict of lists) in a stable order."""
    out = {}
    for key in FILTER_KEYS:
        values = params.getlist(key) if hasattr(params, "getlist") else params.get(key, [])
        if isinstance(values, str):
            values = [values]
        values = sorted({str(v).strip() for v in values if str(v).strip()})
        if values:
            out[key] = values
    return out


def describe(params: dict) -> str:
    """The filters in words, e.g. 「連携の形態：緩やかな連携／都道府県：長野県」."""
    params = clean_params(params)
    if not params:
        return "公開中のすべての事例"
    tags = {(t.kind, t.code): t.label for t in Tag.objects.all()}
    names = {
        "form": ("連携の形態", dict(Form.choices)),
        "legal_form": ("法人格・組織形態", {}),
        "region": ("地方", dict(Region.choices)),
        "prefecture": ("都道府県", {}),
        "area": ("連携の範囲", dict(AreaScope.choices)),
        "operation": (
            "協働内容",
            {c: tags.get(("operation", c), c) for c in params.get("operation", [])},
        ),
        "reason": (
            "協働化の理由",
            {c: tags.get(("reason", c), c) for c in params.get("reason", [])},
        ),
        "members": ("参加法人数", {code: label for code, label, *_ in MEMBER_BANDS}),
    }
    parts = []
    if "q" in params:
        parts.append("キーワード：" + " ".join(params["q"]))
    for key, (label, choices) in names.items():
        if key in params:
            parts.append(label + "：" + "・".join(choices.get(v, v) for v in params[key]))
    return "／".join(parts)


def casebook_cases(params: dict) -> list[Case]:
    """Published cases only, whoever asks: the book is a public document."""
    query = jobs.params_querydict(clean_params(params))
    return list(case_export(params=query, user=AnonymousUser()))


def _makeup(case: Case) -> str:
    """The member breakdown in words, left out when it would only repeat the total."""
    parts = case.member_makeup or []
    if len(parts) == 1 and parts[0].get("count") in (None, case.member_count):
        return ""
    return "、".join(f"{p['kind']} {p['count']}" if p.get("count") else p["kind"] for p in parts)


# Short names of the operations for the one-page list of cases (its note spells them out).
SHORT_OPERATIONS = {
    "community": "地域福祉",
    "disaster": "災害",
    "management": "経営",
    "lending": "貸付",
    "workforce": "人材",
    "supplies": "物資",
    "backoffice": "事務効率化",
}


# Which of a case's counts the list of cases shows: corporations first, then sites.
UNIT_PREFERENCE = ("法人", "施設", "事業所")


def members_label(case: Case) -> str:
    """「6法人」, 「10団体」, 「17法人程度」 or 「9施設」: the count in the report's own unit (the facts
    box gives every count with its source), or 「—」 where the report gives no count."""
    counts = list(case.counts or [])
    if case.member_count is not None:
        same = [c for c in counts if str(c.get("value")) == str(case.member_count)]
        counts = same or [{"value": case.member_count, "unit": "法人"}]
    if not counts:
        return "—"

    def rank(count: dict) -> int:
        unit = count.get("unit", "")
        return UNIT_PREFERENCE.index(unit) if unit in UNIT_PREFERENCE else len(UNIT_PREFERENCE)

    count = counts[0] if case.member_count is not None else min(counts, key=rank)
    return f"{count['value']}{count.get('unit', '')}{'程度' if count.get('approx') else ''}"


def case_url(case: Case, base_url: str) -> str:
    """The case's page on the portal; empty where the portal has no public address."""
    return exports.case_url(case, base_url) if base_url else ""


def qr_svg(url: str, label: str) -> SafeString:
    """The URL as an inline SVG QR code; its <title> becomes the PDF figure's /Alt."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass=None, title=label
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 (segno's own SVG)


def _chapters(cases: list[Case], base_url: str) -> list[dict]:
    chapters = []
    for case in cases:
        tags = list(case.tags.all())
        stages = case.stages
        url = case_url(case, base_url)
        # The organisation's own site where the report names one (Case.url, 「公開URL」).
        website = (getattr(case, "website", "") or case.url or "").strip()
        chapters.append(
            {
                "case": case,
                "anchor": f"case-{case.number}",
                "prefectures": "・".join(p.name for p in case.prefectures.all()),
                "prefecture_names": [p.name for p in case.prefectures.all()],
                "members": members_label(case),
                "url": url,
                "qr": qr_svg(url, f"事例{case.number}のポータルページ {url} のQRコード")
                if url
                else "",
                "website": website,
                "makeup": _makeup(case),
                "operations": [t.label for t in tags if t.kind == "operation"],
                "list_operations": [
                    SHORT_OPERATIONS.get(t.code, t.label) for t in tags if t.kind == "operation"
                ],
                "reasons": [t.label for t in tags if t.kind == "reason"],
                "origins": [t.label for t in tags if t.kind == "origin"],
                "effects": [t.label for t in tags if t.kind == "effect"],
                "steps": [
                    {"number": n, "label": label, "stages": [s for s in stages if s["step"] == n]}
                    for n, label in STEPS.items()
                ],
            }
        )
    return chapters


def _charts(stats, compare: bool) -> list[dict]:
    charts = []
    for number, table in enumerate(stats.tables, start=2):  # 図1 is the map
        rows = [(r.label, r.ours, r.report if compare else None) for r in table.rows]
        charts.append(
            {
                "table": table,
                "number": number,
                "chart": bar_chart(rows, unit="件"),
                "caption": f"{table.title}別の事例数（件）"
                + ("　塗りの棒：本書の事例／枠の棒：報告書の集計" if compare else ""),
            }
        )
    return charts


def _index(chapters: list[dict], key: str, order: list[str] | None = None) -> list[dict]:
    """Index entries (label → the cases that carry it), in the taxonomy's order or by name."""
    entries: dict[str, list[dict]] = {}
    for ch in chapters:
        for label in ch[key]:
            entries.setdefault(label, []).append(ch)
    labels = order if order is not None else sorted(entries)
    return [{"label": label, "chapters": entries[label]} for label in labels if label in entries]


def _tag_order(kind: str) -> list[str]:
    return list(Tag.objects.filter(kind=kind).order_by("position").values_list("label", flat=True))


def _map(stats) -> dict:
    """The tile map of Japan of the statistics page, each tile naming the cases it holds."""
    from cases.stats import MAP_HEIGHT, MAP_WIDTH, TILE

    tiles = []
    for p in stats.prefectures:
        numbers = [str(n) for n in p["cases"]]
        lines = ["・".join(numbers[i : i + 3]) for i in range(0, len(numbers), 3)]
        tiles.append(
            {
                **p,
                "size": TILE - 4,
                "name_x": p["x"] + (TILE - 4) / 2,
                "name_y": p["y"] + 13,
                "lines": [
                    {"text": text, "y": p["y"] + 25 + 10 * i} for i, text in enumerate(lines)
                ],
            }
        )
    described = "、".join(
        f"{p['name']}（事例{'・'.join(str(n) for n in p['cases'])}）"
        for p in stats.prefectures
        if p["cases"]
    )
    return {"tiles": tiles, "width": MAP_WIDTH, "height": MAP_HEIGHT, "described": described}


def _window() -> dict:
    return {
        "address": settings.PORTAL_WINDOW_ADDRESS,
        "phone": settings.PORTAL_WINDOW_PHONE,
        "email": settings.PORTAL_WINDOW_EMAIL,
        "hours": settings.PORTAL_WINDOW_HOURS,
    }


def build_html(params: dict, progress=None) -> tuple[str, list[Case]]:
    cases = casebook_cases(params)
    if not cases:
        raise jobs.JobError(
            "条件に合う公開事例がありません。条件を見直して、もう一度依頼してください。"
        )
    if progress:
        progress(5)
    include_local = any(c.source_kind == SourceKind.LOCAL for c in cases)
    stats = stats_of(cases, include_local=include_local)
    report_cases = Case.objects.published().from_report().count()
    compare = not clean_params(params) and not include_local and len(cases) == report_cases
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    if any(h in base_url for h in ("127.0.0.1", "localhost")):
        base_url = ""  # a QR code readers cannot reach is left out
    chapters = _chapters(cases, base_url)
    charts = _charts(stats, compare)
    html = render_report_html(
        "reports/casebook.html",
        {
            "cases": cases,
            "chapters": chapters,
            "indexes": [
                {
                    "key": "theme",
                    "title": "協働内容（テーマ）から引く",
                    "entries": _index(chapters, "operations", _tag_order("operation")),
                },
                {
                    "key": "reason",
                    "title": "課題（協働化の理由）から引く",
                    "entries": _index(chapters, "reasons", _tag_order("reason")),
                },
                {
                    "key": "prefecture",
                    "title": "都道府県から引く",
                    "entries": _index(
                        chapters, "prefecture_names", [p["name"] for p in stats.prefectures]
                    ),
                },
            ],
            "map": _map(stats),
            "map_figure": 1,
            "window": _window(),
            "conditions": describe(params),
            "filtered": bool(clean_params(params)),
            "stats": stats,
            "charts": charts,
            "compare": compare,
            "stages": STAGES,
            "loose_stage_titles": LOOSE_STAGE_TITLES,
            "steps": STEPS,
            "close_count": sum(c.form == "close" for c in cases),
            "loose_count": sum(c.form == "loose" for c in cases),
            "prefecture_rows": [p for p in stats.prefectures if p["count"]],
        },
    )
    if progress:
        progress(15)
    return html, cases


def prepare(job, progress) -> jobs.Draft:
    html, cases = build_html(job.params, progress)
    return jobs.Draft(
        filename=f"casebook-{timezone.localdate():%Y%m%d}.pdf",
        content_type="application/pdf",
        fingerprint=jobs.fingerprint(KIND, html),
        # About three pages a case, plus the front matter, statistics, indexes and glossary.
        build=lambda progress: html_to_pdf(html, progress, expected_pages=3 * len(cases) + 16),
        title=f"{describe(job.params)}（{len(cases)}事例）",
    )


def register() -> None:
    jobs.register_kind(
        KIND,
        LABEL,
        prepare,
        describe=describe,
        params_from=params_from,
        panel=panel,
        file_label="公開事例集",
    )


def params_from(data, *, user=None) -> dict:
    """The request form (or the library's current filters) as job parameters; bad values refused."""
    from cases.models import Prefecture

    params = clean_params(data)
    allowed = {
        "form": set(Form.values),
        "region": set(Region.values),
        "area": set(AreaScope.values),
        "prefecture": set(Prefecture.objects.values_list("name", flat=True)),
        "operation": set(Tag.objects.filter(kind="operation").values_list("code", flat=True)),
        "reason": set(Tag.objects.filter(kind="reason").values_list("code", flat=True)),
        "members": {code for code, *_ in MEMBER_BANDS},
    }
    for key, values in params.items():
        unknown = [v for v in values if key in allowed and v not in allowed[key]]
        if unknown:
            raise jobs.JobError(f"事例集の条件に使えない値があります：{'、'.join(unknown)}")
    if len(" ".join(params.get("q", []))) > 100:
        raise jobs.JobError("キーワードは100文字以内で入力してください。")
    return params


def panel(request) -> dict:
    from cases.models import Prefecture

    prefectures = Prefecture.objects.filter(cases__status="published").distinct().order_by("code")
    # Filters carried over from the case library (/reports/?form=loose&…): the ones this form
    # shows are pre-set, the others travel as hidden fields and are named above the form.
    initial = clean_params(request.GET)
    shown = {"form", "operation", "q"}
    prefecture = (initial.get("prefecture") or [""])[0]
    hidden = [(k, v) for k, values in initial.items() if k not in shown for v in values]
    hidden = [(k, v) for k, v in hidden if not (k == "prefecture" and v == prefecture)]
    return {
        "template": "cases/_report_panel.html",
        "context": {
            "initial": initial,
            "hidden": hidden,
            "prefecture": prefecture,
            "carried": describe(initial) if initial else "",
            "forms": Form.choices,
            "prefectures": [p.name for p in prefectures],
            "operations": list(
                Tag.objects.filter(kind="operation")
                .order_by("position")
                .values_list("code", "label")
            ),
        },
    }
