"""法人番号 check digits, as published by the National Tax Agency."""

import pytest
from django.core.exceptions import ValidationError

from portal.validators import is_valid_corporate_number, validate_corporate_number


@pytest.mark.parametrize("number", ["7000012050002", "5000012010024", "3510001012345"])
def test_valid_corporate_numbers(number):
    assert is_valid_corporate_number(number)
    validate_corporate_number(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("8000012050002", "チェックデジット"),
        ("700001205000", "13桁"),
        ("70000120500021", "13桁"),
        ("7000O12050002", "13桁"),
        ("", "13桁"),
    ],
)
def test_invalid_corporate_numbers_explain_why(number, message):
    assert not is_valid_corporate_number(number)
    with pytest.raises(ValidationError) as exc:
        validate_corporate_number(number)
    assert message in exc.value.messages[0]
