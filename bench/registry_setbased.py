"""The set-based baseline of the registry import, run by bench/registry.py in a child process.

Same tables, indexes and history as `manage.py import_establishments` (a freshly migrated
database), same checks (`imports.read_rows` and `imports.clean_row`, duplicates rejected per file),
but every write set-based: COPY into staging tables, INSERT … SELECT … ON CONFLICT … DO UPDATE …
WHERE … IS DISTINCT FROM, history rows by INSERT … SELECT (partners/services/bulk_pg.py), in
chunks of CHUNK rows, and corporation sizes and centres derived once at the end for every
corporation any file named. Prints one JSON line: seconds, peak RSS and the counts.

    DATABASE_URL=postgres://…/kyodo_bench_registry_setbased python bench/registry_setbased.py FILE…
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
os.environ["DEBUG"] = "False"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from partners.models import ImportRun, ImportStatus  # noqa: E402
from partners.services import bulk_pg, imports  # noqa: E402
from partners.services.registry import corporations_refresh_size  # noqa: E402

# Rows per set-based write: large enough that per-statement costs vanish, small enough that the
# checked rows held in memory stay well under the 300 MB the import may use.
CHUNK = 20_000


def import_file(path: Path, run: ImportRun, totals: dict, corporations: set[int]) -> None:
    encoding, _digest, _lines = imports.sniff_file(path)
    counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    seen: set[tuple[str, str]] = set()
    chunk: list = []

    def flush() -> None:
        result = bulk_pg.establishments_write(chunk, run=run, by=None)
        counts["created"] += result.created
        counts["updated"] += result.updated
        counts["unchanged"] += result.unchanged
        corporations.update(result.corporations)
        chunk.clear()

    for line, cells in imports.read_rows(path, encoding):
        counts["rows"] += 1
        row = imports.clean_row(line, cells)
        if isinstance(row, imports.Reject):
            counts["rejected"] += 1
            continue
        key = (row.establishment["number"], row.establishment["service_type"])
        if key in seen:
            counts["rejected"] += 1
            continue
        seen.add(key)
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    for name, value in counts.items():
        totals[name] = totals.get(name, 0) + value


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]]
    call_command("migrate", verbosity=0)
    totals: dict[str, int] = {}
    corporations: set[int] = set()
    start = time.perf_counter()
    # One run over every file, named as the import names it, so that history reasons match.
    run = ImportRun.objects.create(
        kind="establishments",
        file_name=imports._run_name(paths),
        file_hash="0" * 64,
        status=ImportStatus.RUNNING,
    )
    for path in paths:
        import_file(path, run, totals, corporations)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), **totals
    )
    written = time.perf_counter()
    corporations_refresh_size(ids=corporations)
    end = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": end - start,
                "write_seconds": written - start,
                "derive_seconds": end - written,
                "peak_mb": peak_mb,
                **totals,
            }
        )
    )


if __name__ == "__main__":
    main()
