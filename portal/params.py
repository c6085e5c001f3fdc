"""The one shared parser of raw request values (style: hostile input is normal input).

Every integer, id, date and code that a view reads from the URL, the query string or a POST body
goes through a form or through these helpers; nothing calls int() on request data. A value that
does not parse is answered, never raised as a 500: helpers either return the caller's default,
raise InvalidInput (400, a Japanese page saying why) or Http404 (for ids of objects that do not
exist).

ASCII digits only: "²" and "٣" pass str.isdigit() but are not numbers a person typed here.
"""

import datetime as dt
import re
from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import BadRequest
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.validators import is_valid_corporate_number

M = TypeVar("M", bound=Model)


class InvalidInput(BadRequest):
    """A 400 whose message, in Japanese, is shown to the person on the error page."""


_INT = re.compile(r"-?[0-9]{1,18}")
# The largest id any of our tables can hold (PostgreSQL bigint); larger ids cannot exist.
MAX_ID = 2**63 - 1


def parse_int(
    raw: object,
    *,
    default: int | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> int | None:
    """The integer written in `raw`, or `default` when it is missing, not a plain ASCII integer
    or outside [min_value, max_value]."""
    if not isinstance(raw, str):
        return default
    text = raw.strip()
    if not _INT.fullmatch(text):
        return default
    value = int(text)
    if min_value is not None and value < min_value:
        return default
    if max_value is not None and value > max_value:
        return default
    return value


def parse_id(raw: object) -> int | None:
    """A positive database id, or None."""
    return parse_int(raw, min_value=1, max_value=MAX_ID)


def require_int(
    raw: object, *, min_value: int | None = None, max_value: int | None = None, label: str = "値"
) -> int:
    """Like parse_int, but a bad value is a 400 answer with a Japanese reason."""
    value = parse_int(raw, min_value=min_value, max_value=max_value)
    if value is None:
        raise InvalidInput(f"{label}が正しくありません。")
    return value


def int_list(values: Iterable[object], *, limit: int, min_value: int = 1, max_value: int = MAX_ID):
    """The integers among `values` (bad ones dropped), in order, without repeats, at most `limit`."""
    seen: list[int] = []
    for raw in values:
        value = parse_int(raw, min_value=min_value, max_value=max_value)
        if value is not None and value not in seen:
            seen.append(value)
            if len(seen) >= limit:
                break
    return seen


def object_or_404(model_or_queryset: type[M] | QuerySet[M], raw: object, **filters) -> M:
    """The object whose id is written in `raw` (and matches `filters`), else 404; a bad id is a
    missing object, not an error."""
    pk = parse_id(raw)
    if pk is None:
        raise Http404
    return get_object_or_404(model_or_queryset, pk=pk, **filters)


def parse_date(raw: object, *, default: dt.date | None = None) -> dt.date | None:
    """A date written YYYY-MM-DD, or `default`."""
    if not isinstance(raw, str):
        return default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return default


def parse_choice(raw: object, choices: Iterable[str], *, default: str | None = None) -> str | None:
    """`raw` if it is one of `choices`, else `default`."""
    return raw if isinstance(raw, str) and raw in set(choices) else default


_CORPORATE_NUMBER = re.compile(r"[0-9]{13}")


def parse_corporate_number(raw: object) -> str | None:
    """A 法人番号 (13 ASCII digits with a matching check digit), or None."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _CORPORATE_NUMBER.fullmatch(text) or not is_valid_corporate_number(text):
        return None
    return text
