"""Factories of the case library: prefectures and tags (reference data), and local cases."""

import factory


class PrefectureFactory(factory.django.DjangoModelFactory):
    """A prefecture; the migration loads all 47, so this returns the loaded row."""

    class Meta:
        model = "cases.Prefecture"
        django_get_or_create = ("code",)

    code = "20"
    name = "長野県"
    kana = "ながのけん"
    region = "chubu"


class TagFactory(factory.django.DjangoModelFactory):
    """A tag of a taxonomy; the migration loads them, so this returns the loaded row."""

    class Meta:
        model = "cases.Tag"
        django_get_or_create = ("kind", "code")

    kind = "operation"
    code = "workforce"
    label = "人材確保・育成"
    description = "共同採用、人事交流、合同研修など"


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
