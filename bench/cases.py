"""Case library list page at scale: 2,000 synthetic cases, two facets and a search.

Prints the median time of /cases/ next to a bare Django view that returns the same rows through
the same middleware, as a ratio. Target: ≤ 100 ms median and within 2× the bare view.

    .venv/bin/python bench/cases.py            # PostgreSQL database kyodo_bench on 127.0.0.1
    .venv/bin/python bench/cases.py --sqlite   # the embedded default, in var/bench-cases.sqlite3
    .venv/bin/python bench/cases.py --db kyodo_bench_web   # another PostgreSQL database
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cases", type=int, default=2000)
parser.add_argument("--rounds", type=int, default=60)
parser.add_argument("--sqlite", action="store_true")
parser.add_argument(
    "--db", default="kyodo_bench", help="PostgreSQL database name (default %(default)s)"
)
args = parser.parse_args()

if args.sqlite:
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-cases.sqlite3'}"
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

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from cases.models import Case, Prefecture, Tag  # noqa: E402
from cases.services import case_search_text  # noqa: E402
from portal import urls as portal_urls  # noqa: E402

PARAMS = {"operation": "workforce", "region": "chubu", "q": "研修"}
WORDS = [
    "合同研修",
    "共同採用",
    "外国人材",
    "災害時",
    "相互応援",
    "BCP",
    "共同購入",
    "給食",
    "ICT",
    "記録",
    "請求",
    "会計",
    "事務局",
    "理事会",
    "ケアプラン",
    "送迎",
    "移動支援",
    "身寄り",
    "終身サポート",
    "人材育成",
    "定着",
    "経営分析",
    "地域貢献",
]


def fill(target: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("load_cases", verbosity=0)
    have = Case.objects.count()
    if have >= target:
        return
    rng = random.Random(2026)
    prefectures = list(Prefecture.objects.all())
    tags = list(Tag.objects.all())
    start = 100_000 + have
    batch = []
    for i in range(target - have):
        text = lambda n: "".join(rng.choice(WORDS) + "を進めた。" for _ in range(n))  # noqa: E731
        batch.append(
            Case(
                number=start + i,
                status="published",
                source_kind="local",
                name=f"合成事例{start + i} {rng.choice(WORDS)}ネットワーク",
                form=rng.choice(["close", "loose"]),
                legal_form=rng.choice(["社会福祉連携推進法人", "一般社団法人", "任意団体"]),
                area_scope=rng.choice(["single_municipality", "multi_municipality"]),
                member_count=rng.randint(2, 40),
                summary=text(4),
                **{f"stage_{n}": text(12) for n in range(1, 7)},
            )
        )
    Case.objects.bulk_create(batch, batch_size=500)
    created = list(Case.objects.filter(number__gte=start).order_by("pk"))
    through_p, through_t = Case.prefectures.through, Case.tags.through
    through_p.objects.bulk_create(
        [through_p(case_id=c.pk, prefecture_id=rng.choice(prefectures).pk) for c in created],
        batch_size=1000,
    )
    through_t.objects.bulk_create(
        [
            through_t(case_id=c.pk, tag_id=t.pk)
            for c in created
            for t in rng.sample(tags, rng.randint(3, 8))
        ],
        batch_size=2000,
    )
    filled = list(Case.objects.filter(number__gte=start).prefetch_related("prefectures", "tags"))
    for c in filled:
        c.search_text = case_search_text(c)
    Case.objects.bulk_update(filled, ["search_text"], batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def bare(request):
    """Same filters, same first page of rows, written straight with the ORM: no facets, no template."""
    qs = (
        Case.objects.published()
        .matching(request.GET["q"])
        .filter(tags__kind="operation", tags__code=request.GET["operation"])
        .filter(prefectures__region=request.GET["region"])
        .distinct()
        .order_by("number")
    )
    rows = list(qs.values("number", "name", "summary")[:20])
    return JsonResponse(
        {"rows": rows, "count": qs.count()}, json_dumps_params={"ensure_ascii": False}
    )


urlpatterns = [path("__bare__/", bare), *portal_urls.urlpatterns]


def median_ms(client: Client, url: str, rounds: int, *, cold: bool = False) -> float:
    """Median of repeated requests; `cold` adds a throw-away parameter so no cache can answer."""
    for _ in range(5):
        assert client.get(url, PARAMS).status_code == 200
    samples = []
    for i in range(rounds):
        params = {**PARAMS, "_": str(i)} if cold else PARAMS
        start = time.perf_counter()
        client.get(url, params)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    fill(args.cases)
    total = Case.objects.count()
    hits = (
        Case.objects.published()
        .matching(PARAMS["q"])
        .filter(tags__kind="operation", tags__code=PARAMS["operation"])
        .filter(prefectures__region=PARAMS["region"])
        .distinct()
        .count()
    )
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client()
        page = median_ms(client, "/cases/", args.rounds)
        cold = median_ms(client, "/cases/", args.rounds, cold=True)
        baseline = median_ms(client, "/__bare__/", args.rounds)
    print(f"backend: {connection.vendor}, cases: {total}, matching {PARAMS}: {hits}")
    print(f"/cases/ two facets + search, repeated:  {page:7.1f} ms median ({args.rounds} requests)")
    print(f"/cases/ same, never seen before (cold): {cold:7.1f} ms median")
    print(f"bare view, same rows:                   {baseline:7.1f} ms median")
    print(f"ratio repeated: {page / baseline:.2f}x, cold: {cold / baseline:.2f}x (target ≤ 2.0x)")
    met = {
        name: "met" if ms <= 100 else "NOT met" for name, ms in (("repeated", page), ("cold", cold))
    }
    print(f"target ≤ 100 ms: repeated {met['repeated']}, cold {met['cold']}")


if __name__ == "__main__":
    main()
