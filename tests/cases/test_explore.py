"""Similar cases, 'cases like mine', comparison and statistics, as a manager uses them."""

import re

import pytest
from django.urls import reverse

from tests.factories import CaseFactory


@pytest.fixture
def library(db):
    return [
        CaseFactory(
            number=1001,
            form="loose",
            member_count=5,
            prefectures=["長野県"],
            tags=[("operation", "workforce"), ("reason", "staff_shortage")],
        ),
        CaseFactory(
            number=1002,
            form="loose",
            member_count=6,
            prefectures=["長野県"],
            tags=[
                ("operation", "workforce"),
                ("operation", "supplies"),
                ("reason", "staff_shortage"),
            ],
        ),
        CaseFactory(
            number=1003,
            form="close",
            legal_form="社会福祉連携推進法人",
            member_count=40,
            prefectures=["沖縄県"],
            tags=[("operation", "lending")],
        ),
    ]


def test_detail_lists_similar_cases_with_reasons(client, library):
    html = client.get(reverse("cases:detail", args=[1001])).content.decode()
    section = html[html.index("似ている事例") :]
    assert "事例1002" in section
    assert "同じ緩やかな連携" in section
    assert "共通の協働内容：人材確保・育成" in section
    assert "規模が近い（6法人）" in section
    assert "同じ都道府県（長野県）" in section
    assert "事例1003" not in section  # nothing in common
    assert "?n=1001&amp;n=1002" in section


def test_like_mine_ranks_cases_and_says_why(client, library):
    response = client.get(
        reverse("cases:like_mine"),
        {
            "form": "loose",
            "member_count": 5,
            "prefecture": "長野県",
            "operations": ["workforce", "supplies"],
        },
    )
    html = response.content.decode()
    order = re.findall(r'<span class="case-no">事例(\d+)</span>', html)
    assert order[:2] == ["1002", "1001"]
    assert "選んだ理由：同じ緩やかな連携" in html


def test_like_mine_explains_bad_input_in_japanese(client, library):
    html = client.get(reverse("cases:like_mine"), {"member_count": "abc"}).content.decode()
    assert "法人の数は半角数字で入力してください" in html
    html = client.get(reverse("cases:like_mine"), {"member_count": "1"}).content.decode()
    assert "2以上" in html


def test_compare_shows_two_to_four_cases_stage_by_stage(client, library):
    html = client.get(reverse("cases:compare"), {"n": [1002, 1001]}).content.decode()
    assert "2事例の比較" in html
    assert html.index("事例1002<br>") < html.index("事例1001<br>")
    for mark in "①②③④⑤⑥":
        assert mark in html


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ([1001], "2つ以上"),
        ([1001, 1002, 1003, 9999], "「9999」は選べません"),
        ([1001, 1002, 1003, 1001, 1004], "は選べません"),
        ([1001, 1001], "2つ以上"),
    ],
)
def test_compare_refuses_too_few_or_unknown_cases(client, library, numbers, message):
    html = client.get(reverse("cases:compare"), {"n": numbers}).content.decode()
    assert message in html
    assert "事例の比較" not in html


def test_compare_never_shows_a_draft_to_the_public(client, library):
    CaseFactory(number=1004, status="draft")
    html = client.get(reverse("cases:compare"), {"n": [1001, 1004]}).content.decode()
    assert "事例1004" not in html


def test_statistics_reproduce_the_report_tables_where_the_text_allows(client, report_cases):
    html = client.get(reverse("cases:stats")).content.decode()
    assert "対象：29事例" in html

    def row(label):
        match = re.search(
            rf"<th scope=\"row\">{label}</th>\s*<td [^>]*class=\"num\">(\d+)</td>\s*<td [^>]*class=\"num\">(\d+)</td>",
            html,
        )
        return int(match.group(1)), int(match.group(2))

    # Published: management 20, workforce 26, lending 1; our encoding matches these exactly.
    assert row("経営支援") == (20, 20)
    assert row("人材確保・育成") == (26, 26)
    assert row("貸付") == (1, 1)
    assert row("経営相談や業務委託の依頼") == (2, 2)
    assert row("2法人") == (2, 2)
    # Where the case text supports fewer cases than the report counted, both are shown.
    assert row("災害時支援")[1] == 18


def test_statistics_explain_differences_to_staff_only(client, report_cases, staff):
    assert "差の理由" not in client.get(reverse("cases:stats")).content.decode()
    client.force_login(staff)
    assert "差の理由" in client.get(reverse("cases:stats")).content.decode()


def test_statistics_can_include_local_cases(client, report_cases):
    CaseFactory(number=1001, prefectures=["長野県"])
    without = client.get(reverse("cases:stats")).content.decode()
    with_local = client.get(reverse("cases:stats"), {"local": "1"}).content.decode()
    assert "対象：29事例" in without and "対象：30事例" in with_local
    assert "<title>長野県：0事例</title>" in without
    assert "<title>長野県：1事例</title>" in with_local


def test_map_has_all_47_prefectures(client, report_cases):
    html = client.get(reverse("cases:stats")).content.decode()
    assert len(re.findall(r"<title>[^<：]+：\d+事例</title>", html)) == 47
    assert "<title>東京都：5事例</title>" in html


@pytest.mark.parametrize("local", ["", "1"])
def test_statistics_page_runs_a_constant_number_of_queries(
    client, report_cases, local, django_assert_num_queries
):
    # cases, their tags, their prefectures, all tags, all prefectures
    with django_assert_num_queries(5):
        client.get(reverse("cases:stats"), {"local": local})
