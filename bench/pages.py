"""Median time of core pages through the whole middleware stack, next to a bare Django view.

Prints, per page, our median and the ratio to a view that returns a fixed response through the
same stack, so the cost of the page itself (templates, queries) shows apart from the middleware.

    .venv/bin/python bench/pages.py                    # the database of portal.settings.local
    .venv/bin/python bench/pages.py --db kyodo_bench_pages --rounds 200   # a PostgreSQL database
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rounds", type=int, default=200)
parser.add_argument("--db", help="PostgreSQL database name on 127.0.0.1 (made if missing)")
args = parser.parse_args()
if args.db:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone():
            admin.execute(
                f"CREATE DATABASE {args.db} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import path  # noqa: E402

from portal import urls as portal_urls  # noqa: E402
from portal.models import User  # noqa: E402


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("__bare__/", bare), *portal_urls.urlpatterns]


def median_ms(client: Client, url: str, rounds: int) -> float:
    for _ in range(5):
        client.get(url)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main(rounds: int = 200) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        anonymous = Client()
        staff = Client()
        staff.force_login(User.objects.get(email="madoguchi@example.jp"))
        baseline = median_ms(staff, "/__bare__/", rounds)
        print(
            f"bare view through the middleware stack: {baseline:.2f} ms median ({rounds} requests)"
        )
        for label, client, url in [
            ("login page (anonymous)", anonymous, "/accounts/login/"),
            ("home (staff)", staff, "/"),
            ("users list (staff)", staff, "/accounts/users/"),
            ("/healthz", anonymous, "/healthz"),
        ]:
            ms = median_ms(client, url, rounds)
            print(f"{label:<28} {ms:7.2f} ms median  ratio {ms / baseline:5.2f}x")


if __name__ == "__main__":
    main(args.rounds)
