"""What the registry tells people about introductions (raised from partners.services and the
morning scan). Recipients and words follow partners/access.py: a party's managers hear only of
introductions their corporation is party to (`sees_introduction`), and no notice carries
contact details or the name of a corporation they may not see (`sees_name`)."""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notices.models import NoticeKind
from notices.selectors import managers_of
from notices.services import notify
from partners.access import RegistryViewer
from partners.models import Introduction, IntroductionParty, IntroductionStatus, PartyResponse


def _url(introduction: Introduction) -> str:
    return reverse("partners:introduction", args=[introduction.pk])


def _party_managers(introduction: Introduction, parties=None) -> list:
    parties = list(parties if parties is not None else introduction.parties.all())
    users = managers_of([p.corporation.number for p in parties])
    return [u for u in users if RegistryViewer(u).sees_introduction(introduction)]


def _proposer(introduction: Introduction) -> list:
    user = introduction.created_by
    return [user] if user is not None and RegistryViewer(user).staff else []


def proposed(introduction: Introduction) -> None:
    count = introduction.parties.count()
    notify(
        recipients=_party_managers(introduction),
        kind=NoticeKind.INTRODUCTION_PROPOSED,
        title=f"紹介のご提案：{introduction.title}",
        body=f"窓口から、貴法人を含む{count}法人の紹介を提案しました。"
        "紹介のページで、承諾するか辞退するかをお答えください。"
        "全員が承諾すると、互いの連絡先が表示されます。",
        url=_url(introduction),
        obj=introduction,
        key=f"introduction:{introduction.pk}:proposed",
    )


def answered(introduction: Introduction, party: IntroductionParty) -> None:
    """The proposer (window staff, who see every party) hears each answer."""
    notify(
        recipients=_proposer(introduction),
        kind=NoticeKind.INTRODUCTION_ANSWERED,
        title=f"{party.corporation.name}が紹介「{introduction.title}」に"
        f"{party.get_response_display()}と回答しました",
        url=_url(introduction),
        obj=introduction,
        key=f"introduction:{introduction.pk}:answer:{party.pk}",
    )


def settled(introduction: Introduction) -> None:
    """Accepted by all (contact details open on the page, not in the notice), or declined (no
    word of who declined: a manager may not see that corporation's name)."""
    recipients = _party_managers(introduction) + _proposer(introduction)
    if introduction.status == IntroductionStatus.ACCEPTED:
        notify(
            recipients=recipients,
            kind=NoticeKind.INTRODUCTION_ACCEPTED,
            title=f"紹介「{introduction.title}」を全員が承諾しました",
            body="紹介のページで、互いの連絡先を確認できます。",
            url=_url(introduction),
            obj=introduction,
            key=f"introduction:{introduction.pk}:accepted",
        )
    elif introduction.status == IntroductionStatus.DECLINED:
        notify(
            recipients=recipients,
            kind=NoticeKind.INTRODUCTION_DECLINED,
            title=f"紹介「{introduction.title}」は辞退があったため見送りとなりました",
            body="ほかの組み合わせについては、窓口にご相談ください。",
            url=_url(introduction),
            obj=introduction,
            key=f"introduction:{introduction.pk}:declined",
        )


def scan_waiting(*, today: date) -> int:
    """Parties that have not answered an open introduction after NOTICE_INTRODUCTION_WAIT_DAYS
    days: their managers are reminded, again every as many days."""
    every = max(settings.NOTICE_INTRODUCTION_WAIT_DAYS, 1)
    parties = (
        IntroductionParty.objects.filter(
            response=PartyResponse.PENDING,
            introduction__status__in=[IntroductionStatus.PROPOSED, IntroductionStatus.CONTACTED],
        )
        .select_related("introduction", "corporation")
        .prefetch_related("introduction__parties__corporation")
        .order_by("pk")
    )
    made = 0
    for party in parties:
        introduction = party.introduction
        waited = (today - timezone.localdate(introduction.created_at)).days
        if waited < every:
            continue
        made += len(
            notify(
                recipients=_party_managers(introduction, [party]),
                kind=NoticeKind.INTRODUCTION_WAITING,
                title=f"紹介「{introduction.title}」へのご回答をお待ちしています",
                body=f"提案から{waited}日が過ぎました。"
                "紹介のページで、承諾するか辞退するかをお答えください。",
                url=_url(introduction),
                obj=introduction,
                key=f"introduction:{introduction.pk}:waiting:{party.pk}:{waited // every}",
            )
        )
    return made
