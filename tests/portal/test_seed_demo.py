"""`manage.py seed_demo`: one demo user per role, safe to repeat, logins only where allowed."""

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command

from portal.models import Role, User


def run_seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_user_per_role_and_prints_their_logins(db):
    output = run_seed()
    assert set(User.objects.values_list("role", flat=True)) == {
        Role.STAFF,
        Role.MANAGER,
        Role.OFFICIAL,
    }
    assert User.objects.filter(is_superuser=True).count() == 1
    for email in ("madoguchi@example.jp", "jigyosha@example.jp", "kencho@example.jp"):
        assert email in output
    assert "madoguchi-demo-2026" in output


def test_seed_demo_is_idempotent(db):
    run_seed()
    before = list(User.objects.order_by("pk").values())
    history = User.history.count()
    output = run_seed()
    assert list(User.objects.order_by("pk").values()) == before
    assert User.history.count() == history
    assert "変更 0件" in output


def test_demo_logins_work_in_the_embedded_settings(rf, db):
    run_seed()
    request = rf.post("/accounts/login/")
    user = authenticate(request, username="kencho@example.jp", password="kencho-demo-2026")
    assert user is not None and user.role == Role.OFFICIAL


def test_demo_logins_are_refused_where_demo_logins_are_off(rf, db, settings):
    run_seed()
    settings.PORTAL_DEMO_LOGINS = False
    request = rf.post("/accounts/login/")
    assert authenticate(request, username="kencho@example.jp", password="kencho-demo-2026") is None
    output = run_seed()
    assert "kencho-demo-2026" not in output
    assert not User.objects.get(email="kencho@example.jp").has_usable_password()
