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
