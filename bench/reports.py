"""PDF reports: the 29-case public case book and one consortium progress report.

Each measured render runs in a fresh child process pinned to 2 cores, so its peak resident memory
is its own. Prints, per report, the median of our path (HTML built from the database, then
portal.pdf.html_to_pdf) next to WeasyPrint alone on the very same final HTML, as a ratio, with the
page count and the peak RSS of each. Targets: ratio ≤ 1.3; case book ≤ 20 s and ≤ 1 GB;
consortium report ≤ 3 s.

    .venv/bin/python bench/reports.py                  # the database of portal.settings.local
    .venv/bin/python bench/reports.py --runs 1         # one run each (default 3 book, 9 consortium)
    .venv/bin/python bench/reports.py --only book      # or --only consortium; --consortium PK
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORES = {0, 1}
MB = 1024  # VmHWM is in kB
TARGETS = {
    "book": {"seconds": 20.0, "memory_mb": 1024},
    "consortium": {"seconds": 3.0, "memory_mb": None},
}
RATIO_TARGET = 1.3
DEFAULT_RUNS = {"book": 3, "consortium": 9}


def pin_cores() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cores = CORES & os.sched_getaffinity(0)
    if not cores:
        return f"not pinned (cores {sorted(CORES)} unavailable)"
    os.sched_setaffinity(0, cores)
    return "pinned to cores " + ",".join(str(c) for c in sorted(cores))


def peak_rss_kb() -> int:
    """VmHWM of this process: its own peak, whatever its parent or siblings did."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def current_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    import django

    django.setup()


def consortium_builder():
    """guidance.reports.build_consortium_html, or None while it does not exist yet."""
    try:
        from guidance import reports
    except ImportError:
        return None
    return getattr(reports, "build_consortium_html", None)


# --- Children: one render each, a JSON line on stdout -------------------------------------------


def child_ours(report: str, consortium: int, workdir: Path, index: int) -> dict:
    django_setup()
    import weasyprint.text.fonts  # noqa: F401 - imported once per worker, not per render

    from cases.reports import build_html
    from portal.pdf import html_to_pdf

    before = current_rss_kb()
    start = time.perf_counter()
    cases = None
    if report == "book":
        html, found = build_html({})
        cases = len(found)
    else:
        html = consortium_builder()(consortium)
    built = time.perf_counter()
    pdf = html_to_pdf(html)
    done = time.perf_counter()
    (workdir / f"{report}-ours-{index}.html").write_text(html, encoding="utf-8")
    (workdir / f"{report}-ours-{index}.pdf").write_bytes(pdf)
    return {
        "seconds": done - start,
        "html_seconds": built - start,
        "pdf_seconds": done - built,
        "rss_before_kb": before,
        "peak_kb": peak_rss_kb(),
        "pdf_bytes": len(pdf),
        "cases": cases,
    }


def child_raw(report: str, workdir: Path, index: int, options: dict) -> dict:
    """WeasyPrint alone: no Django in this process, default fetcher and fonts."""
    import weasyprint

    html = (workdir / f"{report}-ours-0.html").read_text(encoding="utf-8")
    before = current_rss_kb()
    start = time.perf_counter()
    pdf = weasyprint.HTML(string=html).write_pdf(**options)
    done = time.perf_counter()
    (workdir / f"{report}-raw-{index}.pdf").write_bytes(pdf)
    return {
        "seconds": done - start,
        "rss_before_kb": before,
        "peak_kb": peak_rss_kb(),
        "pdf_bytes": len(pdf),
    }


# --- Parent -------------------------------------------------------------------------------------


def spawn(mode: str, report: str, index: int, workdir: Path, extra: list[str]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--only", report]
    command += ["--workdir", str(workdir), "--index", str(index), *extra]
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        command, capture_output=True, text=True, timeout=900, cwd=ROOT, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{mode} {report} run {index} failed:\n{result.stderr.strip()}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["stderr"] = result.stderr.strip()
    return data


def page_count(pdf: Path) -> int | None:
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo:
        return None
    out = subprocess.run(  # noqa: S603 - fixed tool, our own file
        [pdfinfo, str(pdf)], capture_output=True, text=True, check=False
    ).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def measure(report: str, title: str, runs: int, workdir: Path, extra: list[str]) -> None:
    from portal.pdf import PDF_OPTIONS

    options = ["--options", json.dumps(PDF_OPTIONS)]
    ours, raw = [], []
    # Alternate ours and raw so that drift of a shared machine touches both alike.
    ours.append(spawn("ours", report, 0, workdir, extra))
    for index in range(runs):
        raw.append(spawn("raw", report, index, workdir, options))
        if index + 1 < runs:
            ours.append(spawn("ours", report, index + 1, workdir, extra))

    htmls = {(workdir / f"{report}-ours-{i}.html").read_text(encoding="utf-8") for i in range(runs)}
    html = (workdir / f"{report}-ours-0.html").read_text(encoding="utf-8")
    pages_ours = page_count(workdir / f"{report}-ours-0.pdf")
    pages_raw = page_count(workdir / f"{report}-raw-0.pdf")
    pages = "? (pdfinfo not found: apt install poppler-utils)" if pages_ours is None else pages_ours
    if pages_raw != pages_ours:
        pages = f"{pages_ours} (raw WeasyPrint: {pages_raw})"

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    ours_s, raw_s = med(ours, "seconds"), med(raw, "seconds")
    ours_mb = max(row["peak_kb"] for row in ours) / MB
    raw_mb = max(row["peak_kb"] for row in raw) / MB
    ratio = ours_s / raw_s
    runs_of = [("ours", ours), ("raw", raw)]
    target = TARGETS[report]

    if ours[0].get("cases") is not None:
        title += f", {ours[0]['cases']} cases"
    print(f"{title}: {len(html.encode()) / 1000:,.0f} kB of HTML, {pages} pages")
    print(
        f"  ours {ours_s:7.2f} s median of {runs} (HTML from the database "
        f"{med(ours, 'html_seconds'):.2f} s + html_to_pdf {med(ours, 'pdf_seconds'):.2f} s), "
        f"peak RSS {ours_mb:,.0f} MB (before the render {ours[0]['rss_before_kb'] / MB:,.0f})"
    )
    print(
        f"  raw  {raw_s:7.2f} s median of {runs} (weasyprint.HTML(string=html).write_pdf), "
        f"peak RSS {raw_mb:,.0f} MB (before the render {raw[0]['rss_before_kb'] / MB:,.0f})"
    )
    each = {name: ", ".join(f"{row['seconds']:.2f}" for row in rows) for name, rows in runs_of}
    print(f"  each run: ours {each['ours']} s; raw {each['raw']} s")
    verdicts = [
        f"ratio {ratio:.2f}x (html_to_pdf alone {med(ours, 'pdf_seconds') / raw_s:.2f}x) "
        f"≤ {RATIO_TARGET}: {mark(ratio <= RATIO_TARGET)}",
        f"time ≤ {target['seconds']:g} s: {mark(ours_s <= target['seconds'])}",
    ]
    if target["memory_mb"]:
        verdicts.append(
            f"memory ≤ {target['memory_mb']:,} MB: {mark(ours_mb <= target['memory_mb'])}"
        )
    print("  " + " | ".join(verdicts))
    if len(htmls) > 1:
        print(f"  note: the {runs} runs built {len(htmls)} different HTML documents")
    for row in ours[:1] + raw[:1]:
        if row["stderr"]:
            lines = row["stderr"].splitlines()
            print(f"  note: a child wrote {len(lines)} lines to stderr, first: {lines[0][:160]}")


def pick_consortium(requested: int | None):
    from django.db.models import Count

    from guidance.models import Consortium

    consortia = Consortium.objects.annotate(
        measurements=Count("goals__kpis__measurements", distinct=True),
        stage_moves=Count("moves", distinct=True),
    )
    if requested is not None:
        return consortia.get(pk=requested)
    return max(consortia.order_by("pk"), key=lambda c: c.measurements + c.stage_moves, default=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="runs per report (default 3 book, 9 consortium)")
    parser.add_argument("--only", choices=["book", "consortium"])
    parser.add_argument("--consortium", type=int, help="pk (default: most KPI measurements+moves)")
    parser.add_argument("--child", choices=["ours", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--options", type=json.loads, help=argparse.SUPPRESS)
    parser.add_argument("--db", help="PostgreSQL database name on 127.0.0.1 (children inherit it)")
    args = parser.parse_args()
    if args.db:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"

    pinned = pin_cores()
    if args.child == "raw":
        print(json.dumps(child_raw(args.only, args.workdir, args.index, args.options)))
        return
    if args.child == "ours":
        print(json.dumps(child_ours(args.only, args.consortium, args.workdir, args.index)))
        return

    django_setup()
    import weasyprint
    from django.db import connection

    database = connection.settings_dict["NAME"]
    print(
        f"backend: {connection.vendor} ({database}); WeasyPrint {weasyprint.__version__}; "
        f"{pinned}; a fresh process per render"
    )
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "book"):
            runs = args.runs or DEFAULT_RUNS["book"]
            measure("book", "case book (params {})", runs, workdir, [])
        if args.only in (None, "consortium"):
            consortium = pick_consortium(args.consortium)
            if consortium_builder() is None:
                print(
                    "consortium report: SKIPPED, guidance.reports.build_consortium_html "
                    "does not exist yet"
                )
            elif consortium is None:
                print("consortium report: SKIPPED, no consortium (manage.py seed_demo)")
            else:
                runs = args.runs or DEFAULT_RUNS["consortium"]
                title = (
                    f"consortium report (#{consortium.pk} {consortium.name}, "
                    f"KPI measurements {consortium.measurements}, stage moves {consortium.stage_moves})"
                )
                measure(
                    "consortium",
                    title,
                    runs,
                    workdir,
                    ["--consortium", str(consortium.pk)],
                )


if __name__ == "__main__":
    main()
