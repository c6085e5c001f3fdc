"""The shared layout, error pages, security headers and /healthz, as a visitor meets them."""

import json
import re

import pytest
from django.urls import reverse

from portal.celery import app as celery_app


def test_layout_has_landmarks_skip_link_and_local_assets(client, staff):
    client.force_login(staff)
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="ja">' in html
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/css/portal.css" in html
    # Nothing from another origin, and no inline script the CSP would have to allow.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


@pytest.mark.parametrize("path", ["/accounts/login/", "/cases/"])
def test_security_headers_on_every_page(client, db, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_static_files_are_served_locally(client, db):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


def test_unknown_page_shows_the_japanese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_forbidden_page_is_explained_in_japanese(client, official):
    client.force_login(official)
    response = client.get(reverse("partners:index"))
    assert response.status_code == 403
    assert "権限がありません" in response.content.decode()


def test_server_error_page_is_japanese(client, db, monkeypatch):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert '<html lang="ja">' in html and "システムエラー" in html


def test_healthz_reports_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_healthz_reports_a_broken_broker_as_degraded(client, db, monkeypatch):
    # Celery prefers the CELERY_BROKER_URL environment variable over its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    celery_app.close()
    try:
        response = client.get("/healthz")
    finally:
        monkeypatch.undo()
        celery_app.close()
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body == {"status": "degraded", "database": "ok", "broker": "error"}
    assert "127.0.0.1" not in response.content.decode()


def test_healthz_answers_for_any_host_name(client, db):
    # Container probes call http://127.0.0.1:8000/healthz whatever ALLOWED_HOSTS says.
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


@pytest.mark.parametrize("extra_users", [3, 40])
def test_users_page_queries_stay_constant_as_users_grow(
    client, staff, extra_users, django_assert_num_queries
):
    from tests.factories import UserFactory

    UserFactory.create_batch(extra_users, invited_by=staff)
    client.force_login(staff)
    client.get(reverse("home"))  # the first request after login records activity
    # session, user, user list (with inviter joined)
    with django_assert_num_queries(3):
        response = client.get(reverse("accounts:users"))
    assert response.content.decode().count("<tr>") == extra_users + 2  # header + staff + users


@pytest.mark.parametrize(("role", "queries"), [("staff", 2), ("manager", 4), ("official", 2)])
def test_home_page_runs_few_queries(
    client, users_by_role, role, queries, django_assert_num_queries
):
    client.force_login(users_by_role[role])
    client.get(reverse("home"))  # the first request after login records activity
    # session, user; a manager's home also lists their consortia and their corporation's
    # pending invitations to consortia (none here)
    with django_assert_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200


def test_favicon_ico_points_at_the_svg_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_healthz_reuses_one_broker_connection_per_process(client, db, settings):
    from portal import selectors

    url = str(celery_app.conf.broker_write_url)
    if not url.startswith("redis://"):
        pytest.skip("the embedded broker opens no connection")
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    pool = selectors.broker_client(url).connection_pool
    # Five probes, one client and one open socket.
    assert [u for u in selectors._broker_clients if u == url] == [url]
    assert len(pool._available_connections) + len(pool._in_use_connections) == 1
