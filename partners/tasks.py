"""Celery tasks of the registry: they take ids, refetch and call a service."""

from django.conf import settings

from partners.services import imports
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


# Looked up on each call, so that the task object stays the one place that sends it.
imports.register_upload_runner(lambda run_id: import_establishments_file.delay(run_id))
