"""The case book set like a printed 事例集 (issue 17, points 1–5), read back from the PDF:
the one-page list of cases with the right page numbers, the map, indexes, glossary and colophon,
full pages, a QR code and URL per case, and charts that carry their scale and their alt text."""

import re

import pytest

from cases.models import Case
from cases.reports import build_html, members_label
from portal.charts import bar_chart, nice_ticks, wrap_label
from portal.templatetags.report_tags import keep_tail
from tests.reports.conftest import BASE_URL, WINDOW
from tests.reports.helpers import (
    figure_alts,
    line_ends,
    page_fills,
    page_text,
    pages,
    squeeze,
    toc_page,
)

pytestmark = pytest.mark.django_db

# The rule: cases run on (a case starts below the previous one, its heading block never split),
# so every page of the cases part but its very last is at least this full.
NEAR_EMPTY = 0.40


def case_starts(pdf) -> dict[int, int]:
    return {
        case.number: toc_page(pdf, f"事例{case.number}{case.name}")
        for case in Case.objects.order_by("number")
    }


def test_the_list_of_cases_fits_one_page_and_names_where_each_case_starts(casebook_pdf):
    starts = case_starts(casebook_pdf)
    list_page = toc_page(casebook_pdf, "事例一覧")
    assert toc_page(casebook_pdf, "事例の所在地") == list_page + 1  # the list is one page
    lines = page_text(casebook_pdf, list_page, layout=True).splitlines()
    rows = {}
    for case in Case.objects.order_by("number"):
        name = case.short_name or case.name
        # the row starts with the number and the name's first characters, ends with the page
        line = next(
            line for line in lines if re.match(rf"\s*{case.number}\s+{re.escape(name[:6])}", line)
        )
        rows[case.number] = int(line.split()[-1])
        assert members_label(case) in line or members_label(case) == "—"
    assert rows == starts
    assert len(rows) == 29
    text = squeeze(page_text(casebook_pdf, list_page))
    for heading in ("番号", "名称", "都道府県", "形態", "参加法人数", "主な協働内容", "頁"):
        assert heading in text


def test_no_page_of_the_cases_is_near_empty(casebook_pdf):
    fills = page_fills(casebook_pdf)
    first = min(case_starts(casebook_pdf).values())
    last = toc_page(casebook_pdf, "収録事例の統計") - 1
    near_empty = {
        page: fills[page - 1] for page in range(first, last) if fills[page - 1] < NEAR_EMPTY
    }
    assert not near_empty, near_empty
    assert fills[last - 1] > 0  # the last page of the cases holds text
    assert last - first + 1 < 29 * 3  # fewer pages than a fixed three-page layout would take


def test_every_case_carries_its_qr_code_and_portal_address(casebook_pdf):
    text = pages(casebook_pdf)
    for number, start in case_starts(casebook_pdf).items():
        assert f"{BASE_URL}/cases/{number}/" in squeeze(text[start - 1])
    alts = [a for a in figure_alts(casebook_pdf) if a and "QRコード" in a]
    assert len(alts) == 29


def test_every_figure_in_the_tagged_pdf_has_alt_text(casebook_pdf):
    alts = figure_alts(casebook_pdf)
    assert len(alts) >= 29 + 1 + 5  # QR codes, the map, the statistics charts
    assert all(alts), f"{alts.count(None)} figures without /Alt"
    charts = [a for a in alts if a.startswith("図")]
    assert [int(re.match(r"図(\d+)", a).group(1)) for a in charts] == list(
        range(1, len(charts) + 1)
    )
    assert any("（報告書 " in a for a in charts)  # the values, not only a title


def test_figures_are_numbered_and_captioned_in_the_text(casebook_pdf):
    text = squeeze("".join(pages(casebook_pdf)))
    assert "図1" in text and "事例の所在地（ます目の数字は事例番号）" in text
    for number in range(2, 7):
        assert f"図{number}" in text
    assert "（単位：件）" in text


def test_the_map_names_the_case_numbers_of_each_prefecture(casebook_pdf):
    page = squeeze(page_text(casebook_pdf, toc_page(casebook_pdf, "事例の所在地")))
    assert "秋田" in page and "沖縄" in page
    tokyo = sorted(Case.objects.filter(prefectures__name="東京都").values_list("number", flat=True))
    assert "・".join(str(n) for n in tokyo[:3]) in page


def test_indexes_glossary_and_colophon_are_at_the_back(casebook_pdf):
    starts = case_starts(casebook_pdf)
    index = toc_page(casebook_pdf, "索引")
    text = squeeze("".join(pages(casebook_pdf)[index - 1 : toc_page(casebook_pdf, "用語集") - 1]))
    for heading in (
        "協働内容（テーマ）から引く",
        "課題（協働化の理由）から引く",
        "都道府県から引く",
    ):
        assert heading in text
    assert f"事例{1}（{starts[1]}）" in text  # with the page the case starts on
    glossary = squeeze(page_text(casebook_pdf, toc_page(casebook_pdf, "用語集")))
    glossary += squeeze(page_text(casebook_pdf, toc_page(casebook_pdf, "用語集") + 1))
    for term in ("社員", "賛助会員", "DWAT", "BCP", "ケアプランデータ連携", "社会福祉連携推進法人",
                 "一般社団法人"):  # fmt: skip
        assert term in glossary
    colophon = squeeze(page_text(casebook_pdf, toc_page(casebook_pdf, "この事例集について")))
    for value in WINDOW.values():
        assert squeeze(value) in colophon
    for words in ("老人保健健康増進等事業", "利用条件", "版", BASE_URL):
        assert words in colophon


def test_no_paragraph_ends_on_a_line_of_three_characters_or_fewer(casebook_pdf):
    case = Case.objects.get(number=1)
    start = case_starts(casebook_pdf)[1]
    for page in range(start, start + 2):
        lines = [ln.strip() for ln in page_text(casebook_pdf, page).splitlines()]
        for previous, line in zip(lines, lines[1:], strict=False):
            # a paragraph's last line: it ends with 。 and the line before was a full one
            if line.endswith("。") and len(previous) >= 30:
                assert len(line) > 3, (previous, line)
    assert str(keep_tail("あいうえおかきくけこ。")).endswith('<span class="tail">くけこ。</span>')
    assert str(keep_tail("短い文。")) == "短い文。"
    assert case.summary


def test_charts_carry_a_scale_and_wrap_long_labels_instead_of_cutting_them():
    chart = bar_chart(
        [("とても長い指標の名前（長野北部介護人材ネットワーク）", 37, None)], unit="％"
    )
    assert [t["label"] for t in chart["ticks"]][0] == "0"
    assert chart["ticks"][-1]["x"] <= chart["width"]
    assert "…" not in "".join(line["text"] for line in chart["rows"][0]["lines"])
    assert "".join(line["text"] for line in chart["rows"][0]["lines"]).endswith("ネットワーク）")
    assert chart["rows"][0]["label_x"] + 40 < chart["width"]  # the value fits inside
    assert nice_ticks(18) == [0, 5, 10, 15, 20]
    assert wrap_label("あ" * 20, 17) == ["あ" * 17, "あ" * 3]


def test_a_book_without_a_public_address_prints_no_qr_code(report_cases, settings):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    html, _cases = build_html({"form": ["loose"]})
    assert "qr-code" not in html
    assert "127.0.0.1" not in html


def test_body_lines_meet_the_right_edge_of_a_whole_character_measure(casebook_pdf):
    """Japanese lines are justified: WeasyPrint widens only spaces, so the book's filter puts
    zero-width spaces between CJK characters (portal.templatetags.report_tags.justifiable) and the
    measure is whole characters (42 × 10 pt). Measured on the whole book: 98 % of body lines end flush,
    against 66 % with whole characters alone."""
    start = case_starts(casebook_pdf)[1]
    gaps = line_ends(casebook_pdf, start, start + 5)
    assert len(gaps) > 60
    assert min(gaps) > -0.5  # nothing runs past the edge
    assert sum(g <= 2.0 for g in gaps) / len(gaps) >= 0.9  # flush, to 0.7 mm


def test_justification_spaces_never_break_kinsoku_and_keep_the_texts_own_spaces():
    from portal.templatetags.report_tags import justifiable

    text = "会費は「年1万円」です。NTT データ、よろしく。"
    spaced = justifiable(text)
    assert spaced.replace(" ", "") == text.replace(" ", "\u2005")
    for mark in "、。」":
        assert f" {mark}" not in spaced
    assert "「 " not in spaced
    assert "NTT\u2005デ" in spaced  # the text's own space keeps its width


def test_a_case_names_the_organisations_own_site_where_there_is_one(report_cases, settings):
    settings.PORTAL_BASE_URL = BASE_URL
    Case.objects.filter(number=3).update(url="https://arigatou.example.org/")
    html, _cases = build_html({"q": ["ありがとう安心サポート協会"]})
    assert "団体のサイト" in html and "https://arigatou.example.org/" in html
    assert f"{BASE_URL}/cases/3/" in html and "qr-code" in html


def test_the_statistics_chapter_names_the_cases_behind_each_figure_the_book_falls_short_of(
    casebook_pdf,
):
    text = squeeze(" ".join(pages(casebook_pdf)))
    assert "報告書の件数と異なる項目" in text
    assert "複数の都道府県にまたがる連携（全体）：報告書6件／本書3件" in text
    assert "本書が数えない理由" in text
