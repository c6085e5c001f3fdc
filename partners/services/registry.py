"""Every write of the registry that is not an import: derived sizes, profiles, introductions,
sub-meetings, uploads and matching weights."""

import json
from collections import Counter, defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partners import notices
from partners.models import (
    DERIVED_FIELDS,
    INTRODUCTION_MOVES,
    TEXT_FIELDS,
    AnswerChannel,
    Corporation,
    Establishment,
    Introduction,
    IntroductionEvent,
    IntroductionParty,
    IntroductionStatus,
    MatchWeights,
    Municipality,
    PartyResponse,
    ProviderProfile,
    SizeBand,
    SubMeeting,
    SubMeetingParticipant,
)
from partners.names import corporation_search_text, sort_key
from partners.state import registry_changed
from portal.access import is_window_staff, user_corporation_number
from portal.changes import NO_PAGE, EditConflict, check_version, with_actor  # noqa: F401  (views catch it)


def _derived(ids: list[int]) -> dict[int, dict]:
    # Only the establishments the latest data lists: a closed one (「最新データに掲載なし」) no
    # longer makes a corporation larger, nor offers its service to matching.
    listed = Q(establishments__closed_on__isnull=True)
    stats = {
        row["pk"]: row
        for row in Corporation.objects.filter(pk__in=ids)
        .annotate(
            sites=Count("establishments__number", distinct=True, filter=listed),
            capacity=Sum("establishments__capacity", filter=listed),
            lat=Avg("establishments__latitude", filter=listed),
            lon=Avg("establishments__longitude", filter=listed),
        )
        .values("pk", "sites", "capacity", "lat", "lon")
    }
    places: dict[int, Counter] = defaultdict(Counter)
    services: dict[int, set[str]] = defaultdict(set)
    site_names: dict[int, set[str]] = defaultdict(set)
    # Coordinates summed per (corporation, municipality): the centre used for distances is that of
    # the sites in the corporation's main municipality, where it mostly works, so one far-away
    # site does not pull a local provider's centre into the mountains.
    sums: dict[tuple[int, str | None], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    rows = (
        Establishment.objects.listed()
        .filter(corporation_id__in=ids)
        .values_list(
            "corporation_id", "municipality_id", "service_type", "latitude", "longitude", "name"
        )
    )
    for corporation_id, municipality_id, service_type, lat, lon, name in rows.iterator(
        chunk_size=5000
    ):
        if municipality_id:
            places[corporation_id][municipality_id] += 1
        services[corporation_id].add(service_type)
        site_names[corporation_id].add(name)
        if lat is not None and lon is not None:
            acc = sums[(corporation_id, municipality_id)]
            acc[0] += float(lat)
            acc[1] += float(lon)
            acc[2] += 1
    codes = {code for counted in places.values() for code in counted}
    place_names = dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))
    result = {}
    for pk, row in stats.items():
        # The most common municipality; ties go to the smaller code so the answer is stable.
        counted = places.get(pk)
        main = min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counted else None
        lat_sum, lon_sum, n = sums.get((pk, main), (0.0, 0.0, 0))
        centre = (round(lat_sum / n, 6), round(lon_sum / n, 6)) if n else None
        if centre is None and row["lat"] is not None:
            centre = (round(float(row["lat"]), 6), round(float(row["lon"]), 6))
        result[pk] = {
            "site_count": row["sites"],
            "capacity_total": row["capacity"],
            "size_band": SizeBand.for_sites(row["sites"]),
            "latitude": centre[0] if centre else None,
            "longitude": centre[1] if centre else None,
            "municipality_id": main,
            "service_types": sorted(services.get(pk, ())),
            # Not columns: what the search text is built from (see corporations_refresh_size).
            "_site_names": site_names.get(pk, set()),
            "_place_names": {place_names[c] for c in places.get(pk, ()) if c in place_names},
        }
    return result


def corporations_refresh_size(*, ids, chunk: int = 2000) -> int:
    """Recompute what is derived from a corporation's establishments: sites (distinct 事業所番号),
    total capacity, size band, centre, main municipality and service mix; and what is derived
    from its name: the search text (with its establishments' names and municipalities) and the
    五十音順 key. The import calls it for every corporation named in a file."""
    ids = sorted(set(ids))
    changed_count = 0
    fields = ("pk", "number", "name", "kana", *TEXT_FIELDS, *DERIVED_FIELDS)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        derived = _derived(part)
        changed = []
        for corporation in Corporation.objects.filter(pk__in=part).only(*fields):
            values = dict(derived[corporation.pk])
            values["search_text"] = corporation_search_text(
                name=corporation.name,
                kana=corporation.kana,
                number=corporation.number,
                site_names=values.pop("_site_names"),
                place_names=values.pop("_place_names"),
            )
            values["sort_key"] = sort_key(corporation.name, corporation.kana)
            if any(getattr(corporation, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(corporation, key, value)
                changed.append(corporation)
        with transaction.atomic():
            _write_derived(changed)
        changed_count += len(changed)
    return changed_count


def _write_derived(changed: list[Corporation]) -> None:
    """On PostgreSQL one UPDATE … FROM unnest(arrays) (20× faster than bulk_update's CASE WHEN
    per row and column, measured in bench/registry.py); elsewhere bulk_update."""
    if not changed:
        return
    registry_changed()  # neither bulk_update nor the UPDATE below sends a signal
    if connection.vendor != "postgresql":
        Corporation.objects.bulk_update(changed, [*DERIVED_FIELDS, *TEXT_FIELDS], batch_size=1000)
        return
    table = Corporation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} AS c SET site_count = v.sites, capacity_total = v.capacity,
                    size_band = v.band, latitude = v.lat, longitude = v.lon,
                    municipality_id = v.place, service_types = v.services::jsonb,
                    search_text = v.search, sort_key = v.sort
                FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::text[],
                            %s::float8[], %s::float8[], %s::text[], %s::text[],
                            %s::text[], %s::text[])
                     AS v(id, sites, capacity, band, lat, lon, place, services, search, sort)
                WHERE c.id = v.id""",  # noqa: S608 - the table name is ours, values are parameters
            [
                [c.pk for c in changed],
                [c.site_count for c in changed],
                [c.capacity_total for c in changed],
                [str(c.size_band) for c in changed],
                [c.latitude for c in changed],
                [c.longitude for c in changed],
                [c.municipality_id for c in changed],
                [json.dumps(c.service_types, ensure_ascii=False) for c in changed],
                [c.search_text for c in changed],
                [c.sort_key for c in changed],
            ],
        )


# --- Profiles ---------------------------------------------------------------------------------------
def profile_update(
    *,
    corporation: Corporation,
    challenges,
    themes,
    consent_matching: bool,
    contact_person: str,
    contact: str,
    by,
    version: object = NO_PAGE,
) -> ProviderProfile:
    """Save a corporation's profile (staff or the corporation's own managers), one history version.

    `version` is what the edit page showed: 0 when the corporation had no profile yet.
    """
    with transaction.atomic():
        profile, created = ProviderProfile.objects.select_for_update().get_or_create(
            corporation=corporation
        )
        check_version(0 if created else profile.version, version)
        if not created:
            profile.version += 1
        profile.skip_history_when_saving = True  # type: ignore[attr-defined]
        profile.consent_matching = consent_matching
        profile.contact_person = contact_person.strip()
        profile.contact = contact.strip()
        profile.save()
        profile.challenges.set(challenges)
        profile.themes.set(themes)
        del profile.skip_history_when_saving  # type: ignore[attr-defined]
        with_actor(profile, by, f"{by.email} が編集")
        profile.save()
    return profile


# --- Introductions ----------------------------------------------------------------------------------
def _who(user) -> str:
    return (user.get_full_name() or user.email) if user else "システム"


def _log(introduction: Introduction, text: str, by, note: str = "") -> None:
    IntroductionEvent.objects.create(
        introduction=introduction, status=introduction.status, text=text, note=note, by=by
    )


def introduction_propose(
    *, corporations, title: str, note: str = "", theme=None, by
) -> Introduction:
    corporations = list(dict.fromkeys(corporations))
    if len(corporations) < 2:
        raise ValidationError("紹介には2つ以上の法人を選んでください。")
    if not title.strip():
        # No names: the parties see the title before they may see each other's names.
        topic = theme.label if theme else "協働"
        title = f"{topic}に関する紹介（{len(corporations)}法人）"
    with transaction.atomic():
        introduction = Introduction(
            title=title.strip()[:200], note=note, theme=theme, created_by=by
        )
        with_actor(introduction, by)
        introduction.save()
        IntroductionParty.objects.bulk_create(
            [IntroductionParty(introduction=introduction, corporation=c) for c in corporations]
        )
        _log(introduction, f"{_who(by)} が紹介を提案しました", by, note)
        notices.proposed(introduction)
    return introduction


def _save_status(introduction: Introduction, status: str, by, reason: str) -> None:
    introduction.status = status
    introduction.version += 1
    with_actor(introduction, by, reason)
    introduction.save()


def introduction_move(
    *, introduction: Introduction, to: str, by, note: str = "", version: object = NO_PAGE
):
    """Staff move an introduction along proposed → contacted → declined/closed, and after the
    parties accepted → meeting held → consortium formed. Acceptance is never a move: only the
    parties' own answers make an introduction accepted (introduction_respond)."""
    with transaction.atomic():
        current = Introduction.objects.select_for_update().get(pk=introduction.pk)
        check_version(current.version, version)
        if to == IntroductionStatus.ACCEPTED:
            raise ValidationError(
                "「全員が承諾」には窓口が進めることはできません。当事者それぞれの回答"
                "（本人の入力、または窓口が受け付けた回答の代理記録）がそろうと、自動でそうなります。"
            )
        if to not in INTRODUCTION_MOVES[current.status]:
            raise ValidationError(
                f"「{current.get_status_display()}」から「{IntroductionStatus(to).label}」には進められません。"
            )
        label = IntroductionStatus(to).label
        _save_status(current, to, by, f"{by.email} が「{label}」へ")
        _log(current, f"{_who(by)} が「{label}」にしました", by, note)
        notices.settled(current)
    return current


def introduction_respond(*, introduction: Introduction, corporation: Corporation, accept: bool, by):
    """A party's own manager accepts or declines, once."""
    if user_corporation_number(by) != corporation.number:
        raise ValidationError("自法人の回答だけを入力できます。")
    return _answer(introduction=introduction, corporation=corporation, accept=accept, by=by)


def introduction_record_answer(
    *,
    introduction: Introduction,
    corporation: Corporation,
    accept: bool,
    channel: str,
    received_on: date,
    note: str = "",
    by,
):
    """Window staff record the answer a party gave them by phone, e-mail or in a meeting: how,
    on which day and a note are kept with the answer, and the log says it was on its behalf."""
    if not is_window_staff(by):
        raise ValidationError("代理で回答を記録できるのは窓口の職員だけです。")
    if channel not in AnswerChannel.values:
        raise ValidationError("受付方法（電話・メール・面談）を選んでください。")
    if received_on > timezone.localdate():
        raise ValidationError("受付日に未来の日付は指定できません。")
    return _answer(
        introduction=introduction,
        corporation=corporation,
        accept=accept,
        by=by,
        channel=channel,
        received_on=received_on,
        note=note.strip(),
    )


def _answer(
    *,
    introduction: Introduction,
    corporation: Corporation,
    accept: bool,
    by,
    channel: str = "",
    received_on: date | None = None,
    note: str = "",
) -> Introduction:
    """Record one party's answer. When every party has answered yes the introduction becomes
    accepted and contact details open to the parties; one decline makes it declined."""
    on_behalf = bool(channel)
    with transaction.atomic():
        current = Introduction.objects.select_for_update().get(pk=introduction.pk)
        if not current.accepts_answers:
            raise ValidationError("この紹介は回答を受け付けていません。")
        party = current.parties.select_for_update().filter(corporation=corporation).first()
        if party is None:
            raise ValidationError("この法人はこの紹介の当事者ではありません。")
        if party.answered:
            raise ValidationError(
                f"{corporation.name}の回答（{party.get_response_display()}）は記録済みです。"
                "回答は一度だけ記録できます。"
            )
        party.response = PartyResponse.ACCEPTED if accept else PartyResponse.DECLINED
        party.responded_at = timezone.now()
        party.answered_by = by
        party.on_behalf = on_behalf
        party.channel = channel
        party.received_on = received_on
        party.answer_note = note
        answer = "承諾" if accept else "辞退"
        if on_behalf:
            day = received_on or timezone.localdate()
            how = f"{AnswerChannel(channel).label}・{day.year}年{day.month}月{day.day}日受付"
            text = f"{corporation.name}の{answer}を{_who(by)}が代理で記録しました（{how}）"
        else:
            text = f"{corporation.name}が{answer}しました（{_who(by)}）"
        with_actor(party, by, text).save()
        _log(current, text, by, note)
        notices.answered(current, party)
        responses = set(current.parties.values_list("response", flat=True))
        if responses == {PartyResponse.ACCEPTED}:
            _save_status(current, IntroductionStatus.ACCEPTED, by, "全員が承諾")
            _log(current, "全員が承諾しました。連絡先を互いに表示します", by)
        elif not accept:
            _save_status(current, IntroductionStatus.DECLINED, by, f"{corporation.name}が辞退")
        notices.settled(current)
    return current


# --- Theme sub-meetings -----------------------------------------------------------------------------
def submeeting_create(*, values: dict, by) -> SubMeeting:
    meeting = SubMeeting(**values, created_by=by)
    meeting.full_clean()
    with_actor(meeting, by)
    meeting.save()
    return meeting


def submeeting_add(*, meeting: SubMeeting, corporations, by) -> int:
    existing = set(meeting.participants.values_list("corporation_id", flat=True))
    new = [
        SubMeetingParticipant(meeting=meeting, corporation=c)
        for c in corporations
        if c.pk not in existing
    ]
    bulk_create_with_history(new, SubMeetingParticipant, default_user=by)
    return len(new)


def submeeting_group(*, meeting: SubMeeting, group_size: int, by) -> None:
    """Propose groups: participants placed by hand stay; the others are grouped by similarity."""
    from partners.grouping import propose_groups

    with transaction.atomic():
        meeting = SubMeeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.group_size = group_size
        with_actor(meeting, by)
        meeting.save(update_fields=["group_size"])
        participants = list(
            meeting.participants.select_related("corporation__profile").prefetch_related(
                "corporation__profile__challenges", "corporation__profile__themes"
            )
        )
        assignment = propose_groups(participants, group_size=group_size)
        changed = []
        for participant in participants:
            group = assignment[participant.pk]
            if participant.group != group:
                participant.group = group
                changed.append(participant)
        bulk_update_with_history(changed, SubMeetingParticipant, ["group"], default_user=by)


def submeeting_move(*, meeting: SubMeeting, moves: dict[int, int | None], by) -> int:
    """Staff place participants by hand (participant id → group number); those stay pinned."""
    changed = []
    for participant in meeting.participants.filter(pk__in=list(moves)):
        group = moves[participant.pk]
        if participant.group != group:
            participant.group = group
            participant.pinned = group is not None
            changed.append(participant)
    bulk_update_with_history(changed, SubMeetingParticipant, ["group", "pinned"], default_user=by)
    return len(changed)


# --- Matching weights -------------------------------------------------------------------------------
def match_weights_update(*, values: dict, by) -> MatchWeights:
    weights = MatchWeights.objects.order_by("pk").first() or MatchWeights()
    for key, value in values.items():
        setattr(weights, key, value)
    with_actor(weights, by)
    weights.save()
    return weights
