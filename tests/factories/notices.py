"""Factories of the notice centre: a notice to one person, and a person's choice of delivery."""

import factory

from tests.factories.portal import UserFactory


class NoticeFactory(factory.django.DjangoModelFactory):
    """An unread notice; pass `target=obj` to link it to the object it is about."""

    class Meta:
        model = "notices.Notice"

    recipient = factory.SubFactory(UserFactory)
    kind = "action_due"
    title = factory.Sequence(lambda n: f"期限が近いアクション：合同研修の日程を決める{n}")
    body = "協働体「長野北部介護人材ネットワーク」のアクションの期限は12月25日です。"
    url = "/consortia/"
    key = factory.Sequence(lambda n: f"action-due:{n}")
    delivery = "digest"


class NoticePreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notices.NoticePreference"

    user = factory.SubFactory(UserFactory)
    kind = "introduction_proposed"
    delivery = "digest"
