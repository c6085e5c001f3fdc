"""Window staff curate the library: add, edit, publish, read the history and revert."""

import re

import pytest
from django.urls import reverse

from cases.models import Case
from portal.taxonomy import STAGE_NUMBERS
from tests.factories import CaseFactory


def form_data(**overrides) -> dict:
    data = {
        "name": "諏訪地域介護連携ネット",
        "name_kana": "すわちいきかいごれんけいねっと",
        "short_name": "諏訪ネット",
        "form": "loose",
        "legal_form": "任意団体",
        "prefectures": ["20"],
        "area_scope": "multi_municipality",
        "member_count": "7",
        "summary": "諏訪地域の7法人が、採用と研修を共同で行っています。",
        **{f"stage_{n}": f"段階{n}の説明です。" for n in STAGE_NUMBERS},
        "operations": ["workforce"],
        "reasons": ["staff_shortage"],
        "municipalities_text": "諏訪市、茅野市",
        "key_points_text": "合同説明会を年2回開く\n事務局は持ち回り",
    }
    data.update(overrides)
    return data


def test_staff_add_a_local_case_as_a_draft_then_publish_it(client, staff):
    client.force_login(staff)
    response = client.post(reverse("cases:create"), form_data(), follow=True)
    assert "事例1001を下書きとして保存しました" in response.content.decode()
    case = Case.objects.get(number=1001)
    assert (case.status, case.source_kind) == ("draft", "local")
    assert case.municipalities == ["諏訪市", "茅野市"]
    assert case.key_points == ["合同説明会を年2回開く", "事務局は持ち回り"]
    assert {t.code for t in case.tags.all()} == {"workforce", "staff_shortage"}

    client.logout()
    assert client.get(reverse("cases:detail", args=[1001])).status_code == 404
    client.force_login(staff)
    client.post(reverse("cases:set_status", args=[1001]), {"status": "published"})
    client.logout()
    response = client.get(reverse("cases:index"), {"q": "諏訪"})
    assert "事例1001" in response.content.decode()


def test_missing_stages_and_reserved_numbers_are_explained(client, staff):
    client.force_login(staff)
    html = client.post(reverse("cases:create"), form_data(stage_3="", number="5")).content.decode()
    assert "6つの段階すべてについて書いてください" in html
    assert "1001以降の番号" in html
    assert not Case.objects.filter(name="諏訪地域介護連携ネット").exists()


def test_edit_is_recorded_with_a_readable_diff_and_can_be_reverted(client, staff):
    case = CaseFactory(
        number=1001, stage_4="事務局は持ち回りで担当しました。", tags=[("operation", "workforce")]
    )
    before_edit = case.history.latest()
    versions_before = case.history.count()
    client.force_login(staff)
    page = client.get(reverse("cases:edit", args=[1001]))
    version = page.context["form"].initial["version"]
    data = form_data(
        name=case.name,
        stage_4="事務局を専任の職員1名が担当するようにしました。",
        operations=["workforce", "supplies"],
        version=version,
    )
    client.post(reverse("cases:edit", args=[1001]), data)
    assert case.history.count() == versions_before + 1  # one edit, one version
    case.refresh_from_db()
    assert case.stage_4 == "事務局を専任の職員1名が担当するようにしました。"

    html = client.get(reverse("cases:history", args=[1001])).content.decode()
    assert "<del>" in html and "<ins>" in html  # the changed characters are marked
    html = re.sub(r"</?(del|ins)>", "", html)
    assert "窓口 花子" in html and "編集" in html
    assert "④協働活動の実行" in html
    assert "事務局は持ち回りで担当しました。" in html  # before
    assert "事務局を専任の職員1名が担当するようにしました。" in html  # after
    assert "協働内容：物資等供給" in html

    versions = case.history.count()
    client.post(reverse("cases:revert", args=[1001, before_edit.history_id]), {"confirmed": "yes"})
    case.refresh_from_db()
    assert case.stage_4 == "事務局は持ち回りで担当しました。"
    assert {t.code for t in case.tags.all()} == {"workforce"}
    assert case.history.count() == versions + 1  # the revert is a new version: nothing is lost


def test_second_editor_gets_a_conflict_message_and_nothing_is_overwritten(client, staff):
    CaseFactory(number=1001)
    client.force_login(staff)
    stale = client.get(reverse("cases:edit", args=[1001])).context["form"].initial["version"]
    client.post(
        reverse("cases:edit", args=[1001]), form_data(summary="先に保存した人の概要", version=stale)
    )
    response = client.post(
        reverse("cases:edit", args=[1001]),
        form_data(summary="後から保存した人の概要", version=stale),
    )
    assert "ほかの人がこの事例を更新しました" in response.content.decode()
    assert Case.objects.get(number=1001).summary == "先に保存した人の概要"


def test_an_edit_without_the_version_the_page_showed_is_refused(client, staff):
    CaseFactory(number=1001, summary="元の概要")
    client.force_login(staff)
    response = client.post(reverse("cases:edit", args=[1001]), form_data(summary="新しい概要"))
    assert "どの版を編集していたのかが分からない" in response.content.decode()
    assert Case.objects.get(number=1001).summary == "元の概要"


def test_publishing_a_case_while_its_edit_page_is_open_makes_that_page_stale(client, staff):
    CaseFactory(number=1001, status="draft")
    client.force_login(staff)
    stale = client.get(reverse("cases:edit", args=[1001])).context["form"].initial["version"]
    client.post(reverse("cases:set_status", args=[1001]), {"status": "published"})
    response = client.post(
        reverse("cases:edit", args=[1001]), form_data(summary="古い画面からの概要", version=stale)
    )
    assert "ほかの人がこの事例を更新しました" in response.content.decode()
    assert Case.objects.get(number=1001).summary != "古い画面からの概要"


@pytest.mark.parametrize("role", ["manager", "official"])
@pytest.mark.parametrize("url_name", ["cases:create", "cases:edit", "cases:history"])
def test_only_staff_curate(client, users_by_role, role, url_name):
    CaseFactory(number=1001)
    client.force_login(users_by_role[role])
    args = [] if url_name == "cases:create" else [1001]
    assert client.get(reverse(url_name, args=args)).status_code == 403
    assert (
        client.post(reverse("cases:set_status", args=[1001]), {"status": "draft"}).status_code
        == 403
    )
    assert Case.objects.get(number=1001).status == "published"


def test_anonymous_visitors_are_sent_to_login_for_curation(client, db):
    CaseFactory(number=1001)
    response = client.get(reverse("cases:edit", args=[1001]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
