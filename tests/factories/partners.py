"""Factories of the provider registry (municipalities, corporations, establishments, imports),
the survey of intentions, introductions, theme sub-meetings and the matching weights."""

import hashlib
from datetime import date, time
from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories.portal import UserFactory

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


class ImportRunFactory(factory.django.DjangoModelFactory):
    """A finished import of one prefecture's file of the national open data."""

    class Meta:
        model = "partners.ImportRun"

    kind = "establishments"
    file_name = factory.Sequence(lambda n: f"jigyosho_150_{n}.csv")
    file_hash = factory.Sequence(lambda n: hashlib.sha256(f"import-{n}".encode()).hexdigest())
    started_by = factory.SubFactory(UserFactory)
    finished_at = factory.LazyFunction(timezone.now)
    status = "done"
    rows = 120
    created = 100
    updated = 15
    unchanged = 5
    progress = 100
    as_of = factory.LazyFunction(lambda: date(2026, 6, 30))
    prefecture = "長野県"


class EstablishmentFactory(factory.django.DjangoModelFactory):
    """One service of one establishment (a day service in 長野市 by default)."""

    class Meta:
        model = "partners.Establishment"

    # Far from the numbers CorporationFactory(sites=...) gives (20 + the corporation's pk).
    number = factory.Sequence(lambda n: f"20{90000000 + n:08d}")
    service_type = "通所介護"
    name = factory.Sequence(lambda n: f"デイサービスセンターみどり{n}")
    kana = "デイサービスセンターミドリ"
    corporation = factory.SubFactory(CorporationFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    address = "長野県長野市大字鶴賀緑町1613"
    latitude = factory.LazyFunction(lambda: Decimal("36.648600"))
    longitude = factory.LazyFunction(lambda: Decimal("138.194200"))
    phone = "026-226-4911"
    capacity = 30
    search_text = factory.LazyAttribute(lambda o: _normalize(f"{o.name} {o.number}"))


# --- The survey of intentions -------------------------------------------------------------------
class ChallengeFactory(factory.django.DjangoModelFactory):
    """A management challenge; the migration loads the fixed list, so this returns its row."""

    class Meta:
        model = "partners.Challenge"
        django_get_or_create = ("code",)

    code = "recruiting"
    label = "人材確保（採用）"


class ThemeFactory(factory.django.DjangoModelFactory):
    """A theme of interest; the migration loads the fixed list, so this returns its row."""

    class Meta:
        model = "partners.Theme"
        django_get_or_create = ("code",)

    code = "workforce"
    label = "人材確保・育成"
    position = 4


class ProviderProfileFactory(factory.django.DjangoModelFactory):
    """A corporation's answers to the survey; `challenges=[code, ...]`, `themes=[code, ...]`."""

    class Meta:
        model = "partners.ProviderProfile"
        skip_postgeneration_save = True

    corporation = factory.SubFactory(CorporationFactory)
    consent_matching = True
    contact_person = "担当 花子"
    contact = "026-111-2222"

    @factory.post_generation
    def challenges(self, create, extracted, **kwargs):
        from partners.models import Challenge

        if create and extracted is not None:
            self.challenges.set(Challenge.objects.filter(code__in=extracted))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        from partners.models import Theme

        if create and extracted is not None:
            self.themes.set(Theme.objects.filter(code__in=extracted))


def profile_for(corporation, *, challenges=(), themes=(), consent=True, contact="026-111-2222"):
    return ProviderProfileFactory(
        corporation=corporation,
        challenges=challenges,
        themes=themes,
        consent_matching=consent,
        contact=contact,
    )


# --- Introductions ------------------------------------------------------------------------------
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


class IntroductionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.IntroductionEvent"

    introduction = factory.SubFactory(IntroductionFactory)
    status = "proposed"
    by = factory.SubFactory(UserFactory)
    text = factory.LazyAttribute(lambda o: f"{o.by.full_name} が紹介を提案しました")


# --- Theme sub-meetings -------------------------------------------------------------------------
class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    """A monthly salon on the second Wednesday (first on 2026年12月9日)."""

    class Meta:
        model = "partners.MeetingSeries"

    title = factory.Sequence(lambda n: f"介護人材サロン{n}")
    theme = factory.SubFactory(ThemeFactory)
    frequency = "monthly"
    first_on = factory.LazyFunction(lambda: date(2026, 12, 9))
    starts_at = factory.LazyFunction(lambda: time(14, 0))
    ends_at = factory.LazyFunction(lambda: time(16, 0))
    place = "長野県社会福祉総合センター"
    capacity = 20
    created_by = factory.SubFactory(UserFactory)


class SubMeetingFactory(factory.django.DjangoModelFactory):
    """A sub-meeting on 人材確保 with nobody invited yet (made as submeeting_create leaves it)."""

    class Meta:
        model = "partners.SubMeeting"

    title = factory.Sequence(lambda n: f"人材確保分科会{n}")
    theme = factory.SubFactory(ThemeFactory)
    held_on = factory.LazyFunction(lambda: date(2026, 12, 10))
    starts_at = factory.LazyFunction(lambda: time(14, 0))
    ends_at = factory.LazyFunction(lambda: time(16, 0))
    place = "長野市"
    group_size = 4
    created_by = factory.SubFactory(UserFactory)


class SubMeetingParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.SubMeetingParticipant"

    meeting = factory.SubFactory(SubMeetingFactory)
    corporation = factory.SubFactory(CorporationFactory)


class MeetingMailFactory(factory.django.DjangoModelFactory):
    """An invitation mail not sent yet."""

    class Meta:
        model = "partners.MeetingMail"

    participant = factory.SubFactory(SubMeetingParticipantFactory)
    kind = "invitation"
    recipients = factory.LazyFunction(lambda: ["jigyosha@example.jp"])


class MeetingQuestionnaireFactory(factory.django.DjangoModelFactory):
    """A participant's answers before the meeting; `challenges=[code, ...]`, `themes=[code, ...]`."""

    class Meta:
        model = "partners.MeetingQuestionnaire"
        skip_postgeneration_save = True

    participant = factory.SubFactory(SubMeetingParticipantFactory)
    comment = "新人職員の定着について、ほかの法人の工夫を聞きたいです。"
    answered_by = factory.SubFactory(UserFactory, manager=True)

    @factory.post_generation
    def challenges(self, create, extracted, **kwargs):
        from partners.models import Challenge

        if create and extracted is not None:
            self.challenges.set(Challenge.objects.filter(code__in=extracted))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        from partners.models import Theme

        if create and extracted is not None:
            self.themes.set(Theme.objects.filter(code__in=extracted))


class MatchWeightsFactory(factory.django.DjangoModelFactory):
    """The window's weights (one row in use: the first); staff put the region first here."""

    class Meta:
        model = "partners.MatchWeights"

    region = 40
    size = 10
    challenges = 20
    themes = 20
    services = 10


def submeeting_with(corporations, *, by, group_size=4, grouped=False, **values):
    """A theme sub-meeting on 人材確保 with these corporations as participants (made through the
    services, as staff would); `grouped` also proposes the groups."""
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
