"""factory_boy factories with realistic Japanese values, one per model."""

from datetime import date
from decimal import Decimal

import factory

from portal.models import ReportJob, Role, User

PASSWORD = "kaigo-kyodo-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    full_name = factory.Iterator(["佐藤 美咲", "鈴木 健一", "高橋 由美子", "田中 誠", "伊藤 直子"])
    role = Role.STAFF
    organization = "介護生産性向上総合相談センター"
    password = factory.django.Password(PASSWORD)

    class Params:
        manager = factory.Trait(
            role=Role.MANAGER,
            organization="社会福祉法人 あおば会",
            corporation_number="7000012050002",
        )
        official = factory.Trait(role=Role.OFFICIAL, organization="健康福祉部 介護支援課")
        superuser = factory.Trait(is_superuser=True, is_staff=True, role=Role.STAFF)


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    kind = "selftest"
    params = factory.LazyFunction(lambda: {"seconds": 0})
    requested_by = factory.SubFactory(UserFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    """A local case; pass prefectures=[...names] and tags=[(kind, code), ...]."""

    class Meta:
        model = "cases.Case"
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: 1001 + n)
    status = "published"
    source_kind = "local"
    name = factory.Sequence(lambda n: f"信州ケア連携ネットワーク{n}")
    name_kana = "しんしゅうけあれんけいねっとわーく"
    form = "loose"
    legal_form = "任意団体"
    area_scope = "multi_municipality"
    member_count = 5
    summary = "長野県内の小規模な介護事業者が、採用と研修を合同で行うために集まった取組です。"
    stage_1 = "人手不足が深刻になり、単独の法人では求人を出しても応募がない状態が続いていました。"
    stage_2 = "まずは合同の研修会を開き、顔を合わせる機会を重ねました。"
    stage_3 = "会則をつくり、年に2回の合同説明会を目標に定めました。"
    stage_4 = "事務局は参加法人の持ち回りとし、合同説明会を開催しました。"
    stage_5 = "応募者数を毎年比べ、定例会で共有しています。"
    stage_6 = "外部の講師を招き、マンネリを防いでいます。"

    @factory.post_generation
    def prefectures(self, create, extracted, **kwargs):
        from cases.models import Prefecture

        names = extracted if extracted is not None else ["長野県"]
        self.prefectures.set(Prefecture.objects.filter(name__in=names))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        from cases.models import Tag
        from cases.services import case_refresh_search_text

        for kind, code in extracted or []:
            self.tags.add(Tag.objects.get(kind=kind, code=code))
        case_refresh_search_text(case=self)


# --- Registry -----------------------------------------------------------------------------------
_CORP_NAMES = ["みどり会", "ひかりケア", "あおば福祉会", "さくら苑", "やまびこ会", "つばさケア"]


def _normalize(text: str) -> str:
    from portal.text import normalize

    return normalize(text)


def _corporate_number(n: int) -> str:
    from portal.validators import corporate_number_check_digit

    base = f"{100000000000 + n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Municipality"
        django_get_or_create = ("code",)

    code = "202011"
    prefecture_name = "長野県"
    name = "長野市"


class CorporationFactory(factory.django.DjangoModelFactory):
    """A corporation; pass sites=[(municipality, lat, lon, service, capacity), ...] to give it
    establishments (derived size and centre are refreshed)."""

    class Meta:
        model = "partners.Corporation"
        skip_postgeneration_save = True

    number = factory.Sequence(_corporate_number)
    name = factory.Sequence(lambda n: f"社会福祉法人{_CORP_NAMES[n % len(_CORP_NAMES)]}{n}")
    kind = "social_welfare"
    search_text = factory.LazyAttribute(lambda o: _normalize(f"{o.name} {o.number}"))

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from partners.models import Establishment
        from partners.services import corporations_refresh_size
        from portal.text import normalize

        for index, (place, lat, lon, service, capacity) in enumerate(extracted):
            number = f"20{self.pk:05d}{index:03d}"
            Establishment.objects.create(
                number=number,
                service_type=service,
                name=f"{self.name}{service}{index}",
                corporation=self,
                municipality=place,
                latitude=lat,
                longitude=lon,
                capacity=capacity,
                search_text=normalize(f"{self.name}{service}{index} {number}"),
            )
        corporations_refresh_size(ids=[self.pk])
        self.refresh_from_db()


def profile_for(corporation, *, challenges=(), themes=(), consent=True, contact="026-111-2222"):
    from partners.models import Challenge, ProviderProfile, Theme

    profile = ProviderProfile.objects.create(
        corporation=corporation,
        consent_matching=consent,
        contact_person="担当 花子",
        contact=contact,
    )
    profile.challenges.set(Challenge.objects.filter(code__in=challenges))
    profile.themes.set(Theme.objects.filter(code__in=themes))
    return profile


def submeeting_with(corporations, *, by, group_size=4, grouped=False, **values):
    """A theme sub-meeting on 人材確保 with these corporations as participants (made through the
    services, as staff would); `grouped` also proposes the groups."""
    from datetime import date

    from partners import services
    from partners.models import Theme

    fields = {
        "title": "人材確保分科会",
        "theme": Theme.objects.get(code="workforce"),
        "held_on": date(2026, 12, 10),
        "place": "長野市",
        "online": False,
        "group_size": group_size,
        "note": "",
        **values,
    }
    meeting = services.submeeting_create(values=fields, by=by)
    services.submeeting_add(meeting=meeting, corporations=list(corporations), by=by)
    if grouped:
        services.submeeting_group(meeting=meeting, group_size=group_size, by=by)
    return meeting


# --- Introductions and the three-STEP workflow -------------------------------------------------------
# Rows as they stand after the services wrote them (no history user, no events): for tests that need
# a workflow in place; tests of the writes themselves go through the services.
class IntroductionFactory(factory.django.DjangoModelFactory):
    """An introduction the window proposed; `parties=[corporation, ...]` adds its parties."""

    class Meta:
        model = "partners.Introduction"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"人材確保・育成に関する紹介{n}")
    note = "採用と研修の悩みが共通しているため、顔合わせをおすすめします。"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        for corporation in (extracted or []) if create else []:
            IntroductionPartyFactory(introduction=self, corporation=corporation)


class IntroductionPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.IntroductionParty"

    introduction = factory.SubFactory(IntroductionFactory)
    corporation = factory.SubFactory(CorporationFactory)


class ConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Consortium"

    name = factory.Sequence(lambda n: f"長野北部介護人材ネットワーク{n}")
    form = "loose"
    area = "長野市・須坂市"
    municipality = factory.SubFactory(MunicipalityFactory)
    started_on = factory.LazyFunction(lambda: date(2026, 4, 1))
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    """An accepted member; `state="invited"` for an invitation not answered yet."""

    class Meta:
        model = "guidance.Membership"

    consortium = factory.SubFactory(ConsortiumFactory)
    corporation = factory.SubFactory(CorporationFactory)
    role = "member"
    joined_on = factory.LazyFunction(lambda: date(2026, 4, 1))


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.ChecklistItem"

    consortium = factory.SubFactory(ConsortiumFactory)
    stage = 1
    title = factory.Sequence(lambda n: f"参加法人の困りごとを持ち寄る{n}")
    guidance = "人手不足や研修の悩みを、各法人の担当者が一つずつ書き出します。"
    required = True
    position = factory.Sequence(lambda n: n)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Goal"

    consortium = factory.SubFactory(ConsortiumFactory)
    title = "職員の定着"


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Kpi"

    goal = factory.SubFactory(GoalFactory)
    name = "離職率"
    unit = "%"
    baseline = factory.LazyFunction(lambda: Decimal(20))
    target = factory.LazyFunction(lambda: Decimal(10))


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Measurement"

    kpi = factory.SubFactory(KpiFactory)
    measured_on = factory.LazyFunction(lambda: date(2026, 10, 1))
    value = factory.LazyFunction(lambda: Decimal(15))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Action"

    consortium = factory.SubFactory(ConsortiumFactory)
    title = "合同研修の日程を決める"
    owner = "事務局"
    due_on = factory.LazyFunction(lambda: date(2026, 12, 25))


# --- Support programmes and model documents ----------------------------------------------------
class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.Programme"

    code = factory.Sequence(lambda n: f"nagano-programme-{n}")
    name = factory.Sequence(lambda n: f"長野県 介護事業者連携推進事業{n}")
    phases = factory.LazyFunction(lambda: ["implement"])
    stages = factory.LazyFunction(lambda: [3, 4])
    runner = "prefecture"
    gives = "subsidy"
    summary = "県内の介護事業者が共同で行う研修や求人の費用の一部を県が補助します。"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.Document"

    slug = factory.Sequence(lambda n: f"model-document-{n}")
    title = factory.Sequence(lambda n: f"合同研修の実施要領のひな形{n}")
    kind = "workflow"
    summary = "参加法人が合同で研修を開くときの役割分担と日程の決め方をまとめたひな形です。"
    stages = factory.LazyFunction(lambda: [4])
    themes = factory.LazyFunction(lambda: ["workforce"])
    visibility = "public"


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.DocumentVersion"

    document = factory.SubFactory(DocumentFactory)
    number = 1
    body = "1　研修のテーマと講師の決め方\n2　会場と日程\n3　費用の分担"
