"""The shared parser answers every raw value without raising (hostile input is normal input)."""

import datetime as dt

import pytest
from django.core.exceptions import BadRequest
from hypothesis import given
from hypothesis import strategies as st

from portal.params import (
    MAX_ID,
    int_list,
    parse_corporate_number,
    parse_date,
    parse_id,
    parse_int,
    require_int,
)
from portal.validators import corporate_number_check_digit


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


@given(st.text())
def test_any_text_parses_to_a_checked_corporate_number_or_none(raw):
    value = parse_corporate_number(raw)
    assert value is None or (len(value) == 13 and value.isascii() and value.isdigit())


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_every_corporate_number_with_its_check_digit_parses(base):
    digits = f"{base:012d}"
    number = f"{corporate_number_check_digit(digits)}{digits}"
    assert parse_corporate_number(number) == number
    wrong = f"{(int(number[0]) + 1) % 10}{digits}"
    assert parse_corporate_number(wrong) is None


@pytest.mark.parametrize(
    "raw", ["../../x", "７００００１２０５０００２", "7000012050002\x00", "", None]
)
def test_things_that_are_not_corporate_numbers_give_none(raw):
    assert parse_corporate_number(raw) is None


@given(st.lists(st.text(), max_size=8), st.integers(min_value=1, max_value=5))
def test_an_int_list_holds_only_distinct_bounded_ids(raws, limit):
    values = int_list(raws, limit=limit)
    assert len(values) <= limit
    assert len(set(values)) == len(values)
    assert all(1 <= v <= MAX_ID for v in values)


def test_a_reason_of_ours_is_shown_on_the_400_page(client, db):
    response = client.get("/cases/", {"q": "a\x00b"})
    assert "入力に使えない文字（NUL）が含まれています。" in response.content.decode()


def test_djangos_own_400_stays_generic(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    response = client.get("/cases/", {"a": "1", "b": "2", "c": "3"})
    assert response.status_code == 400  # Django's TooManyFieldsSent, in English: not shown
    html = response.content.decode()
    assert "処理できません" in html
    assert "exceeded" not in html


@pytest.mark.parametrize("raw", ["99999999999999999999999", "²", "-1", "abc", "0"])
def test_a_choice_of_ids_refuses_what_cannot_be_an_id_without_asking_the_database(db, raw):
    from django.core.exceptions import ValidationError

    from partners.models import Theme
    from portal.forms import IdsChoiceField

    field = IdsChoiceField(queryset=Theme.objects.all())
    theme = Theme.objects.order_by("pk").first()
    assert list(field.clean([str(theme.pk)])) == [theme]
    with pytest.raises(ValidationError):
        field.clean([str(theme.pk), raw])


def test_a_bad_host_gets_the_generic_400_page(client, db):
    response = client.get("/cases/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "処理できません" in html
    assert "evil.example" not in html
