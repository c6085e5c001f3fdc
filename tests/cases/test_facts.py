"""Facts and figures of the case library as an official reads them (issue 17): every count with
its unit and source, every year with what it is of, the report's totals beside ours with the
reason case by case, and the text in one register and in our own words."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from cases.models import Case
from cases.services import cases_load_report
from cases.stats import case_stats

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "cases").glob("[0-9][0-9].json"))
# The report sits in ../shared/seeds beside the repository (two levels up from a worktree).
REPORT_PATH = next(
    (
        base / "shared" / "seeds" / "collaboration-research-report-2026.txt"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "seeds" / "collaboration-research-report-2026.txt").exists()
    ),
    ROOT.parent / "shared" / "seeds" / "collaboration-research-report-2026.txt",
)
UNITS = {"法人", "施設", "事業所", "団体", "者"}
SOURCE = re.compile(r"^(本文[①-⑥]+|図表2-2)$")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def library(report_cases):
    """The 29 cases loaded fresh from the fixtures, as `load_cases` does."""


def facts_box(client, number: int) -> str:
    html = client.get(reverse("cases:detail", args=[number])).content.decode()
    return re.search(r'<section aria-labelledby="facts-heading".*?</section>', html, re.S).group(0)


def test_case_27_counts_nine_facilities_from_the_desk_table_and_three_parties(client, library):
    box = facts_box(client, 27)
    assert "連携団体 9施設（図表2-2）" in box
    assert "連携の主体 3者（本文③）" in box
    assert "9法人" not in box
    assert Case.objects.get(number=27).member_count is None


def test_case_20_shows_five_from_the_text_and_eleven_from_the_desk_table(client, library):
    box = facts_box(client, 20)
    assert "参加法人 5法人（本文④）" in box
    assert "連携団体 11法人（図表2-2）" in box


def test_case_13_says_what_each_year_is_the_year_of(client, library):
    box = facts_box(client, 13)
    assert "平成28年（2016年） 前身の一般社団法人（3法人の共同事業体）を設立（本文③）" in box
    assert "令和4年（2022年） 社会福祉連携推進法人への移行を決定" in box
    assert "設立・認定" not in box
    assert Case.objects.get(number=13).founded_year is None


def test_case_14_gives_the_approximate_count_of_its_text(client, library):
    box = facts_box(client, 14)
    members = re.search(r"<dt>参加法人等</dt><dd>(.*?)</dd>", box, re.S).group(1)
    assert members.startswith("参加法人 5～6法人程度（本文③）")
    assert "報告書に記載なし" not in members


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_count_has_a_unit_and_a_source_and_every_year_its_event(path):
    data = load(path)
    for count in data["counts"]:
        assert count["unit"] in UNITS, count
        assert SOURCE.match(count["source"]), count
        assert count["label"]
    for year in data["years"]:
        assert 1950 <= year["year"] <= 2100
        assert year["event"] and SOURCE.match(year["source"]), year
    if data["member_count"] is not None:
        # The statistics count corporations: member_count is always one of the 法人 counts.
        # (case 26's text counts 10 団体, every one of them a corporation)
        assert data["member_count"] in [
            c["value"] for c in data["counts"] if c["unit"] in ("法人", "団体")
        ]
    if data["founded_year"] is not None:
        assert data["founded_year"] in [y["year"] for y in data["years"]]


def test_loading_the_fixtures_refreshes_a_database_holding_the_old_figures(library):
    Case.objects.filter(number=27).update(member_count=9, counts=[])
    counts = cases_load_report()
    assert counts["updated"] == 1
    case = Case.objects.get(number=27)
    assert case.member_count is None
    assert "連携団体 9施設（図表2-2）：社会福祉法人等の施設" in case.count_lines


def test_the_statistics_page_shows_the_reports_figure_beside_ours_case_by_case(client, library):
    stats = case_stats(user=None)
    gaps = {(g.table, g.code, g.form): g for g in stats.gaps}
    across = gaps[("area", "across", "")]
    assert (across.report, across.ours, across.missing) == (6, 3, 3)
    assert [n for n, _ in across.candidates] == [n for n in range(1, 30) if n not in (3, 4, 11)]
    community = gaps[("operation", "community", "close")]
    assert (community.report, community.ours) == (16, 10)
    assert [n for n, _ in community.candidates] == [5, 7, 8, 12, 13, 15, 17, 18]
    assert gaps[("operation", "disaster", "close")].report == 16
    assert gaps[("operation", "supplies", "loose")].report == 4
    # Operations the texts reproduce exactly have no gap.
    assert not any(code in ("management", "workforce", "lending") for _t, code, _f in gaps)

    html = client.get(reverse("cases:stats")).content.decode()
    assert "報告書の数字に届かない項目と、その理由" in html
    assert "複数の都道府県にまたがる連携（全体）：報告書 6件／事例データ 3件" in html
    assert "地域福祉支援（緊密な連携）：報告書 16件／事例データ 10件" in html
    assert "⑥で、今後は地域福祉を担う法人の力になりたいという思いが語られるのみ" in html


def test_summaries_use_desu_masu_and_key_points_end_with_a_full_stop():
    for path in FIXTURES:
        data = load(path)
        sentences = [s for s in re.split(r"(?<=。)", data["summary"]) if s.strip()]
        for sentence in sentences:
            assert re.search(r"(です|ます|ました|ません|でした)(（[^）]*）)?。$", sentence), (
                path.stem,
                sentence,
            )
        for point in data["key_points"]:
            assert point.endswith("。"), (path.stem, point)


def test_loose_cases_name_stage_four_as_the_report_does(client, library):
    loose = client.get(reverse("cases:detail", args=[27])).content.decode()
    close = client.get(reverse("cases:detail", args=[1])).content.decode()
    assert "協働及び目標に向けた取り組みの実行" in loose
    assert "協働活動の実行" not in loose
    assert "協働活動の実行" in close
    assert "協働及び目標に向けた取り組みの実行" not in close


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_no_fixture_shares_a_run_of_40_characters_with_the_report(path):
    if not REPORT_PATH.exists():
        pytest.skip("the report is in ../shared/seeds, beside the repository")
    report = re.sub(r"\s", "", REPORT_PATH.read_text(encoding="utf-8"))
    copied = []
    for text in _strings(load(path)):
        text = re.sub(r"\s", "", text)
        copied += [text[i : i + 40] for i in range(len(text) - 39) if text[i : i + 40] in report]
    assert copied == []


def test_the_list_of_cases_gives_each_count_in_the_reports_own_unit(library):
    from cases.reports import members_label

    labels = {case.number: members_label(case) for case in Case.objects.all()}
    assert labels[26] == "10団体"  # the text's 10 団体 (the desk table has 9 法人)
    assert labels[29] == "17法人程度"  # 「17法人ほど」
    assert labels[27] == "9施設"
    assert labels[14] == "5～6法人程度"
    assert labels[23] == "—"  # a network without member corporations


def test_a_year_cites_the_stage_it_is_told_in():
    case_16 = load(ROOT / "fixtures" / "cases" / "16.json")
    decided = next(y for y in case_16["years"] if y["as_written"] == "平成22年3月")
    assert decided["source"] == "本文①"


def test_a_case_page_says_where_it_differs_from_the_reports_heading_or_categories(client, library):
    case_3 = client.get(reverse("cases:detail", args=[3])).content.decode()
    assert "報告書の見出しでは所在地を東京都としています" in case_3
    case_27 = client.get(reverse("cases:detail", args=[27])).content.decode()
    assert "集計表の5つの区分に当たる記載なし" in case_27
