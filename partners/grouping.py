"""Groups for a theme sub-meeting: similar providers sit together (interests, size, distance,
challenges); staff can then move people by hand."""

import math
from collections import Counter
from itertools import combinations

from partners.matching import Features, distance_km, features_of, similarity


def capacities(count: int, group_size: int) -> list[int]:
    """Split `count` people into groups of at most `group_size`, as even as possible."""
    if count == 0:
        return []
    groups = math.ceil(count / max(1, group_size))
    base, extra = divmod(count, groups)
    return [base + (1 if i < extra else 0) for i in range(groups)]


def _cohesion(members: list[Features]) -> float:
    pairs = list(combinations(members, 2))
    return sum(similarity(a, b) for a, b in pairs) / len(pairs) if pairs else 0.0


def propose_groups(participants, *, group_size: int) -> dict[int, int]:
    """participant id → group number (1-based). Pinned participants keep their group."""
    features = {p.pk: features_of(p.corporation) for p in participants}
    sizes = capacities(len(participants), group_size)
    groups: dict[int, list[int]] = {n + 1: [] for n in range(len(sizes))}
    limit = {n + 1: size for n, size in enumerate(sizes)}
    free = []
    for p in participants:
        if p.pinned and p.group:
            groups.setdefault(p.group, []).append(p.pk)
            limit.setdefault(p.group, group_size)
        else:
            free.append(p.pk)

    def fit(pk: int, group: int) -> float:
        members = groups[group]
        if not members:
            return 0.0
        return sum(similarity(features[pk], features[m]) for m in members) / len(members)

    # Seed each empty group with the participant least like the seeds chosen so far.
    seeds: list[int] = []
    for members in groups.values():
        if members or not free:
            continue
        if seeds:
            pick = min(
                free, key=lambda pk: max(similarity(features[pk], features[s]) for s in seeds)
            )
        else:
            pick = free[0]
        seeds.append(pick)
        members.append(pick)
        free.remove(pick)
    # Then place, one at a time, the participant whose best group fits best.
    while free:
        open_groups = [g for g in groups if len(groups[g]) < limit[g]]
        if not open_groups:  # pinned people overfilled groups: open one more
            new = max(groups) + 1
            groups[new], limit[new] = [], group_size
            open_groups = [new]
        best = max(
            ((pk, g, fit(pk, g)) for pk in free for g in open_groups), key=lambda item: item[2]
        )
        groups[best[1]].append(best[0])
        free.remove(best[0])
    # A few rounds of swaps between groups where both sides gain.
    pinned = {p.pk for p in participants if p.pinned and p.group}
    for _round in range(3):
        improved = False
        for g1, g2 in combinations(list(groups), 2):
            for a in list(groups[g1]):
                for b in list(groups[g2]):
                    if a in pinned or b in pinned:
                        continue
                    before = _cohesion(_f(groups[g1], features)) + _cohesion(
                        _f(groups[g2], features)
                    )
                    groups[g1][groups[g1].index(a)] = b
                    groups[g2][groups[g2].index(b)] = a
                    after = _cohesion(_f(groups[g1], features)) + _cohesion(
                        _f(groups[g2], features)
                    )
                    if after > before + 1e-9:
                        improved = True
                        break
                    groups[g1][groups[g1].index(b)] = a
                    groups[g2][groups[g2].index(a)] = b
        if not improved:
            break
    return {pk: group for group, members in groups.items() for pk in members}


def _f(ids: list[int], features: dict[int, Features]) -> list[Features]:
    return [features[i] for i in ids]


def group_reason(members: list[Features]) -> str:
    """Why these providers sit together, in a sentence staff can read out."""
    if not members:
        return ""
    half = max(2, math.ceil(len(members) / 2)) if len(members) > 1 else 1
    parts = []
    themes = [
        t for t, n in Counter(t for m in members for t in m.themes).most_common() if n >= half
    ]
    if themes:
        parts.append(f"共通の関心テーマ：{'、'.join(themes[:3])}")
    challenges = [
        c for c, n in Counter(c for m in members for c in m.challenges).most_common() if n >= half
    ]
    if challenges:
        parts.append(f"共通の課題：{'、'.join(challenges[:3])}")
    sites = sorted(m.sites for m in members)
    parts.append(
        f"規模：{sites[0]}拠点" if sites[0] == sites[-1] else f"規模：{sites[0]}～{sites[-1]}拠点"
    )
    places = [
        p
        for p, _n in Counter(
            m.municipality_name for m in members if m.municipality_name
        ).most_common()
    ]
    distances = [d for a, b in combinations(members, 2) if (d := distance_km(a, b)) is not None]
    if places:
        area = "、".join(places[:3]) + (" ほか" if len(places) > 3 else "")
        if distances:
            area += f"（最も離れて約{max(1, round(max(distances)))}km）"
        parts.append(f"地域：{area}")
    return " / ".join(parts)
