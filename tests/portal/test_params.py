"""The shared parser answers every raw value without raising (hostile input is normal input)."""

import datetime as dt

import pytest
from django.core.exceptions import BadRequest
from hypothesis import given
from hypothesis import strategies as st

from portal.params import int_list, parse_date, parse_id, parse_int, require_int


@given(st.text())
def test_any_text_parses_to_an_int_or_the_default(raw):
    value = parse_int(raw, default=-7, min_value=0)
    assert value == -7 or (isinstance(value, int) and value >= 0)


@pytest.mark.parametrize(
    "raw", ["²", "٣", "abc", "", " ", "1.5", "1e3", "../1", "9" * 30, None, "\x00"]
)
def test_values_that_are_not_plain_integers_give_the_default(raw):
    assert parse_int(raw, default=None) is None
    assert parse_id(raw) is None


def test_plain_integers_parse_within_bounds():
    assert parse_int("42") == 42
    assert parse_int(" 7 ") == 7
    assert parse_int("-1", min_value=1, default=3) == 3
    assert parse_id("0") is None
    assert int_list(["3", "²", "3", "x", "5", "8"], limit=2) == [3, 5]


def test_require_int_answers_400():
    with pytest.raises(BadRequest):
        require_int("²", label="番号")


@given(st.text())
def test_any_text_parses_to_a_date_or_none(raw):
    value = parse_date(raw)
    assert value is None or isinstance(value, dt.date)


def test_nul_in_a_query_is_a_400(client, db):
    response = client.get("/cases/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "処理できません" in response.content.decode()
