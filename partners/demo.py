"""Demo data of the registry: a believable 長野県 from the synthetic open-data generator, the demo
manager's own corporation, survey profiles, introductions in every state and a sub-meeting.
Safe to run again: everything is created once, and a registry already loaded is not imported
again (an import would put back the profiles and consents people have changed since)."""

import csv
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from partners.models import (
    AnswerChannel,
    Challenge,
    Corporation,
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    SubMeeting,
    Theme,
)
from partners.services.imports import HEADER, PROFILE_HEADER, establishments_import, profiles_import
from partners.synthetic import generate, phone_number

DEMO_CORPORATION = "3510001012345"  # the demo manager's corporation (portal.demo users)
DEMO_NAME = "社会福祉法人みすず福祉会"
DEMO_SITES = [
    # (事業所番号, service, name, municipality code, city, lat, lon, capacity, telephone): four
    # sites with four numbers, so the page's 事業所数 and its list agree.
    ("2010100011", "通所介護", "みすずデイサービスセンター", "202011", "長野市", 36.6512, 138.1810, "30", "026-000-0011"),
    ("2010100037", "短期入所生活介護", "みすずショートステイ", "202011", "長野市", 36.6512, 138.1810, "20", "026-000-0012"),
    ("2010100029", "訪問介護", "みすずヘルパーステーション", "202011", "長野市", 36.6431, 138.1952, "0", "026-000-0013"),
    ("2010200015", "居宅介護支援", "みすずケアプランセンター須坂", "202070", "須坂市", 36.6502, 138.3101, "0", "026-000-0021"),
]  # fmt: skip


def _demo_corporation_file(folder: Path) -> Path:
    path = folder / "demo_misuzu.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, site in enumerate(DEMO_SITES, 1):
            number, service, name, code, city, lat, lon, capacity, phone = site
            writer.writerow(
                [code, n, "長野県", city, name, "", service, f"長野県{city}大字三輪{n}丁目1-1", "",
                 lat, lon, phone, phone[:-1] + "9", DEMO_CORPORATION, DEMO_NAME, number,
                 "月火水木金土", "", capacity, "", "", "", "", ""]
            )  # fmt: skip
    return path


def _profiles_file(folder: Path, rng: random.Random) -> Path:
    challenges = list(Challenge.objects.values_list("label", flat=True))
    themes = list(Theme.objects.values_list("label", flat=True))
    homes = dict(
        Corporation.objects.filter(site_count__gt=0)
        .exclude(number=DEMO_CORPORATION)
        .values_list("number", "municipality_id")
    )
    numbers = sorted(homes)
    path = folder / "demo_profiles.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PROFILE_HEADER)
        writer.writerow(
            [DEMO_CORPORATION, "人材確保（採用）;職員の定着・育成;仕入れ・購買コスト",
             "人材確保・育成;物資等供給;バックオフィス効率化", "はい", "三輪 花子",
             "026-000-0011 / misuzu@example.jp"]
        )  # fmt: skip
        for number in numbers:
            if rng.random() > 0.45:
                continue
            writer.writerow(
                [
                    number,
                    ";".join(rng.sample(challenges, rng.randint(1, 3))),
                    ";".join(rng.sample(themes, rng.randint(1, 3))),
                    "はい" if rng.random() < 0.7 else "いいえ",
                    rng.choice(["山田", "佐藤", "鈴木", "高橋", "田中", "小林", "中村"]) + " "
                    + rng.choice(["一郎", "花子", "健", "美咲", "直樹", "恵"]),
                    phone_number(homes[number] or "", rng),
                ]
            )  # fmt: skip
    return path


def seed_registry(write) -> None:
    from django.apps import apps

    from partners.reference import sync_reference_data
    from portal.models import User

    sync_reference_data(apps)  # the fixed lists, in case a test flush emptied them
    rng = random.Random(2026)  # noqa: S311 - synthetic data, not secrets
    staff = User.objects.filter(email="madoguchi@example.jp").first()
    if Corporation.objects.filter(number=DEMO_CORPORATION).exists():
        write("事業者台帳（長野県のデモデータ）: 取り込み済みのため、そのままにします")
    else:
        _import_registry(write, staff=staff, rng=rng)
    if staff and not Introduction.objects.exists():
        _seed_introductions(staff, rng)
        write(f"紹介: {Introduction.objects.count()}件")
    if staff and not SubMeeting.objects.exists():
        _seed_submeeting(staff)
        write("テーマ別分科会: 1件")


def _import_registry(write, *, staff, rng: random.Random) -> None:
    rows = getattr(settings, "PORTAL_DEMO_ESTABLISHMENTS", 3000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(rows, folder, national=False, dirty=0.01, encoding="utf-8-sig", seed=2026)
        paths.append(_demo_corporation_file(folder))
        totals = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        for path in paths:
            run = establishments_import(path=path, by=staff, display_name=f"デモ_{path.name}")
            for key in totals:
                totals[key] += getattr(run, key)
        profiles = profiles_import(path=_profiles_file(folder, rng), by=staff)
    write(
        f"事業者台帳（長野県のデモデータ）: 事業所 新規 {totals['created']}件、"
        f"変更なし {totals['unchanged']}件、取り込めなかった行 {totals['rejected']}件"
        f"（不正な行の例として意図的に含めています）／プロフィール 新規 {profiles.created}件"
    )


def _seed_introductions(staff, rng: random.Random) -> None:
    from partners import services
    from partners.selectors import nearest_consenting

    own = Corporation.objects.get(number=DEMO_CORPORATION)
    nearby = nearest_consenting(corporation=own, count=12)
    if len(nearby) < 8:
        return
    theme = Theme.objects.get(code="workforce")
    plan = [
        ([own, nearby[0]], [IntroductionStatus.CONTACTED], "合同採用説明会を一緒に開ける相手として"),
        ([own, nearby[1], nearby[2]], [IntroductionStatus.CONTACTED, "accept-all"], "共同購買の検討"),
        ([nearby[3], nearby[4]], [IntroductionStatus.CONTACTED, "accept-all",
         IntroductionStatus.MEETING_HELD], "職員研修の共同開催"),
        ([nearby[5], nearby[6]], [IntroductionStatus.CONTACTED, "decline"], "送迎の共同化"),
        ([nearby[7], own], [], "災害時の相互応援"),
    ]  # fmt: skip
    now = timezone.now()
    for index, (corporations, moves, note) in enumerate(plan):
        intro = services.introduction_propose(
            corporations=corporations, title="", note=note, theme=theme, by=staff
        )
        for move in moves:
            if move == "accept-all":
                for party in intro.parties.all():
                    services.introduction_record_answer(
                        introduction=intro,
                        corporation=party.corporation,
                        accept=True,
                        channel=AnswerChannel.PHONE,
                        received_on=timezone.localdate(),
                        note="電話で承諾の回答を受けた（デモ）",
                        by=staff,
                    )
            elif move == "decline":
                services.introduction_record_answer(
                    introduction=intro,
                    corporation=corporations[1],
                    accept=False,
                    channel=AnswerChannel.EMAIL,
                    received_on=timezone.localdate(),
                    note="メールで辞退の連絡（デモ）",
                    by=staff,
                )
            else:
                services.introduction_move(introduction=intro, to=move, by=staff)
        # Spread the history over recent months so the funnel has a shape.
        back = timedelta(days=30 * (len(plan) - index))
        for event in IntroductionEvent.objects.filter(introduction=intro):
            IntroductionEvent.objects.filter(pk=event.pk).update(at=event.at - back)
        Introduction.objects.filter(pk=intro.pk).update(created_at=now - back)


def _seed_submeeting(staff) -> None:
    from partners import services

    theme = Theme.objects.get(code="workforce")
    meeting = services.submeeting_create(
        values={
            "title": "人材確保・育成 分科会（県内全域）",
            "theme": theme,
            "held_on": date(2026, 12, 10),
            "place": "長野市ふれあい福祉センター 3階会議室",
            "online": True,
            "group_size": 4,
            "note": "合同採用と新人研修の共同化について、近い立場の法人どうしで話し合います。",
        },
        by=staff,
    )
    corporations = list(
        Corporation.objects.filter(
            profile__consent_matching=True, profile__themes__code="workforce"
        )
        .order_by("number")
        .distinct()[:14]
    )
    services.submeeting_add(meeting=meeting, corporations=corporations, by=staff)
    services.submeeting_group(meeting=meeting, group_size=4, by=staff)
