"""Ranking cases by likeness to a situation (another case, or a manager's own), with reasons."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from cases.models import Case, Form

WEIGHTS = {"form": 3.0, "operations": 4.0, "reasons": 3.0, "size": 2.0, "area": 2.0}


@dataclass(frozen=True)
class Profile:
    """What we compare: known parts only (None or empty means 'no preference')."""

    form: str | None = None
    operations: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    member_count: int | None = None
    prefectures: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    area_scope: str | None = None


@dataclass
class Match:
    case: Case
    score: float
    reasons: list[str] = field(default_factory=list)


def profile_of(case: Case) -> Profile:
    tags = list(case.tags.all())
    prefectures = list(case.prefectures.all())
    return Profile(
        form=case.form,
        operations=frozenset(t.code for t in tags if t.kind == "operation"),
        reasons=frozenset(t.code for t in tags if t.kind == "reason"),
        member_count=case.member_count,
        prefectures=frozenset(p.name for p in prefectures),
        regions=frozenset(p.region for p in prefectures),
        area_scope=case.area_scope,
    )


def _labels(case: Case, kind: str, codes: frozenset[str]) -> str:
    return "、".join(t.label for t in case.tags.all() if t.kind == kind and t.code in codes)


def score(
    profile: Profile,
    case: Case,
    *,
    other: Profile | None = None,
    labels: Callable[[str, frozenset[str]], str] | None = None,
) -> Match:
    """How like `profile` the case is. `other` and `labels` let a caller score a case from a
    precomputed profile (the library index) instead of its prefetched relations."""
    if other is None:
        other = profile_of(case)
    if labels is None:
        labels = lambda kind, codes: _labels(case, kind, codes)  # noqa: E731
    match = Match(case=case, score=0.0)
    if profile.form and profile.form == other.form:
        match.score += WEIGHTS["form"]
        match.reasons.append(f"同じ{Form(profile.form).label}")
    if profile.operations and other.operations:
        shared = profile.operations & other.operations
        if shared:
            union = profile.operations | other.operations
            match.score += WEIGHTS["operations"] * len(shared) / len(union)
            match.reasons.append(f"共通の協働内容：{labels('operation', shared)}")
    if profile.reasons and other.reasons:
        shared = profile.reasons & other.reasons
        if shared:
            match.score += WEIGHTS["reasons"] * len(shared) / len(profile.reasons)
            match.reasons.append(f"共通の理由：{labels('reason', shared)}")
    if profile.member_count and other.member_count:
        # Sizes count as close when their ratio is small: 3 and 4 are near, 3 and 30 are not.
        distance = abs(math.log(profile.member_count / other.member_count))
        closeness = max(0.0, 1.0 - distance / math.log(4))
        if closeness > 0:
            match.score += WEIGHTS["size"] * closeness
            if closeness >= 0.5:
                match.reasons.append(f"規模が近い（{other.member_count}法人）")
    if profile.prefectures & other.prefectures:
        match.score += WEIGHTS["area"]
        match.reasons.append(
            f"同じ都道府県（{'、'.join(sorted(profile.prefectures & other.prefectures))}）"
        )
    elif profile.regions & other.regions:
        from cases.models import Region

        match.score += WEIGHTS["area"] / 2
        regions = "、".join(Region(r).label for r in sorted(profile.regions & other.regions))
        match.reasons.append(f"同じ地方（{regions}）")
    if profile.area_scope and profile.area_scope == other.area_scope:
        match.score += 0.5
    match.score = round(match.score, 2)
    return match


def rank(profile: Profile, cases, *, exclude: int | None = None, top: int = 5) -> list[Match]:
    """Best matches first; ties by case number. Cases with nothing in common are left out."""
    matches = [score(profile, c) for c in cases if c.pk != exclude]
    matches = [m for m in matches if m.score > 0 and m.reasons]
    matches.sort(key=lambda m: (-m.score, m.case.number))
    return matches[:top]


@dataclass(frozen=True)
class Entry:
    """One case of the library index: its profile and the tag labels its reasons name."""

    case: Case
    profile: Profile
    tags: tuple[tuple[str, str, str], ...]  # (kind, code, label) in display order

    def labels(self, kind: str, codes: frozenset[str]) -> str:
        return "、".join(label for k, code, label in self.tags if k == kind and code in codes)


def rank_entries(
    profile: Profile, entries: list[Entry], *, exclude: int | None = None, top: int = 5
) -> list[Match]:
    """`rank` over the precomputed index: the same scores, reasons and order."""
    matches = [
        score(profile, e.case, other=e.profile, labels=e.labels)
        for e in entries
        if e.case.pk != exclude
    ]
    matches = [m for m in matches if m.score > 0 and m.reasons]
    matches.sort(key=lambda m: (-m.score, m.case.number))
    return matches[:top]
