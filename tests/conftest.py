"""Shared fixtures: one user per role, and clients logged in as each; and how scripts/test.sh
splits the suite between its two legs and its xdist workers (`pytest_collection_modifyitems`)."""

from pathlib import Path

import pytest

from tests.factories import UserFactory

TESTS = Path(__file__).resolve().parent
# Engine-agnostic by directory: browser journeys, and PDFs read back page by page.
ONCE_DIRECTORIES = (TESTS / "e2e", TESTS / "reports")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects and xdist groups
def pytest_collection_modifyitems(config, items):
    """Mark what runs once and what must not run beside itself, for tests nobody listed here.

    - every test in tests/e2e is `e2e` and `once`; every test in tests/reports is `once`;
    - every `worker` test (a real Celery worker or `make run`) is `once`, unless it is `embedded`;
    - real workers run one at a time, on one xdist worker (`xdist_group("real-workers")`, with
      `--dist loadgroup`): their waits allow for a loaded machine, not for a second worker beside
      them; the case book's read-back tests share one render (`xdist_group("casebook")`).
    `once` tests run on the PostgreSQL + Redis leg only, `embedded` ones on the SQLite leg only.
    """
    for item in items:
        path = Path(item.path)
        if TESTS / "e2e" in path.parents:
            item.add_marker(pytest.mark.e2e)
        if any(folder in path.parents for folder in ONCE_DIRECTORIES):
            item.add_marker(pytest.mark.once)
        real_worker = item.get_closest_marker("worker") is not None
        embedded = item.get_closest_marker("embedded") is not None
        if real_worker and not embedded:
            item.add_marker(pytest.mark.once)
        if real_worker or embedded:
            item.add_marker(pytest.mark.xdist_group("real-workers"))
        elif TESTS / "reports" in path.parents:
            item.add_marker(pytest.mark.xdist_group("casebook"))


# After pytest-xdist has written the groups into the ids.
@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def refuse_lost_xdist_groups(config, items):
    """Refuse to run when `--dist loadgroup` no longer groups: pytest-xdist marks a grouped test
    by writing `@group` into its id, which pytest 9.2's structured ids silently ignore
    (pytest-xdist#1386). Two real workers or two case-book renders would then run side by side."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
            raise pytest.UsageError(
                f"pytest-xdist did not group {item.nodeid}: check the pytest pin in pyproject.toml"
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as the migrations leave it; on PostgreSQL that state is also copied
    aside, and every flush after a transactional test puts it back (tests/postgresql/base.py)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from tests.postgresql.base import take_migrated_state

        with django_db_blocker.unblock():
            take_migrated_state(connection)


@pytest.fixture
def staff(db):
    return UserFactory(full_name="窓口 花子", email="staff@example.jp")


@pytest.fixture
def manager(db):
    return UserFactory(manager=True, full_name="介護 太郎", email="manager@example.jp")


@pytest.fixture
def official(db):
    return UserFactory(official=True, full_name="県庁 次郎", email="official@example.jp")


@pytest.fixture
def superuser(db):
    return UserFactory(superuser=True, full_name="管理 者", email="root@example.jp")


@pytest.fixture
def users_by_role(staff, manager, official, superuser):
    return {"staff": staff, "manager": manager, "official": official, "superuser": superuser}


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user, backend="portal.backends.EmailBackend")
        return client

    return login


@pytest.fixture
def report_cases(db):
    """The report's 29 cases, as `load_cases` leaves them (tests/report_library.py)."""
    from tests.report_library import load_report_cases

    load_report_cases()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, as a freshly started process does."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def reference_data(request):
    """The fixed lists that data migrations load (prefectures and case tags, challenges, themes,
    checklist templates, programmes) are wiped by the flush after a transactional test (browser
    and worker tests); tests that use the database find them restored."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from cases.models import Tag
    from guidance.models import ChecklistTemplate
    from partners.models import Theme

    if not Tag.objects.exists():
        from cases.reference import sync_reference_data as sync_cases

        sync_cases(apps)
    if not Theme.objects.exists():
        from partners.reference import sync_reference_data as sync_partners

        sync_partners(apps)
    if not ChecklistTemplate.objects.exists():
        from guidance.reference import sync_reference_data as sync_guidance

        sync_guidance(apps)
    from support.models import Programme

    if not Programme.objects.exists():
        from support.reference import sync_reference_data as sync_support

        sync_support(apps)


# Real Celery worker fixtures, shared by the report-job, upload and browser tests.
from tests.portal.workers import book_broker, media, redis_broker, start_worker  # noqa: E402, F401
