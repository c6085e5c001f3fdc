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


@pytest.mark.parametrize("code", ["011002", "131016", "202011", "012025", "202207"])
def test_valid_municipality_codes(code):
    from portal.validators import validate_municipality_code

    validate_municipality_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [("202010", "検査数字"), ("20201", "6桁"), ("abcdef", "6桁"), ("990001", "01～47")],
)
def test_invalid_municipality_codes_explain_why(code, message):
    from portal.validators import validate_municipality_code

    with pytest.raises(ValidationError) as exc:
        validate_municipality_code(code)
    assert message in exc.value.messages[0]


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("2070100011", True),
        ("1371234567", True),
        ("207010001", False),
        ("9970100011", False),
        ("20701000a1", False),
    ],
)
def test_establishment_numbers(number, ok):
    from portal.validators import validate_establishment_number

    if ok:
        validate_establishment_number(number)
    else:
        with pytest.raises(ValidationError):
            validate_establishment_number(number)
