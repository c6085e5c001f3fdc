"""Requests per second per page under gunicorn (production settings, 2 workers), next to /healthz.

Starts gunicorn (bench/web_wsgi.py: portal.wsgi plus one bare view) on the bench database (250,000 establishments from bench/registry.py, 2,000 cases
from bench/cases.py), then drives each page with a bounded load generator: a fixed number of
threads, each on one keep-alive connection, for a fixed duration. Prints requests per second,
the median latency and the ratio to /healthz measured in the same run.
Targets: /cases/<n>/ ≥ 0.5× /healthz; /partners/?q=さくら as staff ≥ 0.3×;
/cases/ uncached ≤ 3× the latency of the bare view of the same rows.

    .venv/bin/python bench/web.py                         # database kyodo_bench_web, port 8103
    .venv/bin/python bench/web.py --db NAME --port 8103 --seconds 10 --concurrency 4
    .venv/bin/python bench/registry.py --db kyodo_bench_web --rounds 2   # make the data first
    .venv/bin/python bench/cases.py --db kyodo_bench_web --rounds 5     # and the 2,000 cases
"""

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--db", default="kyodo_bench_web", help="PostgreSQL database name")
parser.add_argument("--port", type=int, default=8103)
parser.add_argument("--redis", default="redis://127.0.0.1:6379/3", help="broker and cache")
parser.add_argument("--seconds", type=float, default=10.0, help="duration per page")
parser.add_argument("--concurrency", type=int, default=4, help="client threads")
parser.add_argument("--workers", type=int, default=2)
args = parser.parse_args()

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
    "CELERY_BROKER_URL": args.redis,
    "CACHE_URL": args.redis,
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "PYTHONPATH": str(ROOT),
}
os.environ.update(ENV)
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}  # as behind the TLS proxy

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from cases.models import Case  # noqa: E402
from partners.models import Establishment  # noqa: E402
from portal.models import User  # noqa: E402

STAFF_EMAIL = "bench-web@example.jp"
CASES_PARAMS = {"operation": "workforce", "region": "chubu", "q": "研修"}


def staff_cookie() -> str:
    """A session cookie of a staff user, made through Django's own login (shared cache/DB)."""
    user = User.objects.filter(email=STAFF_EMAIL).first() or User.objects.create_user(
        email=STAFF_EMAIL, password=None, full_name="ベンチマーク", role="staff"
    )
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def load(path_for, *, cookie: str = "") -> tuple[float, float, int]:
    """Requests per second and median ms over args.seconds with args.concurrency connections."""
    headers = {**HEADERS, **({"Cookie": cookie} if cookie else {})}
    stop = time.perf_counter() + args.seconds
    samples: list[list[float]] = [[] for _ in range(args.concurrency)]
    errors = [0] * args.concurrency
    counter = iter(range(10**9))
    lock = threading.Lock()

    def run(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        while time.perf_counter() < stop:
            with lock:
                n = next(counter)
            start = time.perf_counter()
            conn.request("GET", path_for(n), headers=headers)
            response = conn.getresponse()
            response.read()
            samples[slot].append(time.perf_counter() - start)
            if response.status != 200:
                errors[slot] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [s for slot in samples for s in slot]
    return len(flat) / elapsed, statistics.median(flat) * 1000, sum(errors)


def wait_ready() -> None:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/healthz", headers=HEADERS)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cases = Case.objects.published().count()
    establishments = Establishment.objects.count()
    numbers = list(
        Case.objects.published().order_by("number").values_list("number", flat=True)[:100]
    )
    cookie = staff_cookie()
    cache.clear()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "bench.web_wsgi:application",
        f"--bind=127.0.0.1:{args.port}",
        f"--workers={args.workers}",
        "--keep-alive=30",
        "--timeout=60",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=ENV)  # noqa: S603
    try:
        wait_ready()
        search = "/partners/?" + urlencode({"q": "さくら"}, quote_via=quote)
        pages = [
            ("/healthz", lambda n: "/healthz", ""),
            ("/cases/<n>/", lambda n: f"/cases/{numbers[n % len(numbers)]}/", ""),  # 100 cases
            ("/cases/ (cached)", lambda n: "/cases/?" + urlencode(CASES_PARAMS), ""),
            (
                "/cases/ uncached",
                lambda n: "/cases/?" + urlencode({**CASES_PARAMS, "_": n}),
                "",
            ),
            ("bare view, same rows", lambda n: "/__bare__/?" + urlencode(CASES_PARAMS), ""),
            ("/partners/?q=さくら staff", lambda n: search, cookie),
        ]
        warm = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        for number in numbers:  # each case page once: its similar cases are then cached
            warm.request("GET", f"/cases/{number}/", headers=HEADERS)
            warm.getresponse().read()
        warm.close()
        for _label, path_for, page_cookie in pages:  # warm every worker and cache
            load_seconds, args.seconds = args.seconds, 1.0
            load(path_for, cookie=page_cookie)
            args.seconds = load_seconds
        results = {}
        for label, path_for, page_cookie in pages:
            results[label] = load(path_for, cookie=page_cookie)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"gunicorn {args.workers} workers, production settings, database {args.db}: "
        f"{establishments:,} establishments, {cases:,} published cases; "
        f"{args.concurrency} connections × {args.seconds:.0f} s per page"
    )
    health = results["/healthz"][0]
    for label, (rps, median, errors) in results.items():
        note = f"  ({errors} non-200)" if errors else ""
        print(
            f"   {label:<26} {rps:8.1f} req/s  median {median:7.2f} ms  "
            f"{rps / health:5.2f}× /healthz{note}"
        )
    detail = results["/cases/<n>/"][0] / health
    search_ratio = results["/partners/?q=さくら staff"][0] / health
    uncached = results["/cases/ uncached"][1] / results["bare view, same rows"][1]
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(
        f"targets: /cases/<n>/ {detail:.2f}× ≥ 0.5 {verdict(detail >= 0.5)} | "
        f"/partners/?q=さくら {search_ratio:.2f}× ≥ 0.3 {verdict(search_ratio >= 0.3)} | "
        f"/cases/ uncached {uncached:.2f}× the bare view ≤ 3 {verdict(uncached <= 3)}"
    )


if __name__ == "__main__":
    main()
