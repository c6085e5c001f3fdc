"""Factories of the portal core: users in their roles, report jobs and rendered reports."""

import hashlib

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


class ReportArtifactFactory(factory.django.DjangoModelFactory):
    """The render a job claimed (status 作成中, as the row stands while the job renders)."""

    class Meta:
        model = "portal.ReportArtifact"

    fingerprint = factory.Sequence(lambda n: hashlib.sha256(f"selftest-{n}".encode()).hexdigest())
    kind = "selftest"
    job = factory.SubFactory(ReportJobFactory)
