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
    assert f"evidence/{ours.pk}/{item.pk}/" not in html  # no storage path
    assert "/media/" not in html  # no media link that would 404
    assert "現在:" not in html and "evidence_file-clear" not in html  # not Django's raw widget
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


def test_a_lead_corrects_and_deletes_an_action_and_the_history_keeps_it(client, world, staff):
    from guidance import services
    from guidance.models import Action
    from portal.confirm import REFUSED

    ours = world["ours"]
    action = services.action_create(consortium=ours, title="会場を押さえる", owner="事務局",
                                    due_on=None, by=staff)  # fmt: skip
    client.force_login(world["promoter"])
    edit = reverse("guidance:action_edit", args=[ours.pk, action.pk])
    assert edit in client.get(reverse("guidance:actions", args=[ours.pk])).content.decode()
    response = client.post(edit, {"title": "公民館の会場を押さえる", "owner": "推進役"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner) == ("公民館の会場を押さえる", "推進役")

    delete = reverse("guidance:action_delete", args=[ours.pk, action.pk])
    refused = client.post(delete)
    assert refused.status_code == 400 and REFUSED in refused.content.decode()
    client.post(delete, {"confirmed": "yes"})
    assert not Action.objects.filter(pk=action.pk).exists()
    titles = list(Action.history.filter(id=action.pk).values_list("title", "history_type"))
    assert ("会場を押さえる", "+") in titles and ("公民館の会場を押さえる", "-") in titles
    # A member who is not a lead may not change actions.
    other = services.action_create(consortium=ours, title="名簿を作る", owner="", due_on=None,
                                   by=staff)  # fmt: skip
    client.force_login(world["member"])
    url = reverse("guidance:action_edit", args=[ours.pk, other.pk])
    assert client.get(url).status_code == 403


def test_members_correct_their_own_activity_entries_only(client, world, staff):
    from guidance import services
    from guidance.models import Activity

    ours = world["ours"]
    today = timezone.localdate()
    mine = services.activity_add(consortium=ours, kind="meeting", title="第1回会議",
                                 happened_on=today, by=world["member"])  # fmt: skip
    theirs = services.activity_add(consortium=ours, kind="note", title="推進役の記録",
                                   happened_on=today, by=world["promoter"])  # fmt: skip
    client.force_login(world["member"])
    page = client.get(reverse("guidance:actions", args=[ours.pk])).content.decode()
    assert reverse("guidance:activity_edit", args=[ours.pk, mine.pk]) in page
    assert reverse("guidance:activity_edit", args=[ours.pk, theirs.pk]) not in page
    url = reverse("guidance:activity_edit", args=[ours.pk, theirs.pk])
    assert client.get(url).status_code == 403

    edit = reverse("guidance:activity_edit", args=[ours.pk, mine.pk])
    values = {"kind": "meeting", "title": "第1回連携会議", "happened_on": today.isoformat(),
              "note": "8法人が参加", "url": ""}  # fmt: skip
    assert client.post(edit, values).status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.note) == ("第1回連携会議", "8法人が参加")
    delete = reverse("guidance:activity_delete", args=[ours.pk, mine.pk])
    client.post(delete, {"confirmed": "yes"})
    assert not Activity.objects.filter(pk=mine.pk).exists()
    history = Activity.history.filter(id=mine.pk).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~", "-"]
    assert history.last().history_user == world["member"]
