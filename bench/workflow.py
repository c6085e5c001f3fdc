"""A large consortium's pages: 50 members, 200 checklist items, 20 KPIs × 24 measurements.

Prints the median time of /consortia/<id>/ (and its checklist and KPI pages) next to a bare view
that reads the same rows with plain queries and returns them as JSON, as a ratio.
Target: ≤ 150 ms median for the consortium page.

    .venv/bin/python bench/workflow.py            # PostgreSQL database kyodo_bench_workflow
    .venv/bin/python bench/workflow.py --sqlite   # the embedded default, var/bench-workflow.sqlite3
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rounds", type=int, default=40)
parser.add_argument("--sqlite", action="store_true")
parser.add_argument("--db", default="kyodo_bench_workflow", help="PostgreSQL database name")
args = parser.parse_args()

if args.sqlite:
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-workflow.sqlite3'}"
else:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if not exists:
            admin.execute(
                f"CREATE DATABASE {args.db} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
os.environ.setdefault("CACHE_URL", "locmemcache://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402

from guidance.models import (  # noqa: E402
    Action,
    ChecklistItem,
    Consortium,
    Goal,
    Kpi,
    Measurement,
    Membership,
)
from partners.models import Corporation  # noqa: E402
from portal import urls as portal_urls  # noqa: E402
from portal.models import User  # noqa: E402
from portal.validators import corporate_number_check_digit  # noqa: E402

NAME = "ベンチマーク用 大規模協働体"


def fill() -> Consortium:
    call_command("migrate", verbosity=0)
    found = Consortium.objects.filter(name=NAME).first()
    if found:
        return found
    rng = random.Random(2026)  # noqa: S311 - synthetic data
    corporations = []
    for i in range(50):
        base = f"{900000000000 + i:012d}"
        corporations.append(
            Corporation(number=f"{corporate_number_check_digit(base)}{base}", name=f"法人{i}")
        )
    Corporation.objects.bulk_create(corporations, ignore_conflicts=True)
    corporations = list(Corporation.objects.filter(name__startswith="法人").order_by("pk")[:50])
    consortium = Consortium.objects.create(name=NAME, form="close", stage=4)
    Membership.objects.bulk_create(
        [
            Membership(
                consortium=consortium, corporation=c, role="promoter" if i == 0 else "member"
            )
            for i, c in enumerate(corporations)
        ]
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                consortium=consortium,
                stage=1 + i % 6,
                title=f"確認項目{i}",
                guidance="進め方のヒント。" * 5,
                required=i % 4 == 0,
                status=rng.choice(["todo", "doing", "done"]),
                position=i,
            )
            for i in range(200)
        ]
    )
    today = timezone.localdate()
    goals = [Goal.objects.create(consortium=consortium, title=f"目標{g}") for g in range(5)]
    for k in range(20):
        kpi = Kpi.objects.create(
            goal=goals[k % 5], name=f"指標{k}", unit="人", baseline=Decimal(0), target=Decimal(100)
        )
        Measurement.objects.bulk_create(
            [
                Measurement(
                    kpi=kpi,
                    measured_on=today - timedelta(days=30 * (24 - m)),
                    value=Decimal(rng.randint(0, 100)),
                )
                for m in range(24)
            ]
        )
    Action.objects.bulk_create(
        [
            Action(
                consortium=consortium, title=f"アクション{a}", due_on=today + timedelta(days=a - 10)
            )
            for a in range(30)
        ]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return consortium


def bare(request, pk: int):
    """The same rows, read with plain queries and returned as JSON: no template, no prefetching
    structure, no access rules."""
    consortium = Consortium.objects.get(pk=pk)
    data = {
        "members": list(
            Membership.objects.filter(consortium=consortium).values("corporation__name", "role")
        ),
        "items": list(
            ChecklistItem.objects.filter(consortium=consortium).values("stage", "title", "status")
        ),
        "measurements": list(
            Measurement.objects.filter(kpi__goal__consortium=consortium).values(
                "kpi_id", "measured_on", "value"
            )
        ),
        "actions": list(
            Action.objects.filter(consortium=consortium).values("title", "due_on", "status")
        ),
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False}, safe=False)


urlpatterns = [path("__bare__/<int:pk>/", bare), *portal_urls.urlpatterns]


def median_ms(client: Client, url: str, rounds: int) -> float:
    for _ in range(5):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    consortium = fill()
    staff = User.objects.filter(email="bench-staff@example.jp").first() or User.objects.create_user(
        email="bench-staff@example.jp",
        password=None,
        full_name="ベンチ",
        role="staff",
    )
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client()
        client.force_login(staff)
        pages = {
            "consortium page": f"/consortia/{consortium.pk}/",
            "checklist page": f"/consortia/{consortium.pk}/checklist/",
            "KPI page": f"/consortia/{consortium.pk}/kpis/",
        }
        times = {name: median_ms(client, url, args.rounds) for name, url in pages.items()}
        baseline = median_ms(client, f"/__bare__/{consortium.pk}/", args.rounds)
    print(
        f"backend: {connection.vendor}; 50 members, "
        f"{ChecklistItem.objects.filter(consortium=consortium).count()} checklist items, "
        f"{Kpi.objects.filter(goal__consortium=consortium).count()} KPIs × 24 measurements"
    )
    for name, ms in times.items():
        print(f"{name:16} {ms:7.1f} ms median ({args.rounds} requests), ratio {ms / baseline:.2f}x")
    print(f"bare JSON of the same rows {baseline:7.1f} ms median")
    verdict = "met" if times["consortium page"] <= 150 else "NOT met"
    print(f"target ≤ 150 ms for the consortium page: {verdict}")


if __name__ == "__main__":
    main()
