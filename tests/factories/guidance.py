"""Factories of the three-STEP workflow: consortia, members, checklists, stage moves, goals and
KPIs, actions, activity, and the experts the window can call."""

from datetime import date
from decimal import Decimal

import factory

from tests.factories.partners import CorporationFactory, MunicipalityFactory
from tests.factories.portal import UserFactory

# Rows as they stand after the services wrote them (no history user, no events): for tests that need
# a workflow in place; tests of the writes themselves go through the services.


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


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    """An item of the model checklist; the migration loads them, so this returns the loaded row."""

    class Meta:
        model = "guidance.ChecklistTemplate"
        django_get_or_create = ("code",)

    code = "s1-shared-problem"
    stage = 1
    title = "共有する課題を文書にし、参加者で合意している"
    guidance = "人手不足や研修の悩みを、各法人の担当者が一つずつ書き出して持ち寄ります。"
    required = True
    role = "promoter"


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.ChecklistItem"

    consortium = factory.SubFactory(ConsortiumFactory)
    stage = 1
    title = factory.Sequence(lambda n: f"参加法人の困りごとを持ち寄る{n}")
    guidance = "人手不足や研修の悩みを、各法人の担当者が一つずつ書き出します。"
    required = True
    position = factory.Sequence(lambda n: n)


class StageMoveFactory(factory.django.DjangoModelFactory):
    """A move from ① to ② with every required item settled (no override)."""

    class Meta:
        model = "guidance.StageMove"

    consortium = factory.SubFactory(ConsortiumFactory, stage=2)
    from_stage = 1
    to_stage = 2
    reason = "課題を共有できたので、合同研修を試しに開きます。"
    by = factory.SubFactory(UserFactory)


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
    by = factory.SubFactory(UserFactory)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Action"

    consortium = factory.SubFactory(ConsortiumFactory)
    title = "合同研修の日程を決める"
    owner = "事務局"
    due_on = factory.LazyFunction(lambda: date(2026, 12, 25))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.Activity"

    consortium = factory.SubFactory(ConsortiumFactory)
    kind = "meeting"
    title = "第2回 定例会"
    happened_on = factory.LazyFunction(lambda: date(2026, 11, 12))
    note = "合同研修の講師の候補を3人に絞りました。"
    by = factory.SubFactory(UserFactory)


class ExternalPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "guidance.ExternalPartner"

    consortium = factory.SubFactory(ConsortiumFactory)
    name = "長野県社会福祉協議会"
    kind = "agency"
    role = "合同研修の会場と講師の紹介"


class ExpertKindFactory(factory.django.DjangoModelFactory):
    """A kind of expert; the migration loads them, so this returns the loaded row."""

    class Meta:
        model = "guidance.ExpertKind"
        django_get_or_create = ("code",)

    code = "labour-consultant"
    label = "社会保険労務士"
    helps_with = "就業規則や人事制度を参加法人のあいだでそろえるときの相談"
    stages = factory.LazyFunction(lambda: [3, 4])


class ExpertFactory(factory.django.DjangoModelFactory):
    """An expert in the window's directory; `fields=[theme code, ...]`."""

    class Meta:
        model = "guidance.Expert"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"社会保険労務士 山田 一郎{n}")
    kind = factory.SubFactory(ExpertKindFactory)
    organization = "やまだ社会保険労務士事務所"
    region = "長野県北信地域"
    contact = "026-234-5678"

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        from partners.models import Theme

        if create and extracted is not None:
            self.fields.set(Theme.objects.filter(code__in=extracted))


class ReferralFactory(factory.django.DjangoModelFactory):
    """A consortium's request for an expert, not arranged yet."""

    class Meta:
        model = "guidance.Referral"

    consortium = factory.SubFactory(ConsortiumFactory)
    kind = factory.SubFactory(ExpertKindFactory)
    stage = 3
    request = "参加法人の就業規則をそろえたいので、社会保険労務士を紹介してください。"
    requested_by = factory.SubFactory(UserFactory)
