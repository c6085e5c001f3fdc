"""Cached case pages and lists change the moment a case does, and each audience gets its own."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.models import Case, Tag
from cases.services import case_set_status, case_update
from cases.state import LIBRARY, library_state
from tests.factories import CaseFactory


def titles(response) -> list[str]:
    return re.findall(r'<span class="case-no">事例(\d+)</span>', response.content.decode())


@pytest.fixture
def library(db):
    return {
        "recruit": CaseFactory(
            number=1001,
            name="安曇野ケアサポート会",
            tags=[("operation", "workforce"), ("reason", "staff_shortage")],
        ),
        "disaster": CaseFactory(
            number=1002, name="上田災害時相互応援ネット", tags=[("operation", "disaster")]
        ),
        "meals": CaseFactory(number=1003, name="松本給食共同センター"),
        "draft": CaseFactory(number=1004, status="draft", name="下書きの事例"),
    }


def detail(client, number: int):
    return client.get(reverse("cases:detail", args=[number]))


def edit_values(case: Case, **changes) -> dict:
    from cases.services import EDITABLE_FIELDS, TAG_KEYS

    values = {field: getattr(case, field) for field in EDITABLE_FIELDS}
    for key, kind in TAG_KEYS.items():
        values[key] = [t.code for t in case.tags.all() if t.kind == kind]
    values["prefectures"] = [p.name for p in case.prefectures.all()]
    return {**values, **changes}


@pytest.mark.parametrize("as_staff", [False, True])
def test_an_edited_case_shows_at_once_on_its_page_and_in_the_list(client, library, staff, as_staff):
    if as_staff:
        client.force_login(staff)
    case = library["disaster"]
    assert "上田災害時相互応援ネット" in detail(client, 1002).content.decode()
    assert "上田災害時相互応援ネット" in client.get(reverse("cases:index")).content.decode()
    case_update(
        case=case,
        values=edit_values(case, name="上田広域災害応援ネット"),
        by=staff,
        version=case.version,
    )
    page = detail(client, 1002).content.decode()
    assert "上田広域災害応援ネット" in page and "上田災害時相互応援ネット" not in page
    listing = client.get(reverse("cases:index")).content.decode()
    assert "上田広域災害応援ネット" in listing and "上田災害時相互応援ネット" not in listing


def test_a_withdrawn_case_leaves_the_visitors_pages_at_once(client, library, staff):
    assert detail(client, 1003).status_code == 200
    assert "1003" in titles(client.get(reverse("cases:index")))
    case_set_status(case=library["meals"], status="draft", by=staff)
    assert detail(client, 1003).status_code == 410
    assert "1003" not in titles(client.get(reverse("cases:index")))
    client.force_login(staff)
    assert "下書き（非公開）" in detail(client, 1003).content.decode()


def test_a_published_draft_shows_to_visitors_at_once(client, library, staff):
    assert detail(client, 1004).status_code == 404
    case_set_status(case=library["draft"], status="published", by=staff)
    assert "下書きの事例" in detail(client, 1004).content.decode()
    assert "1004" in titles(client.get(reverse("cases:index")))


def test_staff_never_get_the_visitors_cached_page_and_visitors_never_get_staffs(
    client, library, staff
):
    visitor = detail(client, 1002).content.decode()
    assert "編集する" not in visitor
    client.force_login(staff)
    for _again in range(2):  # rendered, then from the cache
        page = detail(client, 1002).content.decode()
        assert "編集する" in page and "窓口 花子 さん" in page
    assert detail(client, 1004).status_code == 200  # staff's rendering of a draft is cached
    client.logout()
    for _again in range(2):
        page = detail(client, 1002).content.decode()
        assert "編集する" not in page and "窓口 花子" not in page
    assert detail(client, 1004).status_code == 404


def test_a_write_outside_the_services_renews_the_pages(client, library):
    """The admin, loaddata and history reverts save through the ORM: its signals renew the
    version, even when nothing a count or latest update time would see has changed."""
    assert "外国人材・人材確保" not in client.get(reverse("cases:index")).content.decode()
    tag = Tag.objects.get(kind="operation", code="workforce")
    tag.label = "外国人材・人材確保"
    tag.save()
    assert "外国人材・人材確保" in client.get(reverse("cases:index")).content.decode()
    assert "外国人材・人材確保" in detail(client, 1001).content.decode()
    case = Case.objects.get(number=1001)
    case.summary = "管理画面で書き直した概要です。"
    case.save()
    assert "管理画面で書き直した概要です。" in detail(client, 1001).content.decode()


def test_the_version_is_renewed_by_a_write_and_again_by_its_commit(
    db, django_capture_on_commit_callbacks
):
    before = library_state()
    assert library_state() == before  # kept in the cache
    with django_capture_on_commit_callbacks(execute=True):
        CaseFactory(number=1201)
        during = library_state()
        assert during != before  # this transaction's own reads see their write
    assert library_state() not in (before, during)  # others' reads after the commit


def test_a_lost_version_is_drawn_anew_and_the_pages_stay_right(client, library, staff):
    assert detail(client, 1003).status_code == 200
    cache.delete(LIBRARY.key)
    Case.objects.filter(number=1003).update(status="draft")  # no signal, and the version is lost
    assert detail(client, 1003).status_code == 410


@pytest.mark.parametrize("query", ["研修", "災害 協定", "ｹｱ", "ネット", "存在しない語", "ict"])
def test_the_lists_search_in_memory_finds_what_the_database_search_finds(client, db, query):
    for n, summary in enumerate(
        ["合同研修と災害時の協定", "ICTで請求事務", "ケアの研修ネットワーク", "給食の共同調達"]
    ):
        CaseFactory(number=1100 + n, summary=summary)
    expected = sorted(
        str(n) for n in Case.objects.published().matching(query).values_list("number", flat=True)
    )
    assert sorted(titles(client.get(reverse("cases:index"), {"q": query}))) == expected
    assert (query != "研修") or "1100" in expected  # the database search does find


def test_a_plain_visitors_case_page_carries_no_token_and_is_served_whole_from_the_cache(
    client, library, django_assert_num_queries
):
    first = detail(client, 1002)
    assert "X-CSRFToken" not in first.content.decode() and not first.cookies
    with django_assert_num_queries(0):
        again = detail(client, 1002)
    assert again.content == first.content
    assert again["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in again


def test_a_visitor_with_a_session_gets_a_page_of_their_own(client, library, staff):
    from django.conf import settings

    detail(client, 1002)  # the plain visitors' page, cached
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    page = detail(client, 1002).content.decode()
    assert "X-CSRFToken" in page and "上田災害時相互応援ネット" in page
    client.force_login(staff)
    page = detail(client, 1002).content.decode()
    assert "編集する" in page and "窓口 花子 さん" in page and "X-CSRFToken" in page
