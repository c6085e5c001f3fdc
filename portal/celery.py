"""The Celery app, with every reliability setting of the project in this one place."""

import os

from celery import Celery, Task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError as DatabaseOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal", task_cls="portal.celery:ReliableTask")


def reliability_config(conf) -> dict:
    """Celery settings derived from Django settings; raises when they would lose or repeat work.

    Two traps with Redis: a task running longer than ``visibility_timeout`` is handed to a second
    worker while the first still runs it, so the timeout must exceed the hard time limit and the
    longest retry countdown (a countdown is held unacknowledged by the worker). And after a whole
    worker dies, its unacknowledged messages come back only when a restore scan runs, every
    ``unacked_restore_interval`` x ``unacked_restore_throttle`` seconds (about 100 s by default),
    and only for messages older than ``visibility_timeout``.

    Time limits travel in each task message from the process that sends it, so the web process
    and the workers must share these settings (docker-compose gives both the same environment).
    """
    hard = conf.CELERY_TASK_TIME_LIMIT
    soft = conf.CELERY_TASK_SOFT_TIME_LIMIT
    visibility = conf.CELERY_VISIBILITY_TIMEOUT
    backoff_max = conf.CELERY_RETRY_BACKOFF_MAX
    stale = getattr(conf, "REPORT_JOB_STALE_SECONDS", None)
    if soft >= hard:
        raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below the hard limit.")
    if visibility <= max(hard, backoff_max):
        raise ImproperlyConfigured(
            "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT and "
            "CELERY_RETRY_BACKOFF_MAX, or Redis delivers running tasks a second time."
        )
    if stale is not None and stale <= max(hard, backoff_max):
        raise ImproperlyConfigured(
            "REPORT_JOB_STALE_SECONDS must exceed CELERY_TASK_TIME_LIMIT and "
            "CELERY_RETRY_BACKOFF_MAX, or the sweep re-queues jobs a worker is still running."
        )
    broker_url = conf.CELERY_BROKER_URL
    config = {
        "broker_url": broker_url,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_backend": None,  # outcomes live in job rows, not in a result backend
        "task_ignore_result": True,
        "timezone": conf.TIME_ZONE,
        "enable_utc": True,
        # Acknowledge after the task ran, so a lost worker's task is delivered again...
        "task_acks_late": True,
        # ...also when the pool child running it is killed (SIGKILL, out of memory).
        "task_reject_on_worker_lost": True,
        # A worker reserves one message at a time, so a dead worker strands at most one.
        "worker_prefetch_multiplier": 1,
        "task_time_limit": hard,
        "task_soft_time_limit": soft,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_send_task_events": False,
        "task_default_queue": "portal",
        "beat_schedule": getattr(conf, "CELERY_BEAT_SCHEDULE", {}),
    }
    if getattr(conf, "CELERY_BEAT_SCHEDULE_FILENAME", None):
        config["beat_schedule_filename"] = str(conf.CELERY_BEAT_SCHEDULE_FILENAME)
    if broker_url.startswith("filesystem://"):
        folder = conf.CELERY_BROKER_DIR
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        # Every folder the transport writes, its exchange tables ("control") included, lives
        # under var/: kombu's default control folder is ./control, inside the repository.
        config["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    else:
        config["broker_transport_options"] = {
            "visibility_timeout": visibility,
            "unacked_restore_interval": conf.CELERY_UNACKED_RESTORE_INTERVAL,
            "unacked_restore_throttle": conf.CELERY_UNACKED_RESTORE_THROTTLE,
        }
    return config


def _configure() -> None:
    app.conf.update(reliability_config(settings))


class ReliableTask(Task):
    """Default task class: transient failures retry a bounded number of times with backoff."""

    # Connection problems with the database or a file system are worth another try; a bug is not.
    autoretry_for = (ConnectionError, TimeoutError, DatabaseOperationalError)
    retry_backoff = 5
    retry_jitter = True

    max_retries = settings.CELERY_MAX_RETRIES
    retry_backoff_max = settings.CELERY_RETRY_BACKOFF_MAX


_configure()
app.autodiscover_tasks()
# The current app is thread-local in Celery; without a default, a request served by another
# thread (a threaded server, the test live server) would look tasks up in a bare fallback app.
app.set_default()


def enqueue_task(name: str, *args) -> None:
    """Send the task registered under `name` (the `name=` of its decorator) with these arguments.

    Services enqueue by name and never import a `tasks` module: the tasks import the services
    they call, and each app's `AppConfig.ready()` imports its `tasks`, which registers them here.
    """
    app.tasks[name].delay(*args)
