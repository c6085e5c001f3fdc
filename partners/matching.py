"""Scoring of candidate partners: region, size, shared challenges and themes, complementary
services. Pure functions over `Features`, so the selector, the command, the sub-meeting grouping
and the benchmark's plain scan all score the same way."""

import math
from dataclasses import dataclass, field

from partners import catalogue

REGION_KM = 40.0  # beyond this distance the region part of the score is zero
NEAR_KM = 15.0  # a different municipality within this distance counts as neighbouring


@dataclass(frozen=True)
class Weights:
    region: int = 35
    size: int = 15
    challenges: int = 20
    themes: int = 20
    services: int = 10
    complementary_size: bool = False

    @property
    def total(self) -> int:
        return self.region + self.size + self.challenges + self.themes + self.services


@dataclass(frozen=True)
class Features:
    id: int
    number: str
    name: str
    latitude: float | None = None
    longitude: float | None = None
    municipality_id: str | None = None
    municipality_name: str = ""
    sites: int = 0
    capacity: int | None = None
    services: frozenset[str] = frozenset()
    challenges: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    consent: bool = False
    kind: str = ""

    @property
    def prefecture_code(self) -> str:
        return (self.municipality_id or "")[:2]

    @property
    def size_label(self) -> str:
        text = f"{self.sites}拠点"
        return f"{text}・定員{self.capacity}人" if self.capacity else text


@dataclass
class Match:
    candidate: Features
    score: float
    reasons: list[str] = field(default_factory=list)
    distance_km: float | None = None
    parts: dict[str, float] = field(default_factory=dict)
    # 紹介中 / 紹介済み (or a pending request) beside the candidate on the match page.
    mark: str = ""

    def as_json(self) -> dict:
        return {
            "corporation_number": self.candidate.number,
            "name": self.candidate.name,
            "score": self.score,
            "reasons": self.reasons,
        }


def distance_km(a: Features, b: Features) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _km(value: float) -> str:
    return f"約{max(1, round(value))}km" if value >= 0.5 else "1km未満"


def _within(name: str) -> str:
    """長野市 → 市内, 小布施町 → 町内: how people say 'in the same town'."""
    for suffix in ("市", "区", "町", "村"):
        if name.endswith(suffix):
            return f"同じ{suffix}内"
    return "同じ市区町村内"


def region_part(own: Features, other: Features) -> tuple[float, str, float | None]:
    km = distance_km(own, other)
    same_place = bool(own.municipality_id) and own.municipality_id == other.municipality_id
    if km is not None:
        value = max(0.0, 1.0 - km / REGION_KM)
        if same_place:
            return max(value, 0.75), f"{_within(other.municipality_name)}・{_km(km)}", km
        if km <= NEAR_KM:
            return value, f"近隣の{other.municipality_name}・{_km(km)}", km
        return value, f"{other.municipality_name}・{_km(km)}", km
    if same_place:
        return 1.0, _within(other.municipality_name), None
    if own.prefecture_code and own.prefecture_code == other.prefecture_code:
        return 0.3, f"同じ県内（{other.municipality_name}）", None
    return 0.0, "", None


def size_similarity(own: Features, other: Features) -> float:
    """1 when the two are the same size, 0 when one is ten times the other (sites and capacity)."""

    def closeness(a: float, b: float) -> float:
        return max(0.0, 1.0 - abs(math.log(a) - math.log(b)) / math.log(10))

    parts = [closeness(max(own.sites, 1), max(other.sites, 1))]
    if own.capacity and other.capacity:
        parts.append(closeness(own.capacity, other.capacity))
    return sum(parts) / len(parts)


def _labels(values, limit: int = 4) -> str:
    values = sorted(values)
    text = "、".join(values[:limit])
    return f"{text} ほか{len(values) - limit}件" if len(values) > limit else text


def _complement_reason(own_services, extra_services) -> str:
    """「通所系と訪問系のサービスで…」: which of one's categories the candidate's services complete."""
    extra = {c for n in extra_services if (c := catalogue.category_of(n))}
    own = {
        code
        for n in own_services
        if (code := catalogue.category_of(n)) and catalogue.COMPLEMENTS[code] & extra
    }
    return f"{_categories(own)}と{_categories(extra)}のサービスで、同じ利用者を分担して支えられる"


def _categories(codes) -> str:
    return "・".join(label for code, label in catalogue.CATEGORIES if code in codes)


def score(own: Features, other: Features, weights: Weights) -> Match:
    reasons: list[str] = []
    region, region_reason, km = region_part(own, other)
    if region_reason and region > 0:
        reasons.append(region_reason)

    similar = size_similarity(own, other)
    size = 1.0 - similar if weights.complementary_size else similar
    if weights.size:
        if weights.complementary_size and size >= 0.5:
            reasons.append(f"規模の違いを補い合える（{other.size_label}）")
        elif not weights.complementary_size and size >= 0.7:
            reasons.append(f"規模が近い（{other.size_label}）")

    shared_challenges = own.challenges & other.challenges
    challenges = len(shared_challenges) / len(own.challenges) if own.challenges else 0.0
    if shared_challenges and weights.challenges:
        reasons.append(f"共通の課題：{_labels(shared_challenges)}")

    shared_themes = own.themes & other.themes
    themes = len(shared_themes) / len(own.themes) if own.themes else 0.0
    if shared_themes and weights.themes:
        reasons.append(f"共通の関心テーマ：{_labels(shared_themes)}")

    # Complementary: services the candidate offers in a category that completes one's own
    # (home care beside day care, care management beside any provider), not more of the same.
    extra_services = catalogue.complementary(own.services, other.services)
    services = len(extra_services) / len(other.services) if other.services else 0.0
    if extra_services and weights.services and own.services:
        reasons.append(f"補い合えるサービス：{_labels(extra_services, 3)}")
        reasons.append(_complement_reason(own.services, extra_services))

    parts = {
        "region": region,
        "size": size,
        "challenges": challenges,
        "themes": themes,
        "services": services,
    }
    total = weights.total or 1
    value = sum(getattr(weights, key) * part for key, part in parts.items()) * 100 / total
    return Match(other, round(value, 1), reasons, km, parts)


def rank(own: Features, candidates, weights: Weights, top: int) -> list[Match]:
    matches = [score(own, c, weights) for c in candidates if c.id != own.id]
    matches.sort(key=lambda m: (-m.score, m.candidate.number))
    return matches[:top]


def similarity(a: Features, b: Features) -> float:
    """How well two providers would sit together in a sub-meeting group (0–1)."""

    def jaccard(x: frozenset, y: frozenset) -> float:
        return len(x & y) / len(x | y) if x | y else 0.0

    region, _reason, _km = region_part(a, b)
    return (
        0.3 * jaccard(a.themes, b.themes)
        + 0.3 * jaccard(a.challenges, b.challenges)
        + 0.2 * size_similarity(a, b)
        + 0.2 * region
    )


def features_of(corporation) -> Features:
    """Features of one corporation whose municipality and profile (with its lists) are loaded."""
    profile = getattr(corporation, "profile", None)
    municipality = corporation.municipality
    return Features(
        id=corporation.pk,
        number=corporation.number,
        name=corporation.name,
        latitude=corporation.latitude,
        longitude=corporation.longitude,
        municipality_id=corporation.municipality_id,
        municipality_name=municipality.name if municipality else "",
        sites=corporation.site_count,
        capacity=corporation.capacity_total,
        services=frozenset(corporation.service_types or ()),
        challenges=frozenset(c.label for c in profile.challenges.all()) if profile else frozenset(),
        themes=frozenset(t.label for t in profile.themes.all()) if profile else frozenset(),
        consent=bool(profile and profile.consent_matching),
        kind=corporation.get_kind_display(),
    )
