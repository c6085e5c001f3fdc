"""Report-job machinery: apps register the kinds of file they render; the core imports none."""

import time
from collections.abc import Callable
from dataclasses import dataclass


class JobError(Exception):
    """A failure whose message (in Japanese) is shown to the person who asked for the file."""


@dataclass(frozen=True)
class JobOutput:
    filename: str
    content: bytes
    content_type: str


ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    render: Callable[..., JobOutput]  # (job, progress) -> JobOutput


_KINDS: dict[str, JobKind] = {}


def register_kind(name: str, label: str, render: Callable[..., JobOutput]) -> None:
    _KINDS[name] = JobKind(name=name, label=label, render=render)


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise JobError(f"「{name}」という種類のレポートはありません。") from None


def label_for(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name


def kinds() -> list[JobKind]:
    return list(_KINDS.values())


def render_selftest(job, progress: ProgressFn) -> JobOutput:
    """A diagnostic job: waits in steps, reporting progress, then writes a small text file.

    Used to check that workers run tasks (and by the reliability tests, which kill a worker
    in the middle of one).
    """
    seconds = min(float(job.params.get("seconds", 0)), 60.0)
    steps = max(1, int(job.params.get("steps", 5)))
    for step in range(steps):
        time.sleep(seconds / steps)
        progress(int((step + 1) * 100 / steps))
    if job.attempts <= int(job.params.get("transient_failures", 0)):
        # Stands for a passing outage (database, file server): the task retries with backoff.
        raise ConnectionError("selftest: simulated transient failure")
    if job.params.get("fail"):
        raise JobError("動作確認のため、わざと失敗させました。")
    text = f"動作確認ジョブ #{job.pk} は正常に完了しました。\n"
    return JobOutput(
        filename=f"selftest-{job.pk}.txt",
        content=text.encode("utf-8"),
        content_type="text/plain; charset=utf-8",
    )
