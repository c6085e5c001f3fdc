"""The public case book read back as its readers' tools see it: every case, a table of contents
whose page numbers are right, one embedded Japanese font, A4, tagged, lang="ja"."""

import re

import pytest

from cases.models import Case
from cases.reports import build_html, describe, params_from
from portal.jobs import JobError
from tests.reports.helpers import (
    catalog_languages,
    fonts,
    info,
    page_count,
    page_text,
    pages,
    squeeze,
    toc_page,
)

pytestmark = pytest.mark.django_db


def test_the_book_holds_all_29_cases_each_on_the_page_its_contents_entry_names(casebook_pdf):
    text = pages(casebook_pdf)
    cases = list(Case.objects.order_by("number"))
    assert len(cases) == 29
    for case in cases:
        page = toc_page(casebook_pdf, f"事例{case.number}{case.name}")
        chapter_page = squeeze(text[page - 1])
        assert squeeze(case.name) in chapter_page, f"事例{case.number} not on page {page}"
        assert f"事例{case.number}" in chapter_page
    assert toc_page(casebook_pdf, "はじめに 3つのSTEPと6つの段階") == 3
    statistics = toc_page(casebook_pdf, "収録事例の統計")
    assert "収録事例の統計" in squeeze(text[statistics - 1])
    assert "協働化のきっかけ" in squeeze(text[statistics - 1])
    assert page_count(casebook_pdf) > 60


def test_pages_carry_numbers_and_running_heads(casebook_pdf):
    total = page_count(casebook_pdf)
    case_1 = page_text(casebook_pdf, toc_page(casebook_pdf, "事例1社会福祉連携推進法人秋田"))
    assert f"/ {total}" in case_1
    assert "協働化・大規模化 公開事例集" in case_1  # running head, left
    assert "公開事例集" not in page_text(casebook_pdf, 1).split("\n")[0]  # the cover has none


def test_one_japanese_font_is_embedded_and_subset(casebook_pdf):
    embedded = fonts(casebook_pdf)
    assert {f["name"].split("+", 1)[1] for f in embedded} == {
        "Noto-Sans-CJK-JP",
        "Noto-Sans-CJK-JP-Bold",
    }
    assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in embedded)
    assert all(re.match(r"^[A-Z]{6}\+", f["name"]) for f in embedded)  # subset tag


def test_the_book_is_a4_tagged_titled_and_in_japanese(casebook_pdf):
    meta = info(casebook_pdf)
    assert meta["Page size"].startswith("595.276 x 841.89")
    assert meta["Tagged"] == "yes"
    assert meta["Title"].startswith("介護事業者の協働化・大規模化 公開事例集")
    assert "ja" in catalog_languages(casebook_pdf)


def test_japanese_text_round_trips_through_the_pdf(casebook_pdf):
    case = Case.objects.get(number=1)
    text = squeeze("".join(pages(casebook_pdf)))
    for sentence in (case.summary, case.stage_1, case.key_points[0]):
        assert squeeze(sentence) in text


def test_a_filtered_book_holds_only_the_chosen_cases(report_cases):
    html, cases = build_html({"form": ["loose"], "prefecture": ["東京都"]})
    loose_in_tokyo = Case.objects.filter(form="loose", prefectures__name="東京都").distinct()
    assert {c.number for c in cases} == {c.number for c in loose_in_tokyo}
    assert cases and len(cases) < 29
    assert "連携の形態：緩やかな連携／都道府県：東京都" in html
    assert "報告書 " not in html  # the comparison with the report's tables is for the full set


def test_a_filter_matching_nothing_fails_with_a_reason(report_cases):
    with pytest.raises(JobError, match="条件に合う公開事例がありません"):
        build_html({"q": ["存在しない言葉の組み合わせ"]})


def test_unknown_filter_values_are_refused(report_cases):
    with pytest.raises(JobError, match="使えない値"):
        params_from({"form": ["tight"]})
    assert describe({}) == "公開中のすべての事例"


def test_draft_cases_never_appear_in_the_public_book(report_cases):
    Case.objects.filter(number=5).update(status="draft")
    _html, cases = build_html({})
    assert 5 not in {c.number for c in cases}
