"""Shared fixtures: one user per role, and clients logged in as each."""

import pytest

from tests.factories import UserFactory


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


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, as a freshly started process does."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Real Celery worker fixtures, shared by the report-job, upload and browser tests.
from tests.portal.test_worker import media, redis_broker, start_worker  # noqa: E402, F401
