"""Reads of the case library, one function per page; each runs a fixed number of queries."""

import difflib
import functools
import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet, Value
from django.http import Http404, QueryDict
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cases.filters import MEMBER_BANDS, SORTS, CaseFilter
from cases.models import AreaScope, Case, Form, Prefecture, Region, Status, Tag
from cases.similarity import Entry, Match, Profile, profile_of, rank, rank_entries
from cases.state import library_state
from portal.access import can_curate_cases
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
class FilterChip:
    """One active filter, and the query string of the list without it (a link that removes it)."""

    facet: str
    label: str
    without: QueryDict


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
    chips: list[FilterChip] = field(default_factory=list)


def _chips(params: QueryDict, facets: list[Facet]) -> list[FilterChip]:
    chips = []
    for facet in facets:
        for v in facet.values:
            if v.selected:
                without = params.copy()
                without.setlist(facet.name, [x for x in params.getlist(facet.name) if x != v.value])
                without.pop("page", None)
                chips.append(FilterChip(facet.label, v.label, without))
    return chips


def _choices(tags: list[Tag], prefectures: list[Prefecture], legal_forms: list[str]) -> dict:
    return {
        "legal_form": [(v, v) for v in legal_forms],
        "prefecture": [(p.name, p.name) for p in prefectures],
        "operation": [(t.code, t.label) for t in tags if t.kind == "operation"],
        "reason": [(t.code, t.label) for t in tags if t.kind == "reason"],
    }


@dataclass
class _Entry:
    """What faceting needs to know of one case, held in memory for the page."""

    number: int
    sort_keys: dict
    values: dict[str, set[str]]
    text: str = ""  # the normalised search text (Case.search_text)
    prefecture_names: list[str] = field(default_factory=list)  # in code order, as the card lists
    operation_labels: list[str] = field(default_factory=list)  # in the taxonomy's order


def _member_bands(count: int | None) -> set[str]:
    bands = set()
    for code, _label, low, high in MEMBER_BANDS:
        if low is None:
            if count is None:
                bands.add(code)
        elif count is not None and count >= low and (high is None or count <= high):
            bands.add(code)
    return bands


@dataclass
class _LibraryIndex:
    """What the list page needs of every case one audience sees, with the tags it facets on."""

    tags: list[Tag]
    entries: dict[int, _Entry]
    prefecture_codes: dict[str, str]  # name → JIS code, for ordering the prefecture facet


# The latest index per audience, in this process: it is read whole for every list, and a pickled
# copy in a shared cache would cost more to load than the entries it holds (2,000 cases with
# their search texts: ≈2 MB).
_INDEXES: dict[str, tuple[str, _LibraryIndex]] = {}


def _library_index(base: QuerySet, audience: str) -> _LibraryIndex:
    """The index of `base` (the cases this audience sees) for the library's current state: four
    queries when the state is new to this process, none otherwise."""
    state = library_state()
    held = _INDEXES.get(audience)
    if held is not None and held[0] == state:
        return held[1]
    index = _build_index(base)
    _INDEXES[audience] = (state, index)
    return index


def _build_index(base: QuerySet) -> _LibraryIndex:
    """Four queries: the tag labels, the cases, and the prefecture (with the prefecture's name and
    region) and tag links read straight from the link tables, matched to the cases in memory."""
    tags = list(Tag.objects.filter(kind__in=["operation", "reason"]).order_by("position"))
    entries = {}
    rows = base.values_list(
        "pk",
        "number",
        "form",
        "legal_form",
        "area_scope",
        "member_count",
        "founded_year",
        "name_kana",
        "search_text",
    )
    for pk, number, form, legal_form, area, members, founded, kana, text in rows:
        entries[pk] = _Entry(
            number=number,
            text=text,
            sort_keys={
                "number": number,
                "founded_year": founded,
                "member_count": members,
                "name_kana": kana,
            },
            values={
                "form": {form},
                "legal_form": {legal_form},
                "area": {area},
                "members": _member_bands(members),
                "region": set(),
                "prefecture": set(),
                "operation": set(),
                "reason": set(),
            },
        )
    prefecture_codes = {}
    places = Case.prefectures.through.objects.values_list(
        "case_id", "prefecture_id", "prefecture__name", "prefecture__region"
    )
    for case_id, code, name, region in places.order_by("prefecture_id"):
        entry = entries.get(case_id)
        if entry is not None:
            entry.values["prefecture"].add(name)
            entry.values["region"].add(region)
            entry.prefecture_names.append(name)
            prefecture_codes[name] = code
    by_id = {t.pk: t for t in tags}
    links = Case.tags.through.objects.filter(tag_id__in=list(by_id)).values_list(
        "case_id", "tag_id"
    )
    for case_id, tag_id in links.order_by("tag__position", "tag_id"):
        entry = entries.get(case_id)
        if entry is not None:
            tag = by_id[tag_id]
            entry.values[tag.kind].add(tag.code)
            if tag.kind == "operation":
                entry.operation_labels.append(tag.label)
    return _LibraryIndex(tags=tags, entries=entries, prefecture_codes=prefecture_codes)


def _sorted(entries: list[_Entry], sort: str) -> list[_Entry]:
    key = sort.lstrip("-")
    present = [e for e in entries if e.sort_keys[key] is not None]
    missing = [e for e in entries if e.sort_keys[key] is None]
    present.sort(key=lambda e: (e.sort_keys[key], e.number), reverse=sort.startswith("-"))
    return present + sorted(missing, key=lambda e: e.number)  # unknown values last


def case_browse(*, params: QueryDict, user) -> CaseBrowse:
    """The /cases/ page: filtered, sorted, paginated cases with counts for every facet value.

    Search and facets are applied in memory to one compact index of every case the user sees
    (with its search text), built once per library state and process (four queries), so the page
    runs at most five queries whatever the filters, and one once the index is held: the page's
    cases (their prefectures and operations are the index's).
    """
    base = Case.objects.visible_to(user)
    query = params.get("q", "").strip()
    index = _library_index(base, "staff" if can_curate_cases(user) else "public")
    tags = index.tags
    entries = index.entries
    if query:
        # CaseQuerySet.matching's rule (every term is in the normalised text) on the texts held in
        # the index: 2,000 cases take ~1 ms here, and a sequential scan in SQL ~19 ms, as terms of
        # two characters (災害, 研修) cannot use the trigram index.
        terms = search_terms(query)
        entries = {pk: e for pk, e in entries.items() if all(t in e.text for t in terms)}
    legal_forms = sorted({v for e in entries.values() for v in e.values["legal_form"]})
    named = {name for e in entries.values() for name in e.values["prefecture"]}
    prefectures = sorted(named, key=lambda name: index.prefecture_codes[name])
    choices = {
        "legal_form": [(v, v) for v in legal_forms],
        "prefecture": [(p, p) for p in prefectures],
        "operation": [(t.code, t.label) for t in tags if t.kind == "operation"],
        "reason": [(t.code, t.label) for t in tags if t.kind == "reason"],
    }
    case_filter = CaseFilter(params, queryset=base, choices=choices)
    valid = case_filter.is_valid()
    data = case_filter.form.cleaned_data if valid else {}
    selected = {name: set(data.get(name) or []) for name in FACET_ORDER}
    active = [name for name in FACET_ORDER if selected[name]]

    results: list[_Entry] = []
    counts: dict[str, dict[str, int]] = {name: {} for name in FACET_ORDER}
    for entry in entries.values():
        failed = [name for name in active if not entry.values[name] & selected[name]]
        if not failed:
            results.append(entry)
        if len(failed) > 1:
            continue
        # A facet's counts ignore its own selection (OR within it) but honour every other one.
        for name in failed or FACET_ORDER:
            for value in entry.values[name]:
                counts[name][value] = counts[name].get(value, 0) + 1
    if not valid:
        results = []
    sort = params.get("sort") or "number"
    if sort not in {value for value, _label in SORTS}:
        sort = "number"
    paginator = Paginator(_sorted(results, sort), PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    # One query for the page's cases; their prefectures and operations come from the index.
    shown = {e.number: e for e in page.object_list}
    cards = {c.number: c for c in Case.objects.filter(number__in=list(shown))}
    for number, case in cards.items():
        case.prefecture_names = shown[number].prefecture_names
        case.operation_labels = shown[number].operation_labels
    page.object_list = [cards[n] for n in shown]

    labels = {
        "form": dict(Form.choices),
        "legal_form": dict(choices["legal_form"]),
        "region": dict(Region.choices),
        "prefecture": dict(choices["prefecture"]),
        "area": dict(AreaScope.choices),
        "operation": dict(choices["operation"]),
        "reason": dict(choices["reason"]),
        "members": {code: label for code, label, *_ in MEMBER_BANDS},
    }
    facets = []
    for name in FACET_ORDER:
        chosen = set(params.getlist(name))
        facet = Facet(name=name, label=case_filter.filters[name].label)
        for value, label in labels[name].items():
            count = counts[name].get(value, 0)
            if count or value in chosen:
                facet.values.append(FacetValue(value, label, count, value in chosen))
        facets.append(facet)
    return CaseBrowse(
        filter=case_filter,
        page=page,
        total=paginator.count,
        facets=facets,
        query=query,
        terms=search_terms(query),
        sort=sort,
        chips=_chips(params, facets),
    )


def case_browse_cache_key(*, params: QueryDict, user) -> str:
    """Names one rendering of the list for this audience; it is kept under the library's version
    (cases.state.LIBRARY.read/store), so any change to any case renews it."""
    audience = "staff" if can_curate_cases(user) else "public"
    items = sorted((key, value) for key in params for value in params.getlist(key) if key != "page")
    raw = f"{audience}|{items}|{params.get('page', '1')}"
    return "cases:browse:" + hashlib.sha256(raw.encode()).hexdigest()


def case_page_cache_key(*, number: int, user) -> str:
    """Names one rendering of a case page for this audience; kept under the library's version, as
    its similar cases change with any case."""
    audience = "staff" if can_curate_cases(user) else "public"
    return f"cases:page:{audience}:{number}"


def case_document_cache_key(*, number: int) -> str:
    """Names the whole case page as a plain visitor (no login, session or messages) gets it; kept
    under the library's version."""
    return f"cases:document:{number}"


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


SIMILAR_CACHE_SECONDS = 600


def _similarity_index() -> list[Entry]:
    """Every published case as a light profile: two queries (cases, then tag and prefecture links
    in one UNION), instead of every case with its prefectures and tags as model instances."""
    rows = Case.objects.published().values_list(
        "pk", "number", "name", "form", "member_count", "area_scope"
    )
    tag_links = Case.tags.through.objects.filter(case__status="published").values_list(
        "case_id", "tag__kind", "tag__code", "tag__label", "tag__position"
    )
    prefecture_links = Case.prefectures.through.objects.filter(
        case__status="published"
    ).values_list(
        "case_id", Value("prefecture"), "prefecture__name", "prefecture__region", Value(0)
    )
    tags: dict[int, list[tuple[str, int, str, str]]] = {}
    places: dict[int, list[tuple[str, str]]] = {}
    for case_id, kind, code, label, pos in tag_links.union(prefecture_links, all=True):
        if kind == "prefecture":
            places.setdefault(case_id, []).append((code, label))
        else:
            tags.setdefault(case_id, []).append((kind, pos, code, label))
    entries = []
    for pk, number, name, form, member_count, area_scope in rows:
        own = sorted(tags.get(pk, []))
        profile = Profile(
            form=form,
            operations=frozenset(code for kind, _, code, _ in own if kind == "operation"),
            reasons=frozenset(code for kind, _, code, _ in own if kind == "reason"),
            member_count=member_count,
            prefectures=frozenset(name for name, _ in places.get(pk, [])),
            regions=frozenset(region for _, region in places.get(pk, [])),
            area_scope=area_scope,
        )
        light = Case(pk=pk, number=number, name=name)
        entries.append(
            Entry(case=light, profile=profile, tags=tuple((k, c, lab) for k, _, c, lab in own))
        )
    return entries


def case_similar(*, case: Case, user, top: int = 5) -> list[Match]:
    """Published cases most like this one, each with why (form, operations, reasons, size, area).

    The answer is cached per case and library state; computing it reads the light index (itself
    cached) rather than every case with its relations.
    """
    state = library_state()
    key = f"cases:similar:{state}:{case.pk}:{top}"
    found = cache.get(key)
    if found is None:
        index_key = f"cases:similarity-index:{state}"
        entries = cache.get(index_key)
        if entries is None:
            entries = _similarity_index()
            cache.set(index_key, entries, SIMILAR_CACHE_SECONDS)
        found = rank_entries(profile_of(case), entries, exclude=case.pk, top=top)
        cache.set(key, found, SIMILAR_CACHE_SECONDS)
    return found


def case_like_mine(*, profile: Profile, user, top: int = 10) -> list[Match]:
    return rank(profile, _with_relations(Case.objects.visible_to(user)), top=top)


def cases_like(*, form: str, operations: frozenset[str], user, top: int = 3) -> list[Match]:
    """Cases nearest to a collaboration of this form doing these operations (another app's help
    pages ask this, without knowing how similarity is scored)."""
    return case_like_mine(profile=Profile(form=form, operations=operations), user=user, top=top)


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


def case_withdrawn(*, number: int) -> Case | None:
    """The case with this number if it was once published and has since been taken back to a
    draft: visitors who follow an old link are told so (410) rather than shown a bare 404. A draft
    that was never published stays unknown to them."""
    case = Case.objects.filter(number=number).exclude(status=Status.PUBLISHED).first()
    if case is None or not case.history.filter(status=Status.PUBLISHED).exists():
        return None
    return case


# --- Search snippets ------------------------------------------------------------------------
@functools.lru_cache(maxsize=8192)
def _normalized_char(char: str) -> str:
    return normalize(char) or (" " if char.isspace() else "")


def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise character by character, remembering where each normalised char came from."""
    origin: list[int] = []
    for i, char in enumerate(text):
        origin.extend([i] * len(_normalized_char(char)))
    return "".join(map(_normalized_char, text)), origin


def highlight_snippet(text: str, terms: list[str], width: int = 45) -> SafeString | None:
    """The part of `text` around the first match, with every matched term in <mark>."""
    if not text or not terms:
        return None
    # The same character-by-character text, without the map: most fields do not match at all.
    if not any(term in "".join(map(_normalized_char, text)) for term in terms):
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
                previous, excluded_fields=["search_text", "updated_at", "created_at", "version"]
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


# --- Figures for a period (the prefectural report, the dashboard) ----------------------------------
@dataclass
class LibraryFigures:
    published: int
    from_report: int
    local: int
    close: int
    loose: int
    local_added: int  # local cases added within the period
    operations: list[tuple[str, int]]  # (operation label, cases doing it)


def library_figures(period) -> LibraryFigures:
    """The case library's published cases, counted once for every page and file that shows them."""
    from cases.models import SourceKind
    from cases.stats import stats_of

    cases = list(
        Case.objects.published().prefetch_related("tags", "prefectures").order_by("number")
    )
    operation = next(t for t in stats_of(cases, include_local=True).tables if t.key == "operation")
    return LibraryFigures(
        published=len(cases),
        from_report=sum(c.source_kind == SourceKind.REPORT for c in cases),
        local=sum(c.source_kind == SourceKind.LOCAL for c in cases),
        close=sum(c.form == Form.CLOSE for c in cases),
        loose=sum(c.form == Form.LOOSE for c in cases),
        local_added=sum(
            c.source_kind == SourceKind.LOCAL and period.since <= c.created_at < period.until
            for c in cases
        ),
        operations=[(r.label, r.ours) for r in operation.rows],
    )


def case_recent_public(*, limit: int = 4) -> list[Case]:
    """The most recently updated published cases, for the public landing page."""
    return list(Case.objects.published().order_by("-updated_at", "-number")[:limit])


def case_public_state() -> str:
    """Changes whenever a case is published, withdrawn or edited (the landing page's cache key)."""
    return library_state()
