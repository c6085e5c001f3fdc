"""A visitor browses the case library: facets, search, sorting, pages and drafts."""

import re

import pytest
from django.urls import reverse

from tests.factories import CaseFactory


def titles(response) -> list[str]:
    return re.findall(r'<span class="case-no">事例(\d+)</span>', response.content.decode())


def heading(response) -> str:
    return re.search(r'<h2 id="results-heading"[^>]*>([^<]*)', response.content.decode()).group(1)


@pytest.fixture
def library(db):
    return {
        "recruit": CaseFactory(
            number=1001,
            name="安曇野ケアサポート会",
            summary="外国人材の受入れと合同研修に取り組むネットワークです。",
            tags=[("operation", "workforce"), ("reason", "staff_shortage")],
        ),
        "disaster": CaseFactory(
            number=1002,
            name="上田災害時相互応援ネット",
            form="close",
            legal_form="社会福祉連携推進法人",
            member_count=12,
            summary="災害時に職員を派遣し合う協定を結び、BCPを共同で策定しました。",
            tags=[("operation", "disaster"), ("operation", "workforce")],
        ),
        "meals": CaseFactory(
            number=1003,
            name="松本給食共同センター",
            prefectures=["岐阜県"],
            member_count=None,
            summary="給食の共同調達とICTによる請求事務の効率化を進めています。",
            tags=[("operation", "supplies"), ("operation", "backoffice")],
        ),
        "draft": CaseFactory(number=1004, status="draft", name="下書きの事例"),
    }


def test_anonymous_visitor_sees_published_cases_only(client, library):
    response = client.get(reverse("cases:index"))
    assert response.status_code == 200
    assert titles(response) == ["1001", "1002", "1003"]
    assert client.get(reverse("cases:detail", args=[1004])).status_code == 404


def test_staff_also_see_drafts(client, library, staff):
    client.force_login(staff)
    assert "1004" in titles(client.get(reverse("cases:index")))
    assert client.get(reverse("cases:detail", args=[1004])).status_code == 200


def test_values_of_one_facet_combine_with_or_and_facets_with_and(client, library):
    url = reverse("cases:index")
    either = client.get(url, {"operation": ["disaster", "supplies"]})
    assert titles(either) == ["1002", "1003"]
    both = client.get(url, {"operation": ["workforce"], "form": ["close"]})
    assert titles(both) == ["1002"]


def test_facet_counts_follow_the_other_filters(client, library):
    html = client.get(reverse("cases:index"), {"form": "loose"}).content.decode()
    # Operations counted among loose cases only; the form facet still offers "close" (1).
    assert re.search(r'value="workforce"[^>]*> 人材確保・育成 <span class="count">（1）', html)
    assert re.search(r'value="close"[^>]*> 緊密な連携 <span class="count">（1）', html)


def test_prefecture_and_member_band_facets(client, library):
    url = reverse("cases:index")
    assert titles(client.get(url, {"prefecture": "岐阜県"})) == ["1003"]
    assert titles(client.get(url, {"members": "10-20"})) == ["1002"]
    assert titles(client.get(url, {"members": "none"})) == ["1003"]
    assert titles(client.get(url, {"region": "chubu", "members": "4-5"})) == ["1001"]


@pytest.mark.parametrize("query", ["ｻﾎﾟｰﾄ", "サポート", "さぽーと", "サポ"])
def test_search_ignores_width_and_kana_differences(client, library, query):
    assert titles(client.get(reverse("cases:index"), {"q": query})) == ["1001"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("災害", ["1002"]),
        ("給食", ["1003"]),
        ("ICT", ["1003"]),
        ("ｉｃｔ", ["1003"]),
        ("研修 外国", ["1001"]),
    ],
)
def test_short_queries_and_several_words_work(client, library, query, expected):
    response = client.get(reverse("cases:index"), {"q": query})
    assert titles(response) == expected


def test_results_show_highlighted_snippets(client, library):
    html = client.get(reverse("cases:index"), {"q": "災害"}).content.decode()
    assert "<mark>災害</mark>" in html


def test_search_snippet_escapes_html(db):
    from cases.selectors import highlight_snippet

    html = str(highlight_snippet("<b>災害</b>対策", ["災害"]))
    assert html == "&lt;b&gt;<mark>災害</mark>&lt;/b&gt;対策"


def test_sorting_by_member_count(client, library):
    response = client.get(reverse("cases:index"), {"sort": "-member_count"})
    assert titles(response)[0] == "1002"


def test_htmx_request_gets_only_the_results_fragment(client, library):
    response = client.get(reverse("cases:index"), {"q": "給食"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="browse"')
    assert "<html" not in html
    assert titles(response) == ["1003"]


def test_invalid_filter_values_show_no_results_instead_of_an_error(client, library):
    response = client.get(reverse("cases:index"), {"operation": "nonsense"})
    assert response.status_code == 200
    assert heading(response).startswith("0件")


def test_pagination_keeps_the_filters(client, db):
    for n in range(25):
        CaseFactory(number=2000 + n, tags=[("operation", "workforce")])
    url = reverse("cases:index")
    first = client.get(url, {"operation": "workforce"})
    assert len(titles(first)) == 20
    assert "?operation=workforce&amp;page=2" in first.content.decode()
    second = client.get(url, {"operation": "workforce", "page": 2})
    assert len(titles(second)) == 5


@pytest.mark.parametrize("count", [3, 30])
def test_list_page_runs_a_constant_number_of_queries(client, db, count, django_assert_num_queries):
    for n in range(count):
        CaseFactory(
            number=3000 + n, tags=[("operation", "workforce"), ("reason", "staff_shortage")]
        )
    params = {"operation": "workforce", "q": "研修"}
    # the index (tag labels, cases with their search texts, prefecture links, tag links), then
    # the page's cases (the library's version is read from the cache)
    with django_assert_num_queries(5):
        client.get(reverse("cases:index"), params)
    with django_assert_num_queries(0):  # the same list again: from the cache, no query
        client.get(reverse("cases:index"), params)


def test_cached_list_changes_as_soon_as_a_case_changes(client, library, staff):
    from cases.services import case_set_status

    assert titles(client.get(reverse("cases:index"))) == ["1001", "1002", "1003"]
    case_set_status(case=library["meals"], status="draft", by=staff)
    assert titles(client.get(reverse("cases:index"))) == ["1001", "1002"]
    client.force_login(staff)  # staff have their own rendering, with drafts
    assert "1003" in titles(client.get(reverse("cases:index")))


def test_detail_page_runs_a_constant_number_of_queries(client, library, django_assert_num_queries):
    # the case with its prefectures and tags, then the candidates for "similar cases" likewise
    with django_assert_num_queries(5):
        response = client.get(reverse("cases:detail", args=[1002]))
    html = response.content.decode()
    assert "STEP1 仲間をつくる" in html and "STEP3 協働し、PDCAを回す" in html
    assert html.count('class="stage"') == 6
    # the case again: its rendering comes from the cache, no query
    with django_assert_num_queries(0):
        again = client.get(reverse("cases:detail", args=[1002]))
    assert (
        html[html.index("似ている事例") :] == again.content.decode()[html.index("似ている事例") :]
    )


def test_similar_cases_from_the_index_equal_a_full_ranking(library, staff):
    from cases.models import Case
    from cases.selectors import case_similar
    from cases.similarity import profile_of, rank

    for case in Case.objects.prefetch_related("prefectures", "tags"):
        full = rank(
            profile_of(case),
            Case.objects.published().prefetch_related("prefectures", "tags"),
            exclude=case.pk,
        )
        fast = case_similar(case=case, user=staff)
        assert [(m.case.number, m.score, m.reasons) for m in fast] == [
            (m.case.number, m.score, m.reasons) for m in full
        ]


COMBINATIONS = [
    {},
    {"form": ["close"]},
    {"operation": ["disaster", "supplies"]},
    {"operation": ["workforce"], "reason": ["staff_shortage"], "region": ["kyushu", "kinki"]},
    {"members": ["2-3", "none"], "form": ["loose"]},
    {"area": ["cross_prefecture"]},
    {"q": "研修", "legal_form": ["社会福祉連携推進法人"]},
    {"q": "事務局", "prefecture": ["東京都", "福岡県"], "members": ["4-5", "6-9"]},
]


def _query(params):
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for key, value in params.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


@pytest.mark.parametrize("params", COMBINATIONS)
def test_in_memory_facets_agree_with_the_database_filter(report_cases, params):
    """The page filters in memory; django-filter's SQL (used by exports) must give the same cases."""
    from django.contrib.auth.models import AnonymousUser

    from cases.selectors import case_browse, case_export

    browse = case_browse(params=_query(params), user=AnonymousUser())
    shown = []
    for number in browse.page.paginator.page_range:
        shown += [c.number for c in browse.page.paginator.page(number).object_list]
    exported = [c.number for c in case_export(params=_query(params), user=AnonymousUser())]
    assert sorted(shown) == sorted(exported)
    assert browse.total == len(exported)
    # Each count offered beside a value is the number of cases the visitor gets by choosing it.
    for facet in browse.facets:
        if facet.has_selection:
            continue
        for value in facet.values:
            narrowed = case_browse(
                params=_query({**params, facet.name: [value.value]}), user=AnonymousUser()
            )
            assert narrowed.total == value.count, (facet.name, value.value)


def test_filters_fold_into_a_panel_and_each_active_filter_is_a_chip_that_removes_it(
    client, library
):
    url = reverse("cases:index")
    response = client.get(url, {"operation": ["disaster", "workforce"], "form": "close", "page": 1})
    html = response.content.decode()
    assert '<details class="facets-panel" id="filters">' in html
    assert "<summary>絞り込みの条件（3件を選択中）</summary>" in html
    chips = {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="chip" href="([^"]*)">([^<]*)<', html)
    }
    assert chips == {
        "連携の形態：緊密な連携": "?operation=disaster&operation=workforce",
        "協働内容：災害時支援": "?operation=workforce&form=close",
        "協働内容：人材確保・育成": "?operation=disaster&form=close",
    }
    # Following a chip drops that one filter and keeps the others.
    response = client.get(url + chips["協働内容：災害時支援"])
    assert titles(response) == ["1002"]
    assert "協働内容：災害時支援" not in re.findall(
        r'class="chip"[^>]*>([^<]*)<', response.content.decode()
    )


def test_no_chips_without_filters(client, library):
    html = client.get(reverse("cases:index")).content.decode()
    assert 'class="filter-chips"' not in html
    assert "<summary>絞り込みの条件</summary>" in html
