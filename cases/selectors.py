"""Reads of the case library, one function per page; each runs a fixed number of queries."""

import difflib
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cases.filters import MEMBER_BANDS, SORTS, CaseFilter, member_band_q
from cases.models import AreaScope, Case, Form, Prefecture, Region, Tag
from cases.similarity import Match, Profile, profile_of, rank
from portal.text import normalize, search_terms

PAGE_SIZE = 20
FACET_ORDER = (
    "form",
    "legal_form",
    "region",
    "prefecture",
    "area",
    "operation",
    "reason",
    "members",
)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def has_selection(self) -> bool:
        return any(v.selected for v in self.values)


@dataclass
class CaseBrowse:
    filter: CaseFilter
    page: Page
    total: int
    facets: list[Facet]
    query: str
    terms: list[str]
    sort: str
    sorts: tuple = SORTS


def _choices(tags: list[Tag], prefectures: list[Prefecture], legal_forms: list[str]) -> dict:
    return {
        "legal_form": [(v, v) for v in legal_forms],
        "prefecture": [(p.name, p.name) for p in prefectures],
        "operation": [(t.code, t.label) for t in tags if t.kind == "operation"],
        "reason": [(t.code, t.label) for t in tags if t.kind == "reason"],
    }


def _counts(qs: QuerySet, facet: str) -> dict[str, int]:
    qs = qs.order_by()
    if facet == "form":
        rows = qs.values_list("form").annotate(n=Count("pk", distinct=True))
    elif facet == "legal_form":
        rows = qs.values_list("legal_form").annotate(n=Count("pk", distinct=True))
    elif facet == "area":
        rows = qs.values_list("area_scope").annotate(n=Count("pk", distinct=True))
    elif facet == "region":
        rows = qs.values_list("prefectures__region").annotate(n=Count("pk", distinct=True))
    elif facet == "prefecture":
        rows = qs.values_list("prefectures__name").annotate(n=Count("pk", distinct=True))
    elif facet in ("operation", "reason"):
        rows = (
            qs.filter(tags__kind=facet)
            .values_list("tags__code")
            .annotate(n=Count("pk", distinct=True))
        )
    else:  # members
        totals = qs.aggregate(
            **{
                f"band_{i}": Count("pk", filter=member_band_q(code), distinct=True)
                for i, (code, *_rest) in enumerate(MEMBER_BANDS)
            }
        )
        return {code: totals[f"band_{i}"] for i, (code, *_rest) in enumerate(MEMBER_BANDS)}
    return {key: n for key, n in rows if key is not None}


def case_browse(*, params: QueryDict, user) -> CaseBrowse:
    """The /cases/ page: filtered, sorted, paginated cases with counts for every facet value."""
    base = Case.objects.visible_to(user)
    tags = list(Tag.objects.filter(kind__in=["operation", "reason"]))
    prefectures = list(Prefecture.objects.filter(cases__in=base).distinct().order_by("code"))
    legal_forms = list(base.order_by("legal_form").values_list("legal_form", flat=True).distinct())
    choices = _choices(tags, prefectures, legal_forms)
    case_filter = CaseFilter(params, queryset=base, choices=choices)
    results = case_filter.qs if case_filter.is_valid() else base.none()
    if not params.get("sort"):
        results = results.order_by("number")
    results = results.prefetch_related(
        "prefectures", Prefetch("tags", queryset=Tag.objects.order_by("kind", "position"))
    )
    paginator = Paginator(results, PAGE_SIZE)
    page = paginator.get_page(params.get("page"))

    labels = {
        "form": dict(Form.choices),
        "legal_form": {v: v for v in legal_forms},
        "region": dict(Region.choices),
        "prefecture": {p.name: p.name for p in prefectures},
        "area": dict(AreaScope.choices),
        "operation": dict(choices["operation"]),
        "reason": dict(choices["reason"]),
        "members": {code: label for code, label, *_ in MEMBER_BANDS},
    }
    facets = []
    for name in FACET_ORDER:
        others = params.copy()
        others.pop(name, None)
        others.pop("page", None)
        others_filter = CaseFilter(others, queryset=base, choices=choices)
        qs = others_filter.qs if others_filter.is_valid() else base.none()
        counts = _counts(qs, name)
        selected = set(params.getlist(name))
        facet = Facet(name=name, label=case_filter.filters[name].label)
        for value, label in labels[name].items():
            count = counts.get(value, 0)
            if count or value in selected:
                facet.values.append(FacetValue(value, label, count, value in selected))
        facets.append(facet)
    query = params.get("q", "").strip()
    return CaseBrowse(
        filter=case_filter,
        page=page,
        total=paginator.count,
        facets=facets,
        query=query,
        terms=search_terms(query),
        sort=params.get("sort", "number"),
    )


def case_export(*, params: QueryDict, user) -> QuerySet:
    """The cases the list page would show for these filters, all pages, for an export."""
    from cases.exports import export_queryset

    base = Case.objects.visible_to(user)
    tags = list(Tag.objects.filter(kind__in=["operation", "reason"]))
    prefectures = list(Prefecture.objects.all())
    legal_forms = list(base.order_by("legal_form").values_list("legal_form", flat=True).distinct())
    case_filter = CaseFilter(
        params, queryset=base, choices=_choices(tags, prefectures, legal_forms)
    )
    return export_queryset(case_filter.qs if case_filter.is_valid() else base.none())


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(
        "prefectures", Prefetch("tags", queryset=Tag.objects.order_by("kind", "position"))
    )


def case_similar(*, case: Case, user, top: int = 5) -> list[Match]:
    """Cases most like this one, each with why (form, operations, reasons, size, area)."""
    candidates = _with_relations(Case.objects.visible_to(user).published())
    return rank(profile_of(case), candidates, exclude=case.pk, top=top)


def case_like_mine(*, profile: Profile, user, top: int = 10) -> list[Match]:
    return rank(profile, _with_relations(Case.objects.visible_to(user)), top=top)


def case_compare(*, numbers: list[int], user) -> list[Case]:
    """The chosen cases in the order asked; unknown or hidden numbers are left out."""
    found = {
        c.number: c
        for c in _with_relations(Case.objects.visible_to(user)).filter(number__in=numbers)
    }
    return [found[n] for n in numbers if n in found]


def case_choices(*, user) -> list[tuple[int, str]]:
    return [
        (number, f"事例{number} {name}")
        for number, name in Case.objects.visible_to(user).values_list("number", "name")
    ]


def case_detail(*, number: int, user) -> Case:
    case = (
        Case.objects.visible_to(user)
        .prefetch_related(
            "prefectures", Prefetch("tags", queryset=Tag.objects.order_by("kind", "position"))
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404("事例が見つかりません。")
    return case


# --- Search snippets ------------------------------------------------------------------------
def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise character by character, remembering where each normalised char came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for n in normalize(char) or (" " if char.isspace() else ""):
            out.append(n)
            origin.append(i)
    return "".join(out), origin


def highlight_snippet(text: str, terms: list[str], width: int = 45) -> SafeString | None:
    """The part of `text` around the first match, with every matched term in <mark>."""
    if not text or not terms:
        return None
    normalized, origin = _normalized_with_map(text)
    spans = []
    for term in terms:
        start = normalized.find(term)
        while start != -1:
            end = start + len(term) - 1
            spans.append((origin[start], origin[end] + 1))
            start = normalized.find(term, start + 1)
    if not spans:
        return None
    spans.sort()
    first = spans[0][0]
    lo, hi = max(0, first - width), min(len(text), first + width * 2)
    pieces = ["…" if lo > 0 else ""]
    cursor = lo
    for start, end in spans:
        if start < cursor or start >= hi:
            continue
        pieces.append(conditional_escape(text[cursor:start]))
        pieces.append(format_html("<mark>{}</mark>", text[start:end]))
        cursor = end
    pieces.append(conditional_escape(text[cursor:hi]))
    pieces.append("…" if hi < len(text) else "")
    return mark_safe("".join(str(p) for p in pieces))  # noqa: S308 - every piece escaped above


def case_snippet(case: Case, terms: list[str]) -> dict | None:
    """Where in the case the search matched: the first field with a hit, and its snippet."""
    fields = [("概要", case.summary)] + [
        (f"{stage['mark']}{stage['title']}", stage["text"]) for stage in case.stages
    ]
    fields += [("名称", case.name)]
    for label, text in fields:
        snippet = highlight_snippet(text, terms)
        if snippet:
            return {"label": label, "html": snippet}
    return None


# --- History for curation -------------------------------------------------------------------
def _display(case_field, value, tags: dict, prefectures: dict) -> str:
    if case_field == "tags":
        return "、".join(sorted(tags.get(row["tag"], "?") for row in value or []))
    if case_field == "prefectures":
        return "、".join(sorted(prefectures.get(row["prefecture"], "?") for row in value or []))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if value in (None, ""):
        return "（なし）"
    choices = getattr(Case._meta.get_field(case_field), "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def _marked_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts with the changed characters wrapped in <del> (old) and <ins> (new)."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    old_parts, new_parts = [], []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            old_parts.append(conditional_escape(old[a1:a2]))
            new_parts.append(conditional_escape(new[b1:b2]))
            continue
        if a2 > a1:
            old_parts.append(format_html("<del>{}</del>", old[a1:a2]))
        if b2 > b1:
            new_parts.append(format_html("<ins>{}</ins>", new[b1:b2]))
    return (
        mark_safe("".join(str(p) for p in old_parts)),  # noqa: S308 - pieces escaped above
        mark_safe("".join(str(p) for p in new_parts)),  # noqa: S308
    )


def case_history(*, case: Case) -> list[dict]:
    """Each saved version, newest first, with who, when, why and what changed field by field."""
    records = list(
        case.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    tags = {t.pk: f"{t.get_kind_display()}：{t.label}" for t in Tag.objects.all()}
    prefectures = {p.code: p.name for p in Prefecture.objects.all()}
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(
                previous, excluded_fields=["search_text", "updated_at", "created_at"]
            )
            for change in delta.changes:
                label = getattr(Case._meta.get_field(change.field), "verbose_name", change.field)
                old = _display(change.field, change.old, tags, prefectures)
                new = _display(change.field, change.new, tags, prefectures)
                old_html, new_html = _marked_diff(old, new)
                changes.append({"label": str(label), "old": old_html, "new": new_html})
        entries.append(
            {
                "record": record,
                "user": record.history_user.full_name if record.history_user else "システム",
                "reason": record.history_change_reason or ("作成" if previous is None else "更新"),
                "changes": changes,
                "is_current": index == 0,
            }
        )
    return entries
