"""Mail sent once from a task: lock the rows, skip what is stamped, send, stamp with the send."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def send_once(
    rows: models.QuerySet[M],
    *,
    stamp: str,
    build: Callable[[list[M]], Sequence[EmailMessage]],
    record: Callable[[Sequence[EmailMessage]], Mapping[str, Any]] | None = None,
    at: datetime | None = None,
) -> int:
    """Send the mail of `rows` whose `stamp` is still empty, once, and stamp them with `at`.

    The rows are locked (FOR UPDATE, their own table only) and the mail is sent inside that
    transaction: a second worker or a re-delivered task waits for the lock, then finds the stamp
    set and sends nothing. A send that raises rolls the stamp back and the error propagates, so
    the task's retry sends it later. Nothing left to mail (no row, or all stamped) returns 0;
    `build` returning no message stamps the rows all the same (there was nobody to write to).
    `record` names further columns to write with the stamp, from the messages sent.
    Returns the number of messages sent.
    """
    with transaction.atomic():
        locked = list(rows.select_for_update(of=("self",)).filter(**{f"{stamp}__isnull": True}))
        if not locked:
            return 0
        messages = list(build(locked))
        sent = (get_connection().send_messages(messages) or 0) if messages else 0
        values = {stamp: at or timezone.now(), **(record(messages) if record else {})}
        rows.model._default_manager.filter(pk__in=[row.pk for row in locked]).update(**values)
    return sent
