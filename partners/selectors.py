"""Reads of the registry: the search page, a corporation's page, matching, introductions,
sub-meetings and exports. Each selector owns its queries (a constant number per page)."""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.http import QueryDict
from django.utils import timezone

from partners import catalogue, reference
from partners.access import HIDDEN_NAME, RegistryViewer
from partners.filters import (
    CORPORATION_SORTS,
    ESTABLISHMENT_SORTS,
    CorporationFilter,
    EstablishmentFilter,
)
from partners.grouping import group_reason
from partners.matching import Features, Match, Weights, features_of, rank
from partners.models import (
    INTRODUCTION_FUNNEL,
    Challenge,
    Corporation,
    Establishment,
    ImportRun,
    ImportStatus,
    Introduction,
    IntroductionEvent,
    IntroductionParty,
    IntroductionStatus,
    MatchWeights,
    Municipality,
    ProviderProfile,
    SubMeeting,
    SubMeetingParticipant,
    Theme,
)
from partners.querysets import DECLINED_AT
from portal import providers as links

PAGE_SIZE = 50
COUNT_CAP = 1000
MATCH_POOL = 2000  # nearest corporations scored in full; the rest of the box is too far to matter
MATCH_RADIUS_KM = 60.0
CHOICES_CACHE_SECONDS = 600


# --- Choices of the filter form ---------------------------------------------------------------------
def _choices_key() -> str:
    last = ImportRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"partners:choices:{last}"


def _service_choices(present: list[str]) -> list:
    """The services in the registry, grouped by the catalogue's categories in its order; names
    the catalogue does not know come last under 「その他」."""
    groups: dict[str, list[tuple[str, str]]] = {label: [] for _code, label in catalogue.CATEGORIES}
    order = {s.code: i for i, s in enumerate(catalogue.SERVICES)}
    known: list[tuple[int, str, catalogue.Service]] = []
    other: list[tuple[int, str, None]] = []
    for name in present:
        entry = catalogue.service(name)
        if entry:
            known.append((order[entry.code], name, entry))
        else:
            other.append((0, name, None))
    for _position, name, found in sorted(known, key=lambda item: item[0]):
        groups[found.category_label].append((name, name))
    result: list = [(label, values) for label, values in groups.items() if values]
    if other:
        result.append(("その他", [(name, name) for _p, name, _e in sorted(other)]))
    return result


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Municipalities of the window's prefecture (all of them if it has none), service types,
    challenges and themes; cached until the next import run."""
    key = _choices_key()
    choices = cache.get(key)
    if choices is None:
        places = Municipality.objects.filter(prefecture_name=settings.PORTAL_PREFECTURE)
        if not places.exists():
            places = Municipality.objects.all()
        services = (
            Establishment.objects.order_by("service_type")
            .values_list("service_type", flat=True)
            .distinct()
        )
        choices = {
            "municipality": [(m.code, str(m)) for m in places.order_by("code")],
            "service": _service_choices(list(services)),
            "challenge": list(Challenge.objects.values_list("code", "label")),
            "theme": list(Theme.objects.values_list("code", "label")),
        }
        cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return choices


# --- The search page --------------------------------------------------------------------------------
@dataclass
class RegistryBrowse:
    view: str  # "corporations" or "establishments"
    filter: CorporationFilter | EstablishmentFilter
    page: Page
    total: int
    sorts: tuple
    valid: bool
    capped: bool = False
    cap: str = ""  # COUNT_CAP as the page writes it: 1,000


def _corporation_rows(queryset):
    return queryset.select_related("municipality", "profile")


def _establishment_rows(queryset):
    return queryset.select_related("corporation", "municipality")


def registry_queryset(*, params: QueryDict, viewer: RegistryViewer, view: str | None = None):
    """The filtered (not paginated) rows of the search page, for the page and for exports."""
    view = view or ("establishments" if params.get("view") == "establishments" else "corporations")
    choices = filter_choices()
    if view == "establishments":
        base = Establishment.objects.visible_to(viewer)
        flt: CorporationFilter | EstablishmentFilter = EstablishmentFilter(
            params, queryset=base, choices=choices
        )
    else:
        corporations = Corporation.objects.visible_to(viewer)
        flt = CorporationFilter(params, queryset=corporations, choices=choices)
    valid = flt.is_valid()
    queryset = flt.qs if valid else flt.queryset.none()
    if not params.get("sort"):
        queryset = (
            queryset.order_by("number")
            if view == "corporations"
            else queryset.order_by("number", "service_type")
        )
    return view, flt, queryset, valid


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: an exact count of 250,000 establishments is a sequential
    scan on every page view. Beyond the cap the page says 「1,000件以上」, offers the first
    COUNT_CAP rows in pages, and a link that asks for the exact count (`exact=True`)."""

    def __init__(self, *args, exact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact = exact

    def _counted(self) -> int:
        if not hasattr(self, "_capped_count"):
            rows: Any = self.object_list
            self._capped_count = rows.count() if self.exact else rows[: COUNT_CAP + 1].count()
        return self._capped_count

    @property
    def count(self) -> int:
        counted = self._counted()
        return counted if self.exact else min(counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return not self.exact and self._counted() > COUNT_CAP


def registry_browse(*, params: QueryDict, viewer: RegistryViewer) -> RegistryBrowse:
    view, flt, queryset, valid = registry_queryset(params=params, viewer=viewer)
    rows = _corporation_rows(queryset) if view == "corporations" else _establishment_rows(queryset)
    paginator = CappedPaginator(rows, PAGE_SIZE, exact=params.get("count") == "exact")
    page = paginator.get_page(params.get("page"))
    sorts = CORPORATION_SORTS if view == "corporations" else ESTABLISHMENT_SORTS
    return RegistryBrowse(
        view, flt, page, paginator.count, sorts, valid, paginator.capped, f"{COUNT_CAP:,}"
    )


def registry_search_cache_key(*, query: str, part: str) -> str:
    """Names staff's rendering of the search page (or of its results, for htmx) for this exact
    query string; it is kept under the registry's version (partners.state.REGISTRY.read/store),
    so any write to the registry renews it."""
    return "partners:search:" + hashlib.sha256(f"{part}|{query}".encode()).hexdigest()


# --- A corporation's page ---------------------------------------------------------------------------
def corporation_for(*, number: str) -> Corporation | None:
    profiles = ProviderProfile.objects.prefetch_related("challenges", "themes")
    return (
        Corporation.objects.select_related("municipality")
        .prefetch_related(Prefetch("profile", queryset=profiles))
        .filter(number=number)
        .first()
    )


@dataclass
class CorporationPage:
    corporation: Corporation
    profile: ProviderProfile | None
    establishments: list[Establishment]
    introductions: list[Introduction]
    memberships: list[dict]
    show_contact: bool
    services: list[tuple[str, int]]
    changes: list[dict]


def corporation_page(*, corporation: Corporation, viewer: RegistryViewer) -> CorporationPage:
    profile = getattr(corporation, "profile", None)
    establishments = list(
        corporation.establishments.select_related("municipality").order_by(
            "municipality_id", "number", "service_type"
        )
    )
    introductions = Introduction.objects.filter(parties__corporation=corporation).prefetch_related(
        Prefetch(
            "parties", queryset=IntroductionParty.objects.select_related("corporation__profile")
        )
    )
    # Another provider's introductions and consortia are not shown, even to its partners.
    mine = viewer.staff or viewer.is_own(corporation)
    if not mine:
        introductions = introductions.none()
    services = Counter(e.service_type for e in establishments)
    memberships = links.memberships([corporation.pk]).get(corporation.pk, []) if mine else []
    introductions_list = list(introductions.order_by("-created_at"))
    for intro in introductions_list:
        intro.party_rows = [  # type: ignore[attr-defined]
            row
            for row in party_rows(intro, viewer)
            if row["party"].corporation_id != corporation.pk
        ]
    changes: list[dict] = []
    if viewer.staff:
        changes = _changes(corporation, profile, establishments)
    return CorporationPage(
        changes=changes,
        corporation=corporation,
        profile=profile,
        establishments=establishments,
        introductions=introductions_list,
        memberships=memberships,
        show_contact=viewer.sees_contact(corporation),
        services=services.most_common(),
    )


def _changes(corporation, profile, establishments) -> list[dict]:
    """Where this corporation's rows came from: import runs and people, newest first."""
    rows = []
    for record in corporation.history.select_related("history_user")[:10]:
        rows.append(
            {
                "at": record.history_date,
                "what": "法人の情報",
                "who": record.history_user,
                "why": record.history_change_reason or "",
            }
        )
    if profile is not None:
        for record in profile.history.select_related("history_user")[:10]:
            rows.append(
                {
                    "at": record.history_date,
                    "what": "プロフィール",
                    "who": record.history_user,
                    "why": record.history_change_reason or "",
                }
            )
    run_ids = {e.last_import_id for e in establishments if e.last_import_id}
    for run in ImportRun.objects.filter(pk__in=run_ids).select_related("started_by"):
        rows.append(
            {
                "at": run.started_at,
                "what": "事業所（オープンデータ）",
                "who": run.started_by,
                "why": f"取り込み #{run.pk}（{run.file_name}）",
            }
        )
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:15]


# --- Matching ---------------------------------------------------------------------------------------
def default_weights() -> Weights:
    row = MatchWeights.objects.order_by("pk").first()
    if row is None:
        return Weights()
    return Weights(
        region=row.region,
        size=row.size,
        challenges=row.challenges,
        themes=row.themes,
        services=row.services,
    )


def candidate_features(queryset) -> list[Features]:
    """Features of many corporations in three queries, whatever their number."""
    rows = list(
        queryset.values_list(
            "pk",
            "number",
            "name",
            "latitude",
            "longitude",
            "municipality_id",
            "municipality__name",
            "site_count",
            "capacity_total",
            "service_types",
            "profile__consent_matching",
            "kind",
        )
    )
    ids = queryset.values("pk")
    challenges: dict[int, set[str]] = defaultdict(set)
    themes: dict[int, set[str]] = defaultdict(set)
    through_c = ProviderProfile.challenges.through.objects.filter(
        providerprofile__corporation__in=ids
    ).values_list("providerprofile__corporation_id", "challenge__label")
    for pk, label in through_c:
        challenges[pk].add(label)
    through_t = ProviderProfile.themes.through.objects.filter(
        providerprofile__corporation__in=ids
    ).values_list("providerprofile__corporation_id", "theme__label")
    for pk, label in through_t:
        themes[pk].add(label)
    kinds = dict(Corporation._meta.get_field("kind").choices or [])
    return [
        Features(
            id=pk,
            number=number,
            name=name,
            latitude=lat,
            longitude=lon,
            municipality_id=municipality_id,
            municipality_name=municipality_name or "",
            sites=sites,
            capacity=capacity,
            services=frozenset(services or ()),
            challenges=frozenset(challenges.get(pk, ())),
            themes=frozenset(themes.get(pk, ())),
            consent=bool(consent),
            kind=str(kinds.get(kind, kind)),
        )
        for (
            pk,
            number,
            name,
            lat,
            lon,
            municipality_id,
            municipality_name,
            sites,
            capacity,
            services,
            consent,
            kind,
        ) in rows  # fmt: skip
    ]


def match_candidates(
    *,
    corporation: Corporation,
    viewer: RegistryViewer,
    weights: Weights | None = None,
    top: int = 20,
) -> list[Match]:
    """Rank partners for a corporation. Excludes itself and corporations already in a consortium
    with it; a manager (non-staff) only ever sees corporations that consented.

    Candidates come from an indexed box around the corporation's centre (or its prefecture when it
    has no coordinates), so a match reads a few thousand rows at most, not the whole country.
    """
    import math

    weights = weights or default_weights()
    own = candidate_features(Corporation.objects.filter(pk=corporation.pk))[0]
    base = (
        Corporation.objects.matchable_for(viewer)
        .filter(site_count__gt=0)
        .exclude(pk=corporation.pk)
    )
    excluded = links.co_member_ids(corporation.pk)
    if excluded:
        base = base.exclude(pk__in=excluded)
    if own.latitude is not None and own.longitude is not None:
        dlat = MATCH_RADIUS_KM / 111.0
        dlon = MATCH_RADIUS_KM / (111.0 * max(0.2, math.cos(math.radians(own.latitude))))
        area = Q(
            latitude__range=(own.latitude - dlat, own.latitude + dlat),
            longitude__range=(own.longitude - dlon, own.longitude + dlon),
        )
        if own.municipality_id:
            area |= Q(municipality_id=own.municipality_id)
        nearby = base.filter(area)
        # In a dense area the box holds tens of thousands of corporations: keep the nearest ones
        # (same municipality always), measured on their coordinates alone, before building
        # features for them.
        spots = list(nearby.values_list("pk", "latitude", "longitude", "municipality_id"))
        if len(spots) > MATCH_POOL:
            scale = math.cos(math.radians(own.latitude))

            def far(spot) -> float:
                if spot[3] == own.municipality_id or spot[1] is None:
                    return -1.0
                return (spot[1] - own.latitude) ** 2 + ((spot[2] - own.longitude) * scale) ** 2

            keep = [spot[0] for spot in sorted(spots, key=far)[:MATCH_POOL]]
            nearby = Corporation.objects.filter(pk__in=keep)
    elif own.municipality_id:
        nearby = base.filter(municipality__code__startswith=own.prefecture_code)
    else:
        nearby = base
    candidates = candidate_features(nearby)
    if len(candidates) < top and nearby is not base:
        candidates = candidate_features(
            base.filter(municipality__code__startswith=own.prefecture_code)
        )
    return rank(own, candidates, weights, top)


def nearest_consenting(*, corporation: Corporation, count: int) -> list[Corporation]:
    """The consenting corporations closest to this one (by their centres), nearest first."""
    if corporation.latitude is None or corporation.longitude is None:
        return []
    lat, lon = corporation.latitude, corporation.longitude
    candidates = Corporation.objects.filter(
        profile__consent_matching=True, latitude__isnull=False, longitude__isnull=False
    ).exclude(pk=corporation.pk)

    def squared(c: Corporation) -> float:
        return (float(c.latitude or 0) - lat) ** 2 + (float(c.longitude or 0) - lon) ** 2

    return sorted(candidates, key=squared)[:count]


def own_corporation(viewer: RegistryViewer) -> Corporation | None:
    number = viewer.number
    return Corporation.objects.filter(number=number).first() if number else None


# --- Imports ----------------------------------------------------------------------------------------
# Every registry page and export shows the data date: one query a minute, not one per page. An
# import that finishes should call forget_data_as_of() (on commit) so its date shows at once;
# until it does, a new date shows within DATA_AS_OF_CACHE_SECONDS.
DATA_AS_OF_KEY = "partners:data_as_of"
DATA_AS_OF_CACHE_SECONDS = 60


def forget_data_as_of() -> None:
    cache.delete(DATA_AS_OF_KEY)


@dataclass(frozen=True)
class OpenDataCredit:
    """What a registry page, export or report says about the data it shows (partners/reference.py)."""

    as_of: date | None
    as_of_label: (
        str  # 「2026年12月31日時点（介護サービス情報公表システム）」 or 「データ時点は未記録」
    )
    # 「出典：介護サービス情報公表システム（厚生労働省、」 url 「）のオープンデータを…加工して作成…」
    before_url: str
    url: str
    after_url: str

    @property
    def text(self) -> str:
        return f"{self.before_url}{self.url}{self.after_url}"

    @property
    def lines(self) -> tuple[str, str]:
        """The credit and the data date, as two lines of an export or a report."""
        return self.text, self.as_of_label


def open_data_credit() -> OpenDataCredit:
    """The credit and the data date of the registry, cached (at most one query a minute)."""
    cached = cache.get(DATA_AS_OF_KEY)
    if cached is None:
        # The data date of the newest finished establishment import that recorded one; a tuple, so
        # "no date known" is cached too.
        newest = (
            ImportRun.objects.filter(kind="establishments", status=ImportStatus.DONE)
            .exclude(as_of=None)
            .order_by("-as_of")
            .values_list("as_of", flat=True)
            .first()
        )
        cached = (newest,)
        cache.set(DATA_AS_OF_KEY, cached, DATA_AS_OF_CACHE_SECONDS)
    as_of = cached[0]
    before, url, after = reference.open_data_credit_parts()
    return OpenDataCredit(
        as_of=as_of,
        as_of_label=reference.as_of_label(as_of),
        before_url=before,
        url=url,
        after_url=after,
    )


def import_runs(*, limit: int = 50):
    return ImportRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit]


# --- Introductions ----------------------------------------------------------------------------------
def introductions_for(*, viewer: RegistryViewer, status: str = ""):
    queryset = (
        Introduction.objects.visible_to(viewer)
        .select_related("theme", "created_by")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=IntroductionParty.objects.select_related("corporation__profile"),
            )
        )
    )
    if status == IntroductionStatus.DECLINED:
        # 辞退あり means "a party declined", also when the introduction was closed afterwards.
        queryset = queryset.declined()
    elif status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def introduction_list(
    *, viewer: RegistryViewer, status: str = "", limit: int = 200
) -> list[Introduction]:
    """The introductions page: each with its parties as this user may see them."""
    rows = list(introductions_for(viewer=viewer, status=status)[:limit])
    for intro in rows:
        intro.party_rows = party_rows(intro, viewer)
    return rows


def corporation_name_for(number: str) -> str | None:
    """The registry's name for a 法人番号, None when it lists no such corporation."""
    return Corporation.objects.filter(number=number).values_list("name", flat=True).first()


def introduction_detail(*, pk: int) -> Introduction | None:
    return (
        Introduction.objects.select_related("theme", "created_by")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=IntroductionParty.objects.select_related(
                    "corporation__profile", "corporation__municipality"
                ),
            ),
            Prefetch("events", queryset=IntroductionEvent.objects.select_related("by")),
        )
        .filter(pk=pk)
        .first()
    )


def party_rows(introduction: Introduction, viewer: RegistryViewer) -> list[dict]:
    """The parties as this viewer may see them: each row says whether its name and its contact
    details are shown (access rules 3 and 6), and whether this viewer may answer for it."""
    rows = []
    for party in introduction.parties.all():
        corporation = party.corporation
        named = viewer.sees_name(corporation)
        contact = viewer.sees_contact(corporation)
        rows.append(
            {
                "party": party,
                "name": corporation.name if named else HIDDEN_NAME,
                "number": corporation.number if named else "",
                "own": viewer.is_own(corporation),
                "sees_contact": contact,
                "profile": getattr(corporation, "profile", None) if contact else None,
                "may_answer": viewer.answers_for(party) and not party.answered,
                "may_record": viewer.records_on_behalf(party) and not party.answered,
            }
        )
    return rows


@dataclass
class Funnel:
    months: list[date]
    states: list[tuple[str, str]]
    rows: list[dict]  # {"month": date, "counts": [int per state]}
    totals: list[int]
    current: list[tuple[str, int]]


# The states every funnel shows, in this order and with these labels (the introductions page, the
# dashboard and the prefectural report alike).
FUNNEL_STATES: tuple[IntroductionStatus, ...] = (
    *INTRODUCTION_FUNNEL,
    IntroductionStatus.DECLINED,
    IntroductionStatus.CLOSED,
)


@dataclass
class PeriodFunnel:
    rows: list[tuple[str, int]]  # (state label, introductions) in FUNNEL_STATES order
    proposed: int  # introductions proposed within the period


def funnel(period) -> PeriodFunnel:
    """Introductions proposed within the period, and how many reached each state within it (辞退あり
    once per introduction, on the day a party first declined)."""
    since, until = period.since, period.until
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
    reached[IntroductionStatus.DECLINED] = set(
        Introduction.objects.declined(since=since, until=until).values_list("pk", flat=True)
    )
    rows = [
        (
            state.label,
            len(proposed) if state == IntroductionStatus.PROPOSED else len(reached[state]),
        )
        for state in FUNNEL_STATES
    ]
    return PeriodFunnel(rows=rows, proposed=len(proposed))


def introduction_funnel(*, months: int = 12) -> Funnel:
    """How many introductions reached each state, per month (from the event log), and how many
    sit in each state now."""
    reached = (
        IntroductionEvent.objects.annotate(month=TruncMonth("at"))
        .values("month", "status")
        .annotate(n=Count("introduction", distinct=True))
    )
    table: dict[date, Counter] = defaultdict(Counter)
    for row in reached:
        if row["status"] == IntroductionStatus.DECLINED:
            continue  # counted below, once per introduction at its first decline
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        table[month][row["status"]] += row["n"]
    for declined_at in Introduction.objects.declined().values_list(DECLINED_AT, flat=True):
        month = timezone.localdate(declined_at).replace(day=1)
        table[month][IntroductionStatus.DECLINED] += 1
    states = [(s.value, s.label) for s in FUNNEL_STATES]
    ordered = sorted(table, reverse=True)[:months]
    rows: list[dict] = [{"month": m, "counts": [table[m][s] for s, _ in states]} for m in ordered]
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(states))]
    now = dict(Introduction.objects.values_list("status").annotate(n=Count("pk")))
    now[IntroductionStatus.DECLINED.value] = Introduction.objects.declined().count()
    current = [(label, now.get(value, 0)) for value, label in states]
    return Funnel(ordered, states, rows, totals, current)


# --- Sub-meetings -----------------------------------------------------------------------------------
def submeetings():
    return SubMeeting.objects.select_related("theme").annotate(count=Count("participants"))


def submeeting_groups(*, meeting: SubMeeting) -> tuple[list[dict], list[SubMeetingParticipant]]:
    """The meeting's groups with their members and reason, and the participants not yet placed."""
    participants = list(
        meeting.participants.select_related(
            "corporation__municipality", "corporation__profile", "questionnaire"
        ).prefetch_related("corporation__profile__challenges", "corporation__profile__themes")
    )
    features = {p.pk: features_of(p.corporation) for p in participants}
    grouped: dict[int, list[SubMeetingParticipant]] = defaultdict(list)
    unplaced = []
    for p in participants:
        p.features = features[p.pk]  # type: ignore[attr-defined]
        if p.group:
            grouped[p.group].append(p)
        else:
            unplaced.append(p)
    groups = [
        {
            "number": number,
            "members": members,
            "reason": group_reason([features[m.pk] for m in members]),
        }
        for number, members in sorted(grouped.items())
    ]
    return groups, unplaced


@dataclass
class RsvpCounts:
    """What staff read at a glance: 参加 N 名 / 不参加 / 未定 / 未回答 / キャンセル待ち."""

    attend_people: int = 0
    attend: int = 0
    decline: int = 0
    undecided: int = 0
    pending: int = 0
    waiting: int = 0
    waiting_people: int = 0
    not_invited: int = 0
    attended: int = 0
    attended_people: int = 0


def rsvp_counts(participants) -> RsvpCounts:
    """Counts of the answers of loaded participants (no query)."""
    from partners.models import RsvpAnswer

    counts = RsvpCounts()
    for p in participants:
        if p.attended:
            counts.attended += 1
            counts.attended_people += p.attended_people or 0
        if p.invited_at is None:
            counts.not_invited += 1
        elif p.waiting_since is not None:
            counts.waiting += 1
            counts.waiting_people += p.people
        elif p.response == RsvpAnswer.ATTEND:
            counts.attend += 1
            counts.attend_people += p.people
        elif p.response == RsvpAnswer.DECLINE:
            counts.decline += 1
        elif p.response == RsvpAnswer.UNDECIDED:
            counts.undecided += 1
        else:
            counts.pending += 1
    return counts


def invitation_addresses(corporation: Corporation) -> list[str]:
    """Where a corporation's sub-meeting mails go (access rule 10): its active managers, and the
    profile's contact when it is an e-mail address the corporation consented to share."""
    from django.contrib.auth import get_user_model

    from partners.access import profile_contact_mailable
    from portal.models import Role

    addresses = list(
        get_user_model()
        .objects.filter(role=Role.MANAGER, corporation_number=corporation.number, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    profile = ProviderProfile.objects.filter(corporation=corporation).first()
    if profile_contact_mailable(profile):
        addresses.append(profile.contact.strip())  # type: ignore[union-attr]
    return list(dict.fromkeys(a for a in addresses if a))


def own_invitations(viewer: RegistryViewer) -> list[SubMeetingParticipant]:
    """A manager's invitations to sub-meetings, the coming ones first (rule 9)."""
    if viewer.staff or not viewer.number:
        return []
    rows = SubMeetingParticipant.objects.filter(
        corporation__number=viewer.number, invited_at__isnull=False
    ).select_related("meeting__theme")
    return sorted(rows, key=lambda p: (p.meeting.held_on < timezone.localdate(), p.meeting.held_on))


def own_invitation(viewer: RegistryViewer, meeting: SubMeeting) -> SubMeetingParticipant | None:
    """The manager's own invitation to this meeting, with its questionnaire (rule 9)."""
    if viewer.staff or not viewer.number:
        return None
    return (
        meeting.participants.filter(corporation__number=viewer.number, invited_at__isnull=False)
        .select_related("corporation__profile", "questionnaire")
        .prefetch_related(
            "questionnaire__challenges",
            "questionnaire__themes",
            "corporation__profile__challenges",
            "corporation__profile__themes",
        )
        .first()
    )


# Introductions still moving (紹介中) and accepted by every party (紹介済み).
_IN_PROGRESS = (IntroductionStatus.PROPOSED, IntroductionStatus.CONTACTED)


def introduction_marks(*, corporation: Corporation, numbers: list[str]) -> dict[str, str]:
    """For the match page: which candidates already share an open introduction with
    `corporation` — 紹介中 while proposed or contacted, 紹介済み once every party accepted.
    One query."""
    from partners.access import OPEN_STATES
    from partners.models import IntroductionParty

    if not numbers:
        return {}
    mine = IntroductionParty.objects.filter(
        corporation=corporation, introduction__status__in=(*_IN_PROGRESS, *OPEN_STATES)
    ).values("introduction_id")
    rows = (
        IntroductionParty.objects.filter(introduction_id__in=mine, corporation__number__in=numbers)
        .exclude(corporation=corporation)
        .values_list("corporation__number", "introduction__status")
    )
    marks: dict[str, str] = {}
    for number, status in rows:
        if status in OPEN_STATES:
            marks[number] = "紹介済み"
        else:
            marks.setdefault(number, "紹介中")
    return marks
