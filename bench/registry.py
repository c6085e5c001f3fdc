"""Provider registry at scale: import, search and match over 250,000 synthetic open-data rows.

Prints the import time and the peak resident memory of `manage.py import_establishments`, with the
time of PostgreSQL's COPY of the same rows as a ratio; the median search latency of both views of
/partners/; and the median match latency next to a plain scan of the same data, as a ratio. On
PostgreSQL it also imports the same files through the set-based baseline (bench/registry_setbased.py)
into a second database, checks that both hold the same tables and history, and prints our import's
time as a ratio of the baseline's.
Targets: peak memory ≤ 300 MB for 250,000 rows, search ≤ 100 ms median, match ≤ 300 ms median,
import ≤ 1.3× the set-based baseline.

    .venv/bin/python bench/registry.py                 # PostgreSQL database kyodo_bench_registry
    .venv/bin/python bench/registry.py --reuse         # keep the imported data of the last run
    .venv/bin/python bench/registry.py --rows 5000     # a quick run
    .venv/bin/python bench/registry.py --sqlite        # the embedded default, var/bench-registry.sqlite3
    .venv/bin/python bench/registry.py --db kyodo_bench_web   # another PostgreSQL database
"""

import argparse
import csv
import io
import json
import math
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rows", type=int, default=250_000)
parser.add_argument("--rounds", type=int, default=30)
parser.add_argument(
    "--reuse", action="store_true", help="keep the database if it already holds these rows"
)
parser.add_argument("--sqlite", action="store_true")
parser.add_argument(
    "--db", default="kyodo_bench_registry", help="PostgreSQL database name (default %(default)s)"
)
args = parser.parse_args()

DB_NAME = args.db
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
SQLITE_PATH = ROOT / "var" / "bench-registry.sqlite3"
OPENDATA = ROOT / "var" / "bench-opendata"
DATASET = {
    "rows": args.rows,
    "national": True,
    "dirty": 0.02,
    "encoding": "utf-8-sig",
    "seed": 2026,
    # 2: each prefecture's weight shared by its municipalities (東京都 about 10 % of the rows).
    "generator": 2,
}
# The figures of the last import, reprinted when --reuse skips it.
STATE = ROOT / "var" / f"bench-registry-{'sqlite' if args.sqlite else DB_NAME}.json"
HELD_SQL = "SELECT COALESCE(SUM(rows), 0) FROM partners_importrun WHERE kind = 'establishments'"


def held_rows() -> int:
    """Data rows the benchmark database already imported (0 when it is empty or missing)."""
    try:
        if args.sqlite:
            if not SQLITE_PATH.exists():
                return 0
            with sqlite3.connect(SQLITE_PATH) as db:
                return int(db.execute(HELD_SQL).fetchone()[0])
        import psycopg

        with psycopg.connect(BENCH_URL) as db:
            row = db.execute(HELD_SQL).fetchone()
            return int(row[0]) if row else 0
    except Exception:  # noqa: BLE001 - no database or no table yet: nothing to reuse
        return 0


def dataset_ready() -> bool:
    marker = OPENDATA / "dataset.json"
    if not marker.exists():
        return False
    saved = json.loads(marker.read_text())
    return saved.get("dataset") == DATASET and all(
        (OPENDATA / name).exists() for name in saved.get("files", [])
    )


REUSE = args.reuse and dataset_ready() and held_rows() == args.rows

if args.sqlite:
    if not REUSE:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
else:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and not REUSE:
            admin.execute(f"DROP DATABASE {DB_NAME} WITH (FORCE)")
            exists = None
        if not exists:
            admin.execute(
                f"CREATE DATABASE {DB_NAME} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.local"
# DEBUG would keep every query in memory (the import's peak RSS); the in-process cache keeps
# cache.clear() away from a Redis that other processes share.
os.environ["DEBUG"] = "False"
os.environ["CACHE_URL"] = "locmemcache://"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Avg, Count, Sum  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from partners import selectors  # noqa: E402
from partners.access import RegistryViewer  # noqa: E402
from partners.matching import Features, rank  # noqa: E402
from partners.models import (  # noqa: E402
    Challenge,
    Corporation,
    Establishment,
    ImportRun,
    Municipality,
    ProviderProfile,
    Theme,
)
from partners.synthetic import generate  # noqa: E402
from portal.models import User  # noqa: E402

POSTGRES = connection.vendor == "postgresql"
STAFF_EMAIL = "bench-registry@example.jp"
MATCH_PREFECTURES = [
    "01", "04", "07", "09", "11", "13", "14", "15", "17", "20",
    "22", "23", "26", "27", "28", "33", "34", "38", "40", "47",
]  # fmt: skip


# --- Helpers ----------------------------------------------------------------------------------------
def ms(seconds: float) -> float:
    return seconds * 1000


def median_p90(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=10, method="inclusive")[-1]


def timed(function, *a, **kw) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*a, **kw)
    return time.perf_counter() - start, result


# --- 1. Data files ----------------------------------------------------------------------------------
def data_files() -> list[Path]:
    marker = OPENDATA / "dataset.json"
    if dataset_ready():
        names = json.loads(marker.read_text())["files"]
        print(f"data: {args.rows:,} rows already generated in {OPENDATA.relative_to(ROOT)}/")
        return [OPENDATA / name for name in names]
    for old in OPENDATA.glob("jigyosho_*.csv"):
        old.unlink()
    seconds, paths = timed(
        generate,
        args.rows,
        OPENDATA,
        national=DATASET["national"],
        dirty=DATASET["dirty"],
        encoding=DATASET["encoding"],
        seed=DATASET["seed"],
    )
    marker.write_text(json.dumps({"dataset": DATASET, "files": [p.name for p in paths]}))
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(
        f"data: generated {args.rows:,} rows in {len(paths)} files ({size:.0f} MB) "
        f"in {seconds:.1f} s under {OPENDATA.relative_to(ROOT)}/"
    )
    return paths


# --- 2. Import --------------------------------------------------------------------------------------
def run_import(paths: list[Path]) -> dict:
    call_command("migrate", verbosity=0)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # --all: the bench set is national; the default would import only PORTAL_PREFECTURE.
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_establishments",
        "--all",
        *map(str, paths),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        print(done.stdout, done.stderr, sep="\n")
        raise SystemExit(f"import_establishments failed with exit status {done.returncode}")
    if before:
        print(f"note: a child process used {before / 1024:.0f} MB before the import")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    result = {
        "seconds": seconds,
        "peak_mb": peak_kib / 1024,
        "exit": done.returncode,
        "lines": lines,
    }
    STATE.write_text(json.dumps(result, ensure_ascii=False))
    return result


def report_import(result: dict, reused: bool) -> None:
    when = " (from the run that imported this database; --reuse)" if reused else ""
    print(f"\n== import_establishments, {args.rows:,} rows{when}")
    for line in result["lines"]:
        print(f"   {line}")
    runs = ImportRun.objects.filter(kind="establishments")
    totals = runs.aggregate(
        rows=Sum("rows"), created=Sum("created"), updated=Sum("updated"), rejected=Sum("rejected")
    )
    print(
        f"   runs {runs.count()}: read {totals['rows']:,}, created {totals['created']:,}, "
        f"updated {totals['updated']:,}, rejected {totals['rejected']:,}; "
        f"exit status {result['exit']} (1 = some rows rejected, as expected)"
    )
    print(
        f"   corporations {Corporation.objects.count():,} "
        f"({Corporation.objects.filter(site_count__gt=0).count():,} with sites), "
        f"establishments {Establishment.objects.count():,}, "
        f"municipalities {Municipality.objects.count():,}"
    )
    print(
        f"   wall time {result['seconds']:.1f} s = {args.rows / result['seconds']:,.0f} rows/s; "
        f"peak RSS {result['peak_mb']:.0f} MB (target ≤ 300 MB)"
    )


# --- 3. COPY baseline -------------------------------------------------------------------------------
def copy_baseline(paths: list[Path]) -> float | None:
    """Seconds PostgreSQL's COPY takes to load the same rows into a bare 24-column table."""
    if not POSTGRES:
        print("\n== COPY baseline: skipped on SQLite (COPY is PostgreSQL's)")
        return None
    import psycopg

    # COPY refuses a row with the wrong number of columns (some dirty rows have 20), so those are
    # padded to 24 beforehand, outside the timing; every other byte goes in as the file has it.
    payloads, padded = [], 0
    for path in paths:
        text = path.read_bytes().decode("utf-8-sig")
        if any(len(cells) != 24 for cells in csv.reader(io.StringIO(text))):
            out = io.StringIO()
            writer = csv.writer(out)
            for cells in csv.reader(io.StringIO(text)):
                if len(cells) != 24:
                    padded += 1
                    cells = (cells + [""] * 24)[:24]
                writer.writerow(cells)
            text = out.getvalue()
        payloads.append(text)
    columns = ", ".join(f"c{n} text" for n in range(1, 25))
    with psycopg.connect(BENCH_URL) as db:
        db.execute("DROP TABLE IF EXISTS bench_copy")
        db.execute(f"CREATE UNLOGGED TABLE bench_copy ({columns})")
        db.commit()
        start = time.perf_counter()
        with db.cursor() as cursor:
            for text in payloads:
                with cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
                    for offset in range(0, len(text), 1 << 20):
                        cp.write(text[offset : offset + (1 << 20)])
        db.commit()
        seconds = time.perf_counter() - start
        copied = db.execute("SELECT count(*) FROM bench_copy").fetchone()[0]  # type: ignore[index]
        db.execute("DROP TABLE bench_copy")
        db.commit()
    print(
        f"\n== COPY baseline: {copied:,} rows into an UNLOGGED 24-text-column table in "
        f"{seconds:.2f} s ({copied / seconds:,.0f} rows/s; {padded} short rows padded first)"
    )
    return seconds


# --- 3b. Set-based baseline -------------------------------------------------------------------------
SETBASED_DB = f"{DB_NAME}_setbased"
SETBASED_URL = f"postgres://postgres@127.0.0.1:5432/{SETBASED_DB}"
# What both imports must leave the same: every table the import writes, history included.
COMPARED_TABLES = (
    "partners_municipality",
    "partners_corporation",
    "partners_establishment",
    "partners_historicalmunicipality",
    "partners_historicalcorporation",
    "partners_historicalestablishment",
)
# Derived columns and contents compared across the two databases (ids and clock times differ).
CHECKSUMS = {
    "establishments": (
        "SELECT md5(string_agg(concat_ws('|', e.number, e.service_type, e.name, e.capacity, "
        "e.latitude, e.longitude, e.municipality_id, c.number), ',' ORDER BY e.number, "
        "e.service_type)) FROM partners_establishment e "
        "LEFT JOIN partners_corporation c ON c.id = e.corporation_id"
    ),
    "corporation sizes": (
        "SELECT md5(string_agg(concat_ws('|', number, name, kind, site_count, capacity_total, "
        "size_band, round(latitude::numeric, 6), round(longitude::numeric, 6), municipality_id, "
        "service_types::text), ',' ORDER BY number)) FROM partners_corporation"
    ),
    "establishment history": (
        "SELECT md5(string_agg(concat_ws('|', number, service_type, history_type, capacity, "
        "history_change_reason), ',' ORDER BY number, service_type, history_type, capacity, "
        "history_change_reason)) "
        "FROM partners_historicalestablishment"
    ),
}


def _table_figures(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as db:
        figures = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608
            for table in COMPARED_TABLES
        }
        for name, sql in CHECKSUMS.items():
            figures[name] = db.execute(sql).fetchone()[0]  # type: ignore[index]
    return figures


def fresh_database(name: str) -> None:
    """Drop `name` if it exists and create it empty, with the collation the bench database has."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setbased_baseline(paths: list[Path]) -> dict | None:
    """The same files through the set-based baseline (bench/registry_setbased.py) into a fresh,
    migrated database with the same schema; its time, and whether it left the same tables."""
    if not POSTGRES:
        print("\n== set-based baseline: skipped on SQLite (it writes through PostgreSQL's COPY)")
        return None

    fresh_database(SETBASED_DB)
    env = {**os.environ, "DATABASE_URL": SETBASED_URL}
    command = [sys.executable, str(ROOT / "bench" / "registry_setbased.py"), *map(str, paths)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n")
        raise SystemExit(f"the set-based baseline failed with exit status {done.returncode}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    ours, theirs = _table_figures(BENCH_URL), _table_figures(SETBASED_URL)
    same = [name for name in ours if ours[name] == theirs[name]]
    different = [name for name in ours if ours[name] != theirs[name]]
    print(
        "\n== set-based baseline (COPY into staging, INSERT … SELECT … ON CONFLICT … DO UPDATE … "
        "WHERE … IS DISTINCT FROM, history by INSERT … SELECT, sizes derived once at the end)"
    )
    print(
        f"   {result['seconds']:.1f} s = writes {result['write_seconds']:.1f} s (checks in Python "
        f"included) + sizes {result['derive_seconds']:.1f} s; peak RSS {result['peak_mb']:.0f} MB"
    )
    print(
        f"   read {result.get('rows', 0):,}, created {result.get('created', 0):,}, "
        f"updated {result.get('updated', 0):,}, unchanged {result.get('unchanged', 0):,}, "
        f"rejected {result.get('rejected', 0):,}"
    )
    print(
        "   tables: "
        + ", ".join(f"{name.removeprefix('partners_')} {ours[name]:,}" for name in COMPARED_TABLES)
    )
    if different:
        print(
            "   DIFFERENT from our import: "
            + "; ".join(f"{n}: ours {ours[n]} / baseline {theirs[n]}" for n in different)
        )
    else:
        print(f"   same as our import: {', '.join(same)}")
    result["same"] = not different
    drop_database(SETBASED_DB)
    return result


# --- 3c. One prefecture out of the national set -------------------------------------------------------
PREFECTURE_DB = f"{DB_NAME}_prefecture"
WHOLE_PREFECTURE = "東京都"  # the largest: about 10 % of the national rows


def prefecture_import(paths: list[Path]) -> dict | None:
    """`import_establishments --prefecture 東京都` of the same national files into a fresh, migrated
    database, as a window of that prefecture would load its snapshot (the other prefectures' rows
    are read and counted, not checked); wall time of the command in a child process."""
    if not POSTGRES:
        print("\n== one prefecture: skipped on SQLite")
        return None

    fresh_database(PREFECTURE_DB)
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{PREFECTURE_DB}"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    command = [*manage, "import_establishments", "--prefecture", WHOLE_PREFECTURE, *map(str, paths)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        print(done.stdout, done.stderr, sep="\n")
        raise SystemExit(f"import_establishments --prefecture failed ({done.returncode})")
    summary = next((line for line in done.stdout.splitlines() if "created" in line), "")
    print(f"\n== import_establishments --prefecture {WHOLE_PREFECTURE}, {args.rows:,} rows read")
    print(f"   {summary.strip()}")
    print(f"   wall time {seconds:.1f} s (target ≤ 10 s)")
    drop_database(PREFECTURE_DB)
    return {"seconds": seconds}


# --- Data the reads need: a staff user and survey profiles -------------------------------------------
def staff_user() -> User:
    user = User.objects.filter(email=STAFF_EMAIL).first()
    return user or User.objects.create_user(
        email=STAFF_EMAIL, password=None, full_name="ベンチマーク", role="staff"
    )


def fill_profiles() -> None:
    """Profiles for about 30 % of corporations, with challenges and themes, so matches score them."""
    if ProviderProfile.objects.exists():
        print(f"profiles: {ProviderProfile.objects.count():,} already present")
        return
    rng = random.Random(2026)
    start = time.perf_counter()
    corporation_ids = list(Corporation.objects.order_by("pk").values_list("pk", flat=True))
    chosen = [pk for pk in corporation_ids if rng.random() < 0.3]
    ProviderProfile.objects.bulk_create(
        [
            ProviderProfile(
                corporation_id=pk,
                consent_matching=rng.random() < 0.6,
                contact_person="担当者",
                contact="000-0000-0000",
            )
            for pk in chosen
        ],
        batch_size=2000,
    )
    profiles = list(ProviderProfile.objects.values_list("pk", flat=True))
    challenges = list(Challenge.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.values_list("pk", flat=True))
    through_c, through_t = ProviderProfile.challenges.through, ProviderProfile.themes.through
    through_c.objects.bulk_create(
        [
            through_c(providerprofile_id=p, challenge_id=c)
            for p in profiles
            for c in rng.sample(challenges, rng.randint(1, min(4, len(challenges))))
        ],
        batch_size=5000,
    )
    through_t.objects.bulk_create(
        [
            through_t(providerprofile_id=p, theme_id=t)
            for p in profiles
            for t in rng.sample(themes, rng.randint(1, min(3, len(themes))))
        ],
        batch_size=5000,
    )
    print(
        f"profiles: created {len(profiles):,} of {len(corporation_ids):,} corporations with "
        f"challenges and themes in {time.perf_counter() - start:.1f} s"
    )


# --- 4. Search --------------------------------------------------------------------------------------
def search_terms() -> list[str]:
    """Words people would type, from the generator's vocabulary and the imported data."""
    corporation = Corporation.objects.order_by("number").values_list("number", flat=True)
    number = corporation[Corporation.objects.count() // 2]
    places = list(Municipality.objects.order_by("code").values_list("name", flat=True))
    return [
        "さくら",
        "ひかりの家",
        "清流",
        "ケアセンター",
        number[:6],  # a 法人番号 prefix
        places[len(places) // 3],  # a city name
        "デイサービス",
        "みどり 福寿",
    ]


def search(staff: User, terms: list[str]) -> dict:
    cache.clear()
    cold, _choices = timed(selectors.filter_choices)
    print(
        f"\n== search /partners/?q=… (warm: the filter choices are cached after the first request; "
        f"computing them cold took {ms(cold):.0f} ms)"
    )
    print(f"   terms: {' / '.join(terms)}")
    results = {}
    client = Client()
    client.force_login(staff)
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        for view in ("corporations", "establishments"):
            extra = {"view": view} if view == "establishments" else {}
            hits = {}
            for term in terms:  # warm-up, and the hit counts
                params = QueryDict(urlencode({**extra, "q": term}))
                hits[term] = selectors.registry_browse(
                    params=params, viewer=RegistryViewer(staff)
                ).total
                assert client.get("/partners/", {**extra, "q": term}).status_code == 200
            page, alone, per_term = [], [], defaultdict(list)
            for i in range(args.rounds):
                term = terms[i % len(terms)]
                seconds, response = timed(client.get, "/partners/", {**extra, "q": term})
                assert response.status_code == 200, response.status_code
                page.append(ms(seconds))
                per_term[term].append(ms(seconds))
                params = QueryDict(urlencode({**extra, "q": term}))
                start = time.perf_counter()
                browse = selectors.registry_browse(params=params, viewer=RegistryViewer(staff))
                list(browse.page.object_list)
                _ = browse.total
                alone.append(ms(time.perf_counter() - start))
            results[view] = median_p90(page)
            selector = median_p90(alone)
            print(
                f"   {view:<14} page median {results[view][0]:6.1f} ms  p90 {results[view][1]:6.1f}"
                f" | selector alone median {selector[0]:6.1f} ms  p90 {selector[1]:6.1f}"
                f"  ({args.rounds} requests)"
            )
            print(
                "     per term (median ms, hits): "
                + ", ".join(
                    f"{t} {statistics.median(per_term[t]):.0f} ({hits[t]:,})"
                    for t in terms
                    if per_term[t]
                )
            )
    return results


# --- 5. Match ---------------------------------------------------------------------------------------
def match_corporations() -> list[Corporation]:
    """About twenty corporations with sites, one per prefecture spread over the country."""
    rng = random.Random(2026)
    chosen = []
    for code in MATCH_PREFECTURES:
        numbers = list(
            Corporation.objects.filter(site_count__gt=0, municipality__code__startswith=code)
            .order_by("number")
            .values_list("number", flat=True)
        )
        if numbers:
            chosen.append(rng.choice(numbers))
    if len(chosen) < 20:  # a small --rows: fill up from anywhere
        rest = Corporation.objects.filter(site_count__gt=0).exclude(number__in=chosen)
        chosen += list(rest.order_by("number").values_list("number", flat=True)[: 20 - len(chosen)])
    by_number = {
        c.number: c
        for c in Corporation.objects.select_related("municipality").filter(number__in=chosen)
    }
    return [by_number[n] for n in chosen]


def plain_features() -> dict[int, Features]:
    """Features of every corporation straight from the establishments table, without the derived
    columns of Corporation: what a match would cost without them."""
    sites = Establishment.objects.exclude(corporation_id=None).order_by()
    totals = {
        row["corporation_id"]: row
        for row in sites.values("corporation_id").annotate(
            sites=Count("number", distinct=True),
            capacity=Sum("capacity"),
            lat=Avg("latitude"),
            lon=Avg("longitude"),
        )
    }
    places: dict[int, list] = defaultdict(list)
    for row in sites.values("corporation_id", "municipality_id").annotate(
        n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude")
    ):
        places[row["corporation_id"]].append(row)
    services: dict[int, set[str]] = defaultdict(set)
    for pk, service in sites.values_list("corporation_id", "service_type").distinct():
        services[pk].add(service)
    names = dict(Municipality.objects.values_list("code", "name"))
    consent = dict(ProviderProfile.objects.values_list("corporation_id", "consent_matching"))
    challenges: dict[int, set[str]] = defaultdict(set)
    for pk, label in ProviderProfile.challenges.through.objects.values_list(
        "providerprofile__corporation_id", "challenge__label"
    ):
        challenges[pk].add(label)
    themes: dict[int, set[str]] = defaultdict(set)
    for pk, label in ProviderProfile.themes.through.objects.values_list(
        "providerprofile__corporation_id", "theme__label"
    ):
        themes[pk].add(label)
    kinds = dict(Corporation._meta.get_field("kind").choices or [])
    features = {}
    for pk, number, name, kind in Corporation.objects.values_list("pk", "number", "name", "kind"):
        total = totals.get(pk)
        if total is None:
            continue
        counted = [p for p in places[pk] if p["municipality_id"]]
        main = min(counted, key=lambda p: (-p["n"], p["municipality_id"])) if counted else None
        centre = main if main and main["lat"] is not None else total
        features[pk] = Features(
            id=pk,
            number=number,
            name=name,
            latitude=float(centre["lat"]) if centre["lat"] is not None else None,
            longitude=float(centre["lon"]) if centre["lon"] is not None else None,
            municipality_id=main["municipality_id"] if main else None,
            municipality_name=names.get(main["municipality_id"], "") if main else "",
            sites=total["sites"],
            capacity=total["capacity"],
            services=frozenset(services.get(pk, ())),
            challenges=frozenset(challenges.get(pk, ())),
            themes=frozenset(themes.get(pk, ())),
            consent=bool(consent.get(pk)),
            kind=str(kinds.get(kind, kind)),
        )
    return features


def plain_match(corporation: Corporation, top: int = 20):
    features = plain_features()
    own = features[corporation.pk]
    return rank(own, features.values(), selectors.default_weights(), top), own, features


def same_area(own: Features, features, top: int = 20) -> list[Features]:
    """The candidates match_candidates reads: a box of MATCH_RADIUS_KM around own (or its
    municipality), its prefecture when it has no centre or the box holds fewer than `top`."""
    others = [f for f in features if f.id != own.id]
    prefecture = [f for f in others if f.prefecture_code == own.prefecture_code]
    if own.latitude is None or own.longitude is None:
        return prefecture if own.municipality_id else others
    dlat = selectors.MATCH_RADIUS_KM / 111.0
    dlon = selectors.MATCH_RADIUS_KM / (111.0 * max(0.2, math.cos(math.radians(own.latitude))))
    boxed = [
        f
        for f in others
        if (own.municipality_id and f.municipality_id == own.municipality_id)
        or (
            f.latitude is not None
            and f.longitude is not None
            and abs(f.latitude - own.latitude) <= dlat
            and abs(f.longitude - own.longitude) <= dlon
        )
    ]
    return boxed if len(boxed) >= top else prefecture


def match(staff: User) -> dict:
    corporations = match_corporations()
    print(
        f"\n== match: {len(corporations)} corporations with sites, one per prefecture "
        f"({', '.join(sorted({c.municipality_id[:2] for c in corporations if c.municipality_id}))})"
    )
    ours: dict[str, list] = {}
    for corporation in corporations:  # warm-up, and the lists to compare
        ours[corporation.number] = selectors.match_candidates(
            corporation=corporation, viewer=RegistryViewer(staff), top=20
        )
    samples, per_prefecture = [], {}
    for i in range(args.rounds):
        corporation = corporations[i % len(corporations)]
        seconds, _ = timed(
            selectors.match_candidates,
            corporation=corporation,
            viewer=RegistryViewer(staff),
            top=20,
        )
        samples.append(ms(seconds))
        per_prefecture.setdefault((corporation.municipality_id or "??")[:2], []).append(ms(seconds))
    median, p90 = median_p90(samples)
    print(f"   ours:       median {median:7.1f} ms  p90 {p90:7.1f}  ({args.rounds} matches)")
    slowest = sorted(per_prefecture.items(), key=lambda kv: -max(kv[1]))[:3]
    print(
        "     slowest prefectures: "
        + ", ".join(f"{code} {max(values):.0f} ms" for code, values in slowest)
    )
    plain, overlaps, same_top, same_boxed = [], [], 0, 0
    for corporation in corporations:
        seconds, (result, own, features) = timed(plain_match, corporation)  # type: ignore[misc]
        plain.append(ms(seconds))
        mine = [m.candidate.number for m in ours[corporation.number][:5]]
        theirs = [m.candidate.number for m in result[:5]]
        overlaps.append(len(set(mine) & set(theirs)))
        same_top += mine == theirs
        # The plain scan over the same area as ours: checks the derived columns, not the area.
        area = same_area(own, features.values())
        weights = selectors.default_weights()
        same_boxed += mine == [m.candidate.number for m in rank(own, area, weights, 5)]
    plain_median, plain_p90 = median_p90(plain)
    print(
        f"   plain scan: median {plain_median:7.1f} ms  p90 {plain_p90:7.1f}  "
        f"({len(plain)} matches: aggregate every establishment, score every corporation)"
    )
    print(
        f"   top-5 agreement with the plain scan: identical for {same_top}/{len(corporations)}, "
        f"mean overlap {statistics.mean(overlaps):.1f}/5 "
        f"(overlaps {dict(sorted(Counter(overlaps).items()))}; ours reads only the "
        f"{selectors.MATCH_RADIUS_KM:.0f} km box, or the prefecture)"
    )
    print(
        f"   top-5 agreement with the plain scan over the same area (box or prefecture): "
        f"identical for {same_boxed}/{len(corporations)}"
    )
    return {"ours": (median, p90), "plain": (plain_median, plain_p90)}


# --- 6. Summary -------------------------------------------------------------------------------------
def main() -> None:
    print(f"backend: {connection.vendor} ({connection.settings_dict['NAME']}), rows: {args.rows:,}")
    paths = data_files()
    if REUSE:
        call_command("migrate", verbosity=0)  # the schema may have moved on since the import
        print(f"database: reusing {held_rows():,} imported rows (--reuse)")
        imported = json.loads(STATE.read_text()) if STATE.exists() else None
    else:
        imported = run_import(paths)
    if imported:
        report_import(imported, REUSE)
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do shortly after a large import
    copy_seconds = copy_baseline(paths)
    setbased = setbased_baseline(paths)
    one_prefecture = prefecture_import(paths)
    staff = staff_user()
    fill_profiles()
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    search_results = search(staff, search_terms())
    match_results = match(staff)

    print("\n== summary")
    if imported:
        seconds, peak = imported["seconds"], imported["peak_mb"]
        head = (
            f"rows {args.rows:,} | import {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), "
            f"peak RSS {peak:.0f} MB (target ≤ 300)"
        )
        if copy_seconds:
            head += f" | COPY {copy_seconds:.2f} s, ratio {seconds / copy_seconds:.1f}×"
        else:
            head += " | COPY n/a on SQLite"
        if setbased:
            ratio = seconds / setbased["seconds"]
            head += (
                f"\nset-based baseline {setbased['seconds']:.1f} s "
                f"(peak RSS {setbased['peak_mb']:.0f} MB), ours {seconds:.1f} s: "
                f"ratio {ratio:.2f}× (target ≤ 1.3×); "
                f"{'same tables and history' if setbased['same'] else 'tables DIFFER'}"
            )
    else:
        head = f"rows {args.rows:,} | import not measured (--reuse without a saved figure)"
    print(head)
    if one_prefecture:
        print(f"--prefecture {WHOLE_PREFECTURE}: {one_prefecture['seconds']:.1f} s (target ≤ 10 s)")
    (cm, c90), (em, e90) = search_results["corporations"], search_results["establishments"]
    print(
        f"search corporations median {cm:.0f} ms p90 {c90:.0f} | "
        f"establishments median {em:.0f} ms p90 {e90:.0f} (target ≤ 100)"
    )
    (mm, m90), (pm, _p90) = match_results["ours"], match_results["plain"]
    print(
        f"match median {mm:.0f} ms p90 {m90:.0f} (target ≤ 300) | "
        f"plain scan median {pm:,.0f} ms | ratio {pm / mm:.0f}×"
    )
    verdicts = {
        "peak memory": imported["peak_mb"] <= 300 if imported else None,
        "set-based ratio": (
            imported["seconds"] / setbased["seconds"] <= 1.3 if imported and setbased else None
        ),
        "one prefecture": one_prefecture["seconds"] <= 10 if one_prefecture else None,
        "search": max(cm, em) <= 100,
        "match": mm <= 300,
    }
    print(
        "targets: "
        + ", ".join(
            f"{name} {'met' if ok else 'NOT met' if ok is not None else 'n/a'}"
            for name, ok in verdicts.items()
        )
    )


if __name__ == "__main__":
    main()
