"""Demo consortia at different stages, with checklists, KPIs with measurements, actions, activity,
an expert directory and a referral, so every workflow page has something to show. Created once."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from guidance import services
from guidance.models import (
    ChecklistItem,
    Consortium,
    ConsortiumForm,
    ConsortiumStatus,
    Expert,
    ExpertKind,
    ItemStatus,
    LegalForm,
    MemberRole,
    Stage,
    StageMove,
)
from partners.models import Corporation, Theme
from partners.selectors import nearest_consenting
from portal.taxonomy import STAGE_NUMBERS

DEMO_CORPORATION = "3510001012345"
TOKYO = ZoneInfo("Asia/Tokyo")


def _tick(consortium: Consortium, stages, by, share: float = 1.0, *, required: bool = True) -> None:
    """Mark done the required items of these stages (unless `required` is False) and the first
    `share` of the others."""
    items = list(consortium.checklist_items.filter(stage__in=stages).order_by("stage", "position"))
    for index, item in enumerate(items):
        if (required and item.required) or index < len(items) * share:
            services.checklist_item_update(
                item=item,
                values={"status": ItemStatus.DONE, "owner": "事務局"},
                by=by,
                version=item.version,
            )


def _kpi(consortium, by, goal_title, theme_code, name, unit, baseline, target, values) -> None:
    theme = Theme.objects.filter(code=theme_code).first()
    goal = consortium.goals.filter(title=goal_title).first() or services.goal_create(
        consortium=consortium, title=goal_title, theme=theme, by=by
    )
    kpi = services.kpi_create(
        goal=goal,
        name=name,
        unit=unit,
        baseline=Decimal(baseline),
        target=Decimal(target),
        due_on=date(2027, 3, 31),
        by=by,
    )
    today = timezone.localdate()
    for months_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
        services.measurement_add(
            kpi=kpi,
            measured_on=today - timedelta(days=30 * months_ago + 1),
            value=Decimal(value),
            by=by,
        )


def _date_moves(consortium: Consortium) -> None:
    """Spread the stage moves between the consortium's start and two weeks ago, as they would have
    happened over the months, instead of all at the moment of seeding."""
    moves = list(StageMove.objects.filter(consortium=consortium).order_by("pk"))
    if not moves or consortium.started_on is None:
        return
    start = datetime.combine(consortium.started_on, time(10), tzinfo=TOKYO) + timedelta(days=30)
    end = timezone.now() - timedelta(days=14)
    step = max(end - start, timedelta(days=len(moves))) / len(moves)
    for index, move in enumerate(moves):
        StageMove.objects.filter(pk=move.pk).update(at=start + step * index)


def seed_workflow(write) -> None:
    from django.apps import apps

    from guidance.reference import sync_reference_data
    from portal.models import User

    sync_reference_data(apps)  # the fixed lists, in case a test flush emptied them
    if Consortium.objects.exists():
        return
    staff = User.objects.filter(email="madoguchi@example.jp").first()
    own = Corporation.objects.filter(number=DEMO_CORPORATION).first()
    if staff is None or own is None or own.latitude is None:
        return
    near = nearest_consenting(corporation=own, count=9)
    if len(near) < 9:
        return
    today = timezone.localdate()
    themes = {t.code: t for t in Theme.objects.all()}

    network = services.consortium_create(
        values={"name": "長野北部介護人材ネットワーク", "form": ConsortiumForm.LOOSE,
                "legal_form": LegalForm.NONE, "area": "長野市・須坂市",
                "municipality": own.municipality, "started_on": date(2026, 4, 1)},
        themes=[themes["workforce"], themes["backoffice"]],
        members=[(own, MemberRole.PROMOTER), (near[0], MemberRole.SECRETARIAT),
                 (near[1], MemberRole.MEMBER)],
        by=staff,
    )  # fmt: skip
    _tick(network, [1], staff)
    services.consortium_move(consortium=network, to_stage=2, by=staff)
    _tick(network, [2], staff, share=0.4)
    # Keep one required item of stage ② open, so the gate to STEP2 has something to say.
    last_required = (
        network.checklist_items.filter(stage=2, required=True).order_by("-position").first()
    )
    if last_required:
        services.checklist_item_update(
            item=last_required,
            values={"status": ItemStatus.DOING, "due_on": today + timedelta(days=14)},
            by=staff,
            version=ChecklistItem.objects.get(pk=last_required.pk).version,
        )
    _kpi(network, staff, "合同採用で新しい仲間を増やす", "workforce", "合同説明会経由の採用者数（年間）",
         "人", "2", "12", ["2", "3", "5", "6", "8", "9"])  # fmt: skip
    _kpi(network, staff, "職員が辞めない職場にする", "workforce", "離職率", "%", "18", "12",
         ["18", "17.5", "16", "15.2", "15"])  # fmt: skip
    services.action_create(consortium=network, title="合同採用説明会の会場を押さえる",
                           owner="事務局", due_on=today - timedelta(days=5), by=staff)  # fmt: skip
    services.action_create(consortium=network, title="新人研修の共同カリキュラム案を作る",
                           owner="推進役", due_on=today + timedelta(days=20), by=staff)  # fmt: skip
    services.activity_add(consortium=network, kind="meeting", title="第3回 定例会議",
                          happened_on=today - timedelta(days=9),
                          note="合同採用説明会の日程と役割分担を話し合った。", by=staff)  # fmt: skip

    alliance = services.consortium_create(
        values={"name": "信州みらい福祉連携推進会議", "form": ConsortiumForm.CLOSE,
                "legal_form": LegalForm.ALLIANCE, "area": "長野地域",
                "municipality": near[2].municipality, "started_on": date(2025, 10, 1)},
        themes=[themes["management"], themes["supplies"], themes["backoffice"]],
        members=[(near[2], MemberRole.PROMOTER), (near[3], MemberRole.SECRETARIAT),
                 (near[4], MemberRole.MEMBER), (near[5], MemberRole.MEMBER)],
        by=staff,
    )  # fmt: skip
    _tick(alliance, [1, 2], staff)
    services.consortium_move(consortium=alliance, to_stage=3, by=staff)
    _tick(alliance, [3], staff, share=0.5)
    _kpi(alliance, staff, "共同購買で仕入れを安くする", "supplies", "おむつの1枚あたり単価", "円",
         "48", "40", ["48", "46", "45"])  # fmt: skip

    running = services.consortium_create(
        values={"name": "千曲川流域 介護事業者協議会", "form": ConsortiumForm.LOOSE,
                "legal_form": LegalForm.NONE, "area": "千曲市・上田市",
                "municipality": near[6].municipality, "started_on": date(2024, 4, 1)},
        themes=[themes["disaster"], themes["workforce"]],
        members=[(near[6], MemberRole.PROMOTER), (near[7], MemberRole.MEMBER),
                 (near[8], MemberRole.MEMBER)],
        by=staff,
    )  # fmt: skip
    for stage in STAGE_NUMBERS[: Stage.EVALUATE - 1]:  # ① … ④, so it stands at ⑤
        if stage == 3:
            # One override into STEP3, as staff record it: which items it skipped, and why.
            _tick(running, [stage], staff, share=0.0, required=False)
            services.consortium_move(
                consortium=running, to_stage=stage + 1, by=staff, override=True,
                reason="災害時の相互応援協定の締結を急ぐため、残りの項目は次回の定例会議で"
                       "埋めることを全員で確認した。",
            )  # fmt: skip
            continue
        _tick(running, [stage], staff)
        services.consortium_move(consortium=running, to_stage=stage + 1, by=staff)
    _kpi(running, staff, "災害時に助け合える体制をつくる", "disaster", "相互応援協定の締結法人数",
         "法人", "0", "3", ["1", "2", "3"])  # fmt: skip

    quiet = services.consortium_create(
        values={"name": "北信地域 小規模事業所の集い", "form": ConsortiumForm.LOOSE,
                "legal_form": LegalForm.NONE, "area": "中野市・飯山市",
                "started_on": date(2026, 2, 1)},
        themes=[themes["backoffice"]],
        members=[(near[8], MemberRole.PROMOTER), (near[1], MemberRole.MEMBER)],
        by=staff,
    )  # fmt: skip
    Consortium.objects.filter(pk=quiet.pk).update(
        last_activity_at=timezone.now() - timedelta(days=75), status=ConsortiumStatus.ACTIVE
    )

    for consortium in (network, alliance, running):
        _date_moves(consortium)

    kinds = {k.code: k for k in ExpertKind.objects.all()}
    # Telephones with the 市外局番 of where each office is (026 長野, 0263 松本).
    experts = [
        ("長野県よろず支援拠点", "yorozu", "長野県よろず支援拠点", "長野県全域", ["management", "backoffice"], "026-000-0101"),
        ("信濃 一郎", "labour-consultant", "しなの社会保険労務士事務所", "長野地域", ["workforce"], "026-000-0102"),
        ("松本 さくら", "cpa", "松本公認会計士事務所", "中信地域", ["management", "lending"], "0263-00-0103"),
        ("善光寺 太郎", "administrative-scrivener", "善光寺行政書士事務所", "長野地域", ["management"], "026-000-0104"),
    ]  # fmt: skip
    for name, kind, organization, region, fields, phone in experts:
        if kind in kinds:
            expert = Expert.objects.create(
                name=name, kind=kinds[kind], organization=organization, region=region,
                contact=phone,
            )  # fmt: skip
            expert.fields.set([themes[f] for f in fields])
    if "labour-consultant" in kinds:
        services.referral_request(
            consortium=network,
            kind=kinds["labour-consultant"],
            request="合同採用した職員の出向や兼務の扱いを相談したい。",
            by=staff,
        )
    write(f"協働体: {Consortium.objects.count()}件（段階②・③・⑤と、動きの止まった1件）")
