"""Japanese search over the report's cases: the same answers on SQLite and PostgreSQL, from an index."""

import pytest
from django.db import connection

from cases.models import Case
from portal.text import normalize, search_terms

QUERIES = [
    "災害",
    "給食",
    "ICT",
    "ｉｃｔ",
    "サポート",
    "ｻﾎﾟｰﾄ",
    "さぽーと",
    "外国人材 研修",
    "事務局",
    "BCP",
    "終身サポート",
    "ケアプランデータ",
]


def scan(query: str) -> list[int]:
    """A plain scan in Python: the reference both database backends must agree with."""
    terms = search_terms(query)
    return sorted(
        number
        for number, text in Case.objects.values_list("number", "search_text")
        if all(term in text for term in terms)
    )


@pytest.mark.parametrize("query", QUERIES)
def test_search_answers_like_a_plain_scan(report_cases, query):
    found = sorted(Case.objects.matching(query).values_list("number", flat=True))
    assert found == scan(query)


def test_width_and_kana_variants_find_the_same_cases(report_cases):
    results = {
        q: list(Case.objects.matching(q).values_list("number", flat=True))
        for q in ("ｻﾎﾟｰﾄ", "サポート", "さぽーと")
    }
    assert len(set(map(tuple, results.values()))) == 1
    assert results["サポート"]  # and they do find something


@pytest.mark.parametrize(("query", "minimum"), [("災害", 5), ("研修", 5), ("ICT", 3), ("BCP", 1)])
def test_one_and_two_character_words_work(report_cases, query, minimum):
    assert Case.objects.matching(query).count() >= minimum


def test_search_text_follows_edits(report_cases):
    case = Case.objects.get(number=1)
    from cases.services import case_refresh_search_text

    case.summary = "雪国ならではのスノーダンプ共同購入"
    case.save()
    case_refresh_search_text(case=case)
    assert list(Case.objects.matching("スノーダンプ").values_list("number", flat=True)) == [1]


def test_the_database_uses_its_own_index(report_cases):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # With seq and plain index scans off, only an index that serves the condition is left:
            # on 29 rows the planner would otherwise walk cases_case_number_key and filter, or
            # not, depending on how many pages earlier writes left the table.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            sql, params = Case.objects.matching("災害時").values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "cases_case_search_trgm" in plan
    else:
        sql = str(Case.objects.matching("災害時").query)
        assert "cases_case_fts" in sql
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cases_case_fts WHERE cases_case_fts MATCH ?", ['"災害時"']
            )
            assert cursor.fetchone()[0] == len(scan("災害時"))


def test_normalisation_rules():
    assert normalize("ｻﾎﾟｰﾄ") == normalize("サポート") == normalize("さぽーと") == "さぽーと"
    assert normalize("ＩＣＴ　活用") == "ict 活用"
