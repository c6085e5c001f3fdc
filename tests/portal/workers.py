"""Real Celery workers for tests: a `celery worker` subprocess (`Worker`, the `start_worker`
fixture), brokers this process publishes to (`broker`, the `redis_broker` and `book_broker`
fixtures) and polling (`wait_for`). Shared by the worker, report-job, upload, run-script and
browser tests; tests/conftest.py makes the fixtures available everywhere.

The Redis tests use settings.CELERY_TEST_REDIS_URL (from CELERY_TEST_REDIS_URL, set by
scripts/test.sh; default database 14; one database per xdist worker, see portal/settings/test.py).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from portal.models import ReportJob
from portal.tasks import run_report_job

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = settings.CELERY_TEST_REDIS_URL
# Short limits so that a killed worker's task comes back within seconds:
# hard limit 8 s < visibility timeout 10 s, restore scan every second.
FAST_LIMITS = {
    "CELERY_TASK_TIME_LIMIT": "8",
    "CELERY_TASK_SOFT_TIME_LIMIT": "7",
    "CELERY_VISIBILITY_TIMEOUT": "10",
    "CELERY_RETRY_BACKOFF_MAX": "5",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    return f"postgres://{user}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Worker:
    """A `celery worker` subprocess in its own process group, logging to a file."""

    def __init__(self, *, broker_url: str, media: Path, log: Path, extra_env: dict | None = None):
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings.test",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker_url,
            MEDIA_ROOT=str(media),
            PYTHONUNBUFFERED="1",
        )
        env.update({**FAST_LIMITS, **(extra_env or {})})
        if broker_url.startswith("filesystem://"):
            env.pop("CELERY_BROKER_URL")
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        wait_for(lambda: " ready." in self.text(), timeout, f"worker not ready:\n{self.text()}")

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool children, no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.handle.close()


def wait_for(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(message)


def job(pk: int) -> ReportJob:
    return ReportJob.objects.get(pk=pk)


def reset_connections() -> None:
    """Drop the connection pools so that the next publish uses the broker now configured.

    Not `app.close()`: it also takes the app off Celery's list of live apps, and a
    `@shared_task` module imported afterwards (desk.tasks on a first consultation) would then
    never be registered in this process."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker(url: str, **transport_options):
    """Point this test process's Celery app at a broker, as the worker subprocess is.

    The publisher's time limits travel in each message and win over the worker's, so this
    process must publish with the same short limits the test workers run with.
    """
    # Celery prefers the CELERY_BROKER_URL environment variable over its configuration.
    saved_env = os.environ.pop("CELERY_BROKER_URL", None)
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    saved_limits = run_report_job.time_limit, run_report_job.soft_time_limit
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = transport_options
    run_report_job.time_limit = int(FAST_LIMITS["CELERY_TASK_TIME_LIMIT"])
    run_report_job.soft_time_limit = int(FAST_LIMITS["CELERY_TASK_SOFT_TIME_LIMIT"])
    run_report_job._exec_options = None  # Celery caches the options a task publishes with
    reset_connections()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
        run_report_job.time_limit, run_report_job.soft_time_limit = saved_limits
        run_report_job._exec_options = None
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env
        reset_connections()


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}; scripts/ensure-services.sh starts it")
    client.flushdb()
    options = {
        "visibility_timeout": int(FAST_LIMITS["CELERY_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    with broker(REDIS_URL, **options):
        yield REDIS_URL
    client.flushdb()


@pytest.fixture
def media(tmp_path, settings):
    folder = tmp_path / "media"
    folder.mkdir()
    settings.MEDIA_ROOT = folder
    return folder


@pytest.fixture
def start_worker(tmp_path, media):
    workers = []

    def start(broker_url: str, **extra_env) -> Worker:
        worker = Worker(
            broker_url=broker_url,
            media=media,
            log=tmp_path / f"worker-{len(workers)}.log",
            extra_env=extra_env,
        )
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


# Limits for renders that must finish: far above a 29-case book's render (10-20 s on two cores),
# so that a slow machine only makes the test slower. No test here needs them to be short.
BOOK_LIMITS = {
    "CELERY_TASK_TIME_LIMIT": "300",
    "CELERY_TASK_SOFT_TIME_LIMIT": "290",
    "CELERY_VISIBILITY_TIMEOUT": "310",
}


@pytest.fixture
def book_broker(redis_broker):
    """The Redis broker, publishing with the book's limits (they travel in each message)."""
    from portal.tasks import run_report_job

    saved = run_report_job.time_limit, run_report_job.soft_time_limit
    with broker(
        redis_broker,
        visibility_timeout=int(BOOK_LIMITS["CELERY_VISIBILITY_TIMEOUT"]),
        unacked_restore_interval=1,
        unacked_restore_throttle=1,
    ):
        run_report_job.time_limit = int(BOOK_LIMITS["CELERY_TASK_TIME_LIMIT"])
        run_report_job.soft_time_limit = int(BOOK_LIMITS["CELERY_TASK_SOFT_TIME_LIMIT"])
        run_report_job._exec_options = None  # Celery caches the limits it publishes with
        yield redis_broker
    run_report_job.time_limit, run_report_job.soft_time_limit = saved
    run_report_job._exec_options = None
