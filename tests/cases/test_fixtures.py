"""The report's 29 cases in fixtures/cases/: facts as the report states them, text in our words."""

import json
import re
from pathlib import Path

import pytest

from cases.reference import PREFECTURES, TAGS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "cases").glob("[0-9][0-9].json"))
REPORT_PATH = ROOT.parent / "shared" / "seeds" / "collaboration-research-report-2026.txt"
PREFECTURE_NAMES = [name for _code, name, _kana, _region in PREFECTURES]
TAG_CODES = {
    key: {code for kind, code, *_ in TAGS if kind == kind_name}
    for key, kind_name in (
        ("operations", "operation"),
        ("reasons", "reason"),
        ("origins", "origin"),
        ("effects", "effect"),
    )
}


# Proper names of bodies the cases mention; quoting them exactly is stating a fact.
PROPER_NOUNS = (
    "NPO法人飛騨市障がいのある人を支える会",
    "社会福祉法人旭川たいせつ福祉会",
    "熊本介護テクノロジー業務改善サポートセンター",
)


def squash(text: str) -> str:
    return re.sub(r"[\s,，]", "", text)


@pytest.fixture(scope="module")
def report() -> str:
    if not REPORT_PATH.exists():
        pytest.skip("the report is in ../shared/seeds, beside the repository")
    return REPORT_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def headings(report) -> dict[int, str]:
    found = {}
    for line in report.splitlines():
        match = re.match(r"^事例\s*(\d(?:\s?\d)*)\s+(\S.*【.*】)\s*$", line)
        if match:
            found[int(match.group(1).replace(" ", ""))] = squash(match.group(2))
    return found


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_all_29_cases_are_there():
    assert [int(p.stem) for p in FIXTURES] == list(range(1, 30))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_name_and_prefectures_match_the_report_heading(path, headings):
    data = load(path)
    heading = headings[data["number"]]
    name, _, place = heading.partition("【")
    assert squash(data["name"]) == name
    in_heading = [p for p in PREFECTURE_NAMES if p in place]
    # The heading names where the collaboration is based; members may be in more prefectures.
    assert set(in_heading) <= set(data["prefectures"])
    if len(data["prefectures"]) > 1:
        assert data["area_scope"] == "cross_prefecture"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_form_tags_and_stages_are_well_formed(path):
    data = load(path)
    assert data["form"] == ("close" if data["number"] <= 18 else "loose")
    for key, codes in TAG_CODES.items():
        assert set(data[key]) <= codes, key
    assert sorted(data["stages"]) == ["1", "2", "3", "4", "5", "6"]
    for number, text in data["stages"].items():
        assert 80 <= len(text) <= 500, f"stage {number}: {len(text)} characters"
    if data["member_count"] is not None:
        assert data["member_count_source"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_reported_number_appears_in_the_report(path, report):
    flat = squash(report)
    data = load(path)
    for figure in data["figures"]:
        for number in re.findall(r"\d+(?:[.,]\d+)*", figure["value"]):
            assert squash(number) in flat, (figure, number)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_narratives_are_written_in_our_own_words(path, report):
    """No run of 20 characters of our narrative appears in the report (names and quotes aside)."""
    flat = squash(report)
    names = set()
    for other in FIXTURES:
        other_data = load(other)
        names |= {other_data["name"], other_data["short_name"], *other_data["aliases"]}
    names |= set(PROPER_NOUNS)
    data = load(path)
    texts = [data["summary"], *data["stages"].values(), *data["key_points"], *data["lessons"]]
    copied = []
    for text in texts:
        text = re.sub(r"「[^」]*」", "", squash(text))
        for name in sorted(filter(None, names), key=len, reverse=True):
            text = text.replace(squash(name), "|")
        for start in range(len(text) - 19):
            window = text[start : start + 20]
            if "|" not in window and window in flat:
                copied.append(window)
    assert copied == []
