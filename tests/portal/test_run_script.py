"""`make run` (scripts/run.sh): the web server keeps answering while a dead worker is started again,
and Ctrl-C stops the web server, the worker and beat."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.portal.workers import ROOT, database_url, wait_for

# `make run` is the embedded default: SQLite and the filesystem broker.
pytestmark = [pytest.mark.worker, pytest.mark.embedded, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
            return response.status == 200
    except OSError:
        return False


def started(log: Path, name: str) -> list[int]:
    text = log.read_text(errors="replace")
    return [int(pid) for pid in re.findall(rf"run: {name} started \(pid (\d+)\)", text)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def kill_with_children(pid: int) -> None:
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for child in [pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


@pytest.fixture
def run_script(tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=database_url(),  # the test database, already migrated
        CELERY_BROKER_DIR=str(tmp_path / "broker"),  # the embedded filesystem broker
        MEDIA_ROOT=str(tmp_path / "media"),
        HOST="127.0.0.1",
        PORT=str(port),
        RUN_RESTART_DELAY="0.5",
        PYTHONUNBUFFERED="1",
    )
    with log.open("ab") as handle:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # A terminal's Ctrl-C reaches a shell that can trap it; a test run started in the
            # background (as CI may start it) inherits SIGINT ignored, and bash cannot trap a
            # signal ignored on entry. Start the script as a terminal would.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            yield process, f"http://127.0.0.1:{port}/healthz", log
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_run_restarts_a_killed_worker_while_the_web_server_keeps_answering(run_script):
    process, healthz, log = run_script
    text = lambda: log.read_text(errors="replace")  # noqa: E731
    wait_for(lambda: answers(healthz) and " ready." in text(), 90, f"not up:\n{text()}")
    assert len(started(log, "beat")) == 1
    [worker] = started(log, "worker")

    kill_with_children(worker)

    def restarted() -> bool:
        assert answers(healthz), f"the web server stopped answering:\n{text()}"
        return len(started(log, "worker")) == 2 and text().count(" ready.") == 2

    wait_for(restarted, 90, f"worker not restarted:\n{text()}")
    assert "run: worker ended" in text()
    assert answers(healthz)

    # Ctrl-C (SIGINT to the script) stops the web server, the worker and beat.
    os.kill(process.pid, signal.SIGINT)
    # Two busy cores (the other xdist worker) can slow the warm shutdown; the exit code is what counts.
    assert process.wait(timeout=150) == 0
    everything = started(log, "web") + started(log, "worker") + started(log, "beat")
    wait_for(lambda: not any(alive(pid) for pid in everything), 30, f"left running:\n{text()}")
    assert not answers(healthz)
