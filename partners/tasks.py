"""Celery tasks of the registry: they take ids, refetch and call a service."""

from django.conf import settings
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone

from partners.services import events, imports
from portal.celery import app


# Bound to the project's app directly (not shared_task): the web process never runs Celery's
# autodiscovery, and a task module first imported after the app is finalized would otherwise be
# missing from its registry in threads other than the main one.
@app.task(name="partners.import_establishments_file")
def import_establishments_file(run_id: int) -> None:
    """Import a file uploaded in the browser. A second delivery (after a worker died) resumes the
    same run: the upsert is idempotent and a finished run is left alone."""
    imports.import_run_upload(run_id=run_id)


@app.task(name="partners.sweep_import_runs")
def sweep_import_runs() -> int:
    """Periodic (beat): mark interrupted the imports whose process was killed, so that none stays
    "running" for good. Returns how many were marked."""
    return imports.import_runs_mark_interrupted(
        older_than_seconds=settings.IMPORT_RUN_STALE_SECONDS
    )


# smtplib's errors are OSErrors (as are connection errors and timeouts): a mail server that is down
# or refuses for a while is retried with backoff; the mail's row makes a late retry harmless.
@app.task(
    name="partners.send_meeting_mail",
    autoretry_for=(OSError, DatabaseOperationalError),
    retry_backoff=10,
)
def send_meeting_mail(mail_id: int) -> int:
    """Deliver one sub-meeting mail (invitation, change, reminder, moved up from the waiting
    list); a second delivery of the task sends nothing."""
    return events.meeting_mail_send(mail_id=mail_id)


@app.task(name="partners.send_meeting_reminders")
def send_meeting_reminders() -> int:
    """Daily: the reminders of sub-meetings held within MEETING_REMINDER_DAYS days (idempotent)."""
    return events.meeting_reminders(today=timezone.localdate())


# Looked up on each call, so that the task object stays the one place that sends it.
imports.register_upload_runner(lambda run_id: import_establishments_file.delay(run_id))
