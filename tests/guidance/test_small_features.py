"""Small things a daily user reaches for on the consortium pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from guidance.models import Consortium
from partners import services as partner_services
from partners.models import Corporation

pytestmark = pytest.mark.django_db


def accepted_introduction(staff):
    a, b = Corporation.objects.all()[:2]
    intro = partner_services.introduction_propose(corporations=[a, b], title="", by=staff)
    partner_services.introduction_move(introduction=intro, to="contacted", by=staff)
    for party in (a, b):
        partner_services.introduction_record_answer(
            introduction=intro, corporation=party, accept=True, channel="phone",
            received_on=timezone.localdate(), by=staff,
        )  # fmt: skip
    return intro


def test_the_from_introduction_page_says_the_consortium_already_exists(client, staff, world):
    intro = accepted_introduction(staff)
    client.force_login(staff)
    url = reverse("guidance:from_introduction", args=[intro.pk])
    assert client.post(url, {"name": "新しい連携", "form": "loose"}).status_code == 302
    made = Consortium.objects.get(introduction=intro)

    page = client.get(url)
    html = page.content.decode()
    assert "この紹介からは、すでに協働体を作っています。" in html
    assert reverse("guidance:detail", args=[made.pk]) in html
    assert "協働体を作る</button>" not in html
    again = client.post(url, {"name": "二つ目の連携", "form": "loose"})
    assert again.status_code == 409
    assert Consortium.objects.filter(introduction=intro).count() == 1


def test_the_evidence_file_is_listed_by_name_and_served_through_the_portal(
    client, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    ours = world["ours"]
    item = ours.checklist_items.first()
    client.force_login(world["promoter"])
    url = reverse("guidance:item", args=[ours.pk, item.pk])
    base = {"status": "done", "owner": "", "note": "", "evidence_url": "", "version": item.version}
    upload = SimpleUploadedFile("議事録.pdf", b"%PDF-1.4 minutes", "application/pdf")
    assert client.post(url, {**base, "evidence_file": upload}).status_code == 302

    html = client.get(url).content.decode()
    download = reverse("guidance:evidence", args=[ours.pk, item.pk])
    assert f'<a href="{download}">議事録.pdf</a>' in html
    assert "evidence/" not in html  # no storage path, no media link
    assert "現在" not in html and "クリア" not in html and "変更" not in html
    assert "添付済みのファイルを外す" in html

    item.refresh_from_db()
    removed = {**base, "version": item.version, "remove_evidence": "on"}
    assert client.post(url, removed).status_code == 302
    item.refresh_from_db()
    assert not item.evidence_file
    assert item.history.filter(evidence_file__endswith="議事録.pdf").exists()  # kept in history
    assert "まだ添付されていません。" in client.get(url).content.decode()


def test_the_dashboard_year_selector_shows_the_chosen_year(client, staff, world):
    from portal.periods import current_fiscal_year, fiscal_year_label

    this_year = current_fiscal_year()
    client.force_login(staff)
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert f"{fiscal_year_label(this_year)}の紹介と事例" in html
    assert f'<option value="{this_year}" selected>' in html
    last = this_year - 1
    html = client.get(reverse("oversight:dashboard"), {"year": str(last)}).content.decode()
    assert f"{fiscal_year_label(last)}の紹介と事例" in html
    assert f'<option value="{last}" selected>' in html
    # The report button makes the report of the year shown.
    assert f'<input type="hidden" name="fiscal_year" value="{last}">' in html
    # A year outside the list falls back to this one.
    html = client.get(reverse("oversight:dashboard"), {"year": "1900"}).content.decode()
    assert f"{fiscal_year_label(this_year)}の紹介と事例" in html
