"""Validators for Japanese identifiers that several apps share."""

import re

from django.core.exceptions import ValidationError

_DIGITS_13 = re.compile(r"\d{13}")


def corporate_number_check_digit(base12: str) -> int:
    """Check digit of a 法人番号 from its 12-digit base (国税庁's published formula).

    Digits are weighted 1, 2, 1, 2, ... counting from the rightmost; the check digit is
    9 - (sum mod 9).
    """
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base12)))
    return 9 - total % 9


def is_valid_corporate_number(value: str) -> bool:
    if not isinstance(value, str) or not _DIGITS_13.fullmatch(value):
        return False
    return int(value[0]) == corporate_number_check_digit(value[1:])


def validate_corporate_number(value: str) -> None:
    if not isinstance(value, str) or not _DIGITS_13.fullmatch(value):
        raise ValidationError("法人番号は半角数字13桁で入力してください。", code="format")
    if not is_valid_corporate_number(value):
        raise ValidationError(
            "法人番号のチェックデジット（先頭の1桁）が一致しません。番号を確認してください。",
            code="check_digit",
        )


_DIGITS_6 = re.compile(r"\d{6}")
_ESTABLISHMENT = re.compile(r"[0-9A-Z]{10}")


def municipality_code_check_digit(base5: str) -> int:
    """Check digit of a 全国地方公共団体コード: weights 6,5,4,3,2; 11 minus the remainder, last digit."""
    total = sum(int(d) * w for d, w in zip(base5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def validate_municipality_code(value: str) -> None:
    if not isinstance(value, str) or not _DIGITS_6.fullmatch(value):
        raise ValidationError("団体コードは半角数字6桁で入力してください。", code="format")
    if int(value[5]) != municipality_code_check_digit(value[:5]):
        raise ValidationError("団体コードの検査数字（6桁目）が一致しません。", code="check_digit")
    if not 1 <= int(value[:2]) <= 47:
        raise ValidationError(
            "団体コードの先頭2桁は01～47の都道府県コードです。", code="prefecture"
        )


def validate_establishment_number(value: str) -> None:
    """介護保険事業所番号: 10 characters, the first two being the prefecture code."""
    if not isinstance(value, str) or not _ESTABLISHMENT.fullmatch(value):
        raise ValidationError("事業所番号は半角英数字10文字で入力してください。", code="format")
    if not value[:2].isdigit() or not 1 <= int(value[:2]) <= 47:
        raise ValidationError(
            "事業所番号の先頭2桁は01～47の都道府県コードです。", code="prefecture"
        )
