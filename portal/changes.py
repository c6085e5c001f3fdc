"""How every app records a change: who made it (history rows) and whether the editor saw the
latest version (optimistic locking with an integer `version` column)."""

from typing import Any, TypeVar

from portal.params import parse_int

T = TypeVar("T")

STALE = (
    "この画面を開いた後に、ほかの人が内容を更新しました。入力内容は保存していません。"
    "最新の内容を確認して、もう一度入力してください。"
)
MISSING = (
    "どの版を編集していたのかが分からないため、入力内容は保存していません。"
    "ページを開き直してから、もう一度入力してください。"
)


class EditConflict(Exception):
    """Somebody else saved the same row after this person opened it, or the page sent no version:
    the save is refused and the page says so, so nothing is overwritten silently."""

    def __init__(self, message: str = STALE):
        super().__init__(message)
        self.message = message


class _NoPage:
    def __repr__(self) -> str:
        return "NO_PAGE"


# For callers that act without a page the user opened (demo data, imports, other services): there
# is no version the user saw, so there is nothing to compare. Views always pass what the form sent.
NO_PAGE: Any = _NoPage()


def check_version(current: int, submitted: object) -> None:
    """Refuse the save unless `submitted` (what the page sent) is the row's current version."""
    if submitted is NO_PAGE:
        return
    value = submitted if isinstance(submitted, int) else parse_int(submitted)
    if value is None:
        raise EditConflict(MISSING)
    if value != current:
        raise EditConflict(STALE)


def with_actor(obj: T, by: object, reason: str = "") -> T:
    """Name the person (and why) on the history row simple-history writes at the next save."""
    obj._history_user = by  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    return obj
