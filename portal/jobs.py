"""Report-job machinery: apps register the kinds of file they render; the core imports none.

A kind turns a job into a `Draft` in two steps. `prepare` reads the data and returns everything the
file is made of (for a PDF, the final HTML) with a fingerprint of it; `build` then does the slow
part (layout and PDF writing). The fingerprint lets the same request over unchanged data reuse the
file already made, and lets two identical requests at once share one render.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.http import QueryDict


class JobError(Exception):
    """A failure whose message (in Japanese) is shown to the person who asked for the file."""


ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class Companion:
    """A second file made from the same figures (the spreadsheet beside a PDF)."""

    filename: str
    content: bytes
    content_type: str


@dataclass
class Draft:
    filename: str
    content_type: str
    # Hash of everything the file is made from; "" means "never reuse" (diagnostic jobs).
    fingerprint: str
    build: Callable[[ProgressFn], bytes]
    companion: Companion | None = None
    title: str = ""


def _anyone(user, job) -> bool:
    return True


def _no_description(params: dict) -> str:
    return ""


def _no_params(data, *, user=None) -> dict:
    return {}


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    prepare: Callable[..., Draft]  # (job, progress) -> Draft
    # Who may download a finished file of this kind (on top of seeing the job at all).
    may_download: Callable[..., bool] = _anyone
    describe: Callable[[dict], str] = _no_description
    # Reads the request form into the job's parameters for `user` (None: the server itself, as
    # render_report); raises JobError on bad input, and answers an object the user may not see
    # exactly as a missing one.
    params_from: Callable[..., dict] = _no_params
    # The request form on /reports/: (request) -> {"template", "context"} or None (not offered).
    panel: Callable | None = None
    # Base of the downloaded file's name, e.g. "公開事例集".
    file_label: str = ""


_KINDS: dict[str, JobKind] = {}


def register_kind(
    name: str,
    label: str,
    prepare: Callable[..., Draft],
    *,
    may_download: Callable[..., bool] = _anyone,
    describe: Callable[[dict], str] = _no_description,
    params_from: Callable[..., dict] = _no_params,
    panel: Callable | None = None,
    file_label: str = "",
) -> None:
    _KINDS[name] = JobKind(
        name, label, prepare, may_download, describe, params_from, panel, file_label
    )


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise JobError(f"「{name}」という種類のレポートはありません。") from None


def find_kind(name: str) -> JobKind | None:
    return _KINDS.get(name)


def label_for(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name


def kinds() -> list[JobKind]:
    return list(_KINDS.values())


def panels_for(request) -> list[dict]:
    """The request forms the /reports/ page offers this person, in registration order."""
    shown = []
    for kind in _KINDS.values():
        if kind.panel is not None:
            panel = kind.panel(request)
            if panel:
                shown.append({"kind": kind, **panel})
    return shown


def fingerprint(kind: str, *parts: str | bytes) -> str:
    digest = hashlib.sha256(kind.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()


def params_querydict(params: dict) -> QueryDict:
    """Job parameters kept as {name: [values]} back into the QueryDict the filters read."""
    query = QueryDict(mutable=True)
    for key, values in (params or {}).items():
        query.setlist(key, [str(v) for v in (values if isinstance(values, list) else [values])])
    return query


def prepare_selftest(job, progress: ProgressFn) -> Draft:
    """A diagnostic job: waits in steps, reporting progress, then writes a small text file.

    Used to check that workers run tasks, and by the reliability tests, which must not guess how
    fast the machine is: `hold_attempts` keeps the first N attempts running until they are
    stopped (time limit, kill), `until_file` keeps the job running until that file exists, and
    `share` gives it a fingerprint so that identical jobs share one render. While held, the job
    reports progress (and so a heartbeat) every few tenths of a second: an observable state to wait
    for. The web form never sets these parameters (see `report_selftest`).
    """
    hold_attempts = int(job.params.get("hold_attempts", 0))
    until_file = str(job.params.get("until_file") or "")

    def held() -> bool:
        return job.attempts <= hold_attempts or bool(until_file and not Path(until_file).exists())

    def build(progress: ProgressFn) -> bytes:
        tick = 0
        while held():
            tick += 1
            progress(min(90, tick))
            time.sleep(0.2)
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
        if job.params.get("crash"):
            raise RuntimeError("selftest: simulated bug")
        return f"動作確認ジョブ #{job.pk} は正常に完了しました。\n".encode()

    share = job.params.get("share")
    return Draft(
        filename=f"selftest-{job.pk}.txt",
        content_type="text/plain; charset=utf-8",
        fingerprint=fingerprint("selftest", str(share)) if share else "",
        build=build,
    )
