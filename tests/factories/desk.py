"""Factories of the consultation desk: consultations, their notes and outcomes, and managers'
requests for an introduction."""

import factory

from tests.factories.partners import CorporationFactory, IntroductionFactory
from tests.factories.portal import UserFactory


class ConsultationFactory(factory.django.DjangoModelFactory):
    """A phone consultation staff recorded, not yet assigned; `topics=[challenge code, ...]`."""

    class Meta:
        model = "desk.Consultation"
        skip_postgeneration_save = True

    channel = "phone"
    corporation_name = "社会福祉法人みどり会 特別養護老人ホームみどりの里"
    contact_name = "山本 一郎"
    email = factory.Sequence(lambda n: f"soudan{n}@example.jp")
    phone = "026-245-1234"
    summary = "介護職員の採用を近隣の法人と合同で行いたい"
    message = "求人を出しても応募がなく、近くの法人と合同説明会を開けないか相談したいです。"
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        from partners.models import Challenge

        if create and extracted is not None:
            self.topics.set(Challenge.objects.filter(code__in=extracted))


class ConsultationNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desk.ConsultationNote"

    consultation = factory.SubFactory(ConsultationFactory)
    kind = "call"
    text = "先方に電話し、来週の面談の日程を決めました。"
    by = factory.SubFactory(UserFactory)


class OutcomeFactory(factory.django.DjangoModelFactory):
    """The consultation led to an introduction (pass kind= and its link for another outcome)."""

    class Meta:
        model = "desk.Outcome"

    consultation = factory.SubFactory(ConsultationFactory)
    kind = "introduction"
    introduction = factory.SubFactory(IntroductionFactory)
    by = factory.SubFactory(UserFactory)


class IntroductionRequestFactory(factory.django.DjangoModelFactory):
    """A manager's pending request; `candidates=[corporation, ...]` (one new corporation if not
    given)."""

    class Meta:
        model = "desk.IntroductionRequest"
        skip_postgeneration_save = True

    corporation = factory.SubFactory(CorporationFactory)
    message = "合同研修を一緒に開ける法人を紹介してください。"
    requested_by = factory.SubFactory(UserFactory, manager=True)

    @factory.post_generation
    def candidates(self, create, extracted, **kwargs):
        if create:
            self.candidates.set(extracted if extracted is not None else [CorporationFactory()])
