"""A signed-in page loads its user from the shared cache, and every change of the user is seen at
the next request: a deactivated user is signed out, a changed password ends the old session."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_cache():
    caches = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": settings.CELERY_TEST_REDIS_URL,
            "KEY_PREFIX": "test-user-cache",
        }
    }
    with override_settings(CACHES=caches):
        cache.clear()
        yield
        cache.clear()


def _user_queries(client, path="/notifications/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, sum('FROM "portal_user"' in q["sql"] for q in queries.captured_queries)


def test_a_second_page_reads_the_user_from_the_shared_cache(client, staff, shared_cache):
    client.force_login(staff)
    assert _user_queries(client) == (200, 1)
    assert _user_queries(client) == (200, 0)


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, staff, shared_cache):
    client.force_login(staff)
    _user_queries(client)
    staff.is_active = False
    staff.save()
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_changed_password_ends_the_old_session(client, staff, shared_cache):
    client.force_login(staff)
    _user_queries(client)
    staff.set_password("a-new-passphrase-2026")
    staff.save()
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")


def test_a_process_local_cache_keeps_no_user(client, staff):
    client.force_login(staff)
    _user_queries(client)
    assert _user_queries(client) == (200, 1)
