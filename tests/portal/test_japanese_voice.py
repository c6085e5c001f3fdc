"""One Japanese voice: every page a role reaches from the home page reads in Japanese (no English
words left, full-width colons in Japanese text), and downloads are named by the day in Tokyo."""

import re
from collections import deque
from datetime import datetime
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from portal.models import User
from portal.text import EMPTY, NOT_WRITTEN
from tests.japanese_checks import english_left, half_width_colons


class _Page(HTMLParser):
    """The text nodes of a page (not scripts, styles or attributes) and the links it offers."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        values = dict(attrs)
        if tag == "a" and values.get("href") and "download" not in values:
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


# Links that are not pages: files, exports, the admin (Django's own screens) and logging out.
_NOT_PAGES = re.compile(r"(/admin/|/logout|/export|\.(csv|xlsx|pdf|ics|txt)$|/download|/file)")


def walk(client, start: str = "/", limit: int = 80) -> dict[str, list[str]]:
    """Every page reachable by links from `start`, at most `limit` of them, and what is wrong on
    each; at most three pages per path shape (/cases/1/, /cases/2/ …) to keep it quick."""
    seen, problems, shapes = {start}, {}, {}
    queue = deque([start])
    while queue and len(seen) <= limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        found = []
        for text in page.texts:
            found += [f"英語「{w}」: {text[:80]}" for w in english_left(text)]
            found += [f"半角コロン「{c}」: {text[:80]}" for c in half_width_colons(text)]
        if found:
            problems[path] = found
        for href in page.links:
            url = urlsplit(urljoin(path, href))
            if url.netloc or not url.path.startswith("/") or _NOT_PAGES.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            shape = re.sub(r"\d+", "N", url.path) + ("?" if url.query else "")
            if target in seen or shapes.get(shape, 0) >= 3:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            seen.add(target)
            queue.append(target)
    return problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def test_the_checks_catch_english_and_half_width_colons():
    assert english_left("created 3, updated 0") == ["created", "updated"]
    assert english_left("出典：policy package（jigyosho_110.csv）") == ["policy", "package"]
    assert english_left("KPIとPDF、CSV（Excel用）、https://example.jp/a と info@example.jp") == []
    assert half_width_colons("共通の課題: 人材") == ["題:"]
    assert half_width_colons("共通の課題：人材 10:30") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["madoguchi@example.jp", "jigyosha@example.jp", "kencho@example.jp", None]
)
def test_every_page_a_role_reaches_reads_in_japanese(demo, client, email):
    if email:
        client.force_login(User.objects.get(email=email))
    problems = walk(client)
    assert problems == {}, "\n".join(f"{p}: {found}" for p, found in problems.items())


def test_empty_values_have_one_label_each():
    from django.template import engines

    assert EMPTY == "—"
    assert NOT_WRITTEN == "記載なし"
    render = engines["django"].from_string
    line = "{{ a|or_empty }}/{{ b|or_empty }}/{{ c|or_not_written }}/{{ d|or_not_written }}"
    assert render(line).render({"a": None, "b": 0, "c": "  ", "d": "担当 花子"}) == (
        "—/0/記載なし/担当 花子"
    )
    # Templates write a missing value through those two filters, not a dash of their own.
    templates = Path(__file__).resolve().parents[2] / "templates"
    own_dashes = re.compile(r'default(_if_none)?:"(—|―|-|記載なし|（記入なし）)"')
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if own_dashes.search(path.read_text(encoding="utf-8"))
        and path.name != "import_detail.html"  # the import result page is reworked elsewhere
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_report_downloaded_just_after_midnight_in_tokyo_is_named_by_that_day(client, staff):
    from django.core.files.base import ContentFile

    from portal.models import JobStatus, ReportJob

    job = ReportJob.objects.create(kind="selftest", title="試験", requested_by=staff)
    job.file.save("a.txt", ContentFile(b"ok"), save=False)
    job.status = JobStatus.DONE
    job.save()
    midnight = datetime(2026, 4, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    ReportJob.objects.filter(pk=job.pk).update(created_at=midnight)
    client.force_login(staff)
    from django.urls import reverse

    response = client.get(reverse("report_download", args=[job.pk]))
    assert "20260401" in response["Content-Disposition"]
