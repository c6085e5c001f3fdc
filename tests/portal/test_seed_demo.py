"""`manage.py seed_demo`: one demo user per role, logins only where allowed, and on a second run
only what is missing is created: nothing people changed is put back."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from cases.models import Case
from cases.services import EDITABLE_FIELDS, TAG_KEYS, case_update
from partners.models import ImportRun, ProviderProfile
from partners.services import profile_update
from portal import services
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


@pytest.fixture
def seeded(db):
    run_seed()


def case_values(case: Case, **changes) -> dict:
    values = {field: getattr(case, field) for field in EDITABLE_FIELDS}
    values["prefectures"] = list(case.prefectures.values_list("name", flat=True))
    for key, kind in TAG_KEYS.items():
        values[key] = list(case.tags.filter(kind=kind).values_list("code", flat=True))
    return {**values, **changes}


def test_seed_demo_keeps_a_case_staff_edited(seeded):
    staff = User.objects.get(email="madoguchi@example.jp")
    case = Case.objects.get(number=1)
    case_update(case=case, values=case_values(case, summary="窓口で書き直した概要"), by=staff)
    versions = case.history.count()

    output = run_seed()

    edited = Case.objects.get(number=1)
    assert edited.summary == "窓口で書き直した概要"
    assert edited.history.count() == versions
    assert "事例: 新規 0件" in output


def test_seed_demo_recreates_a_missing_case_and_leaves_the_others(seeded):
    total = Case.objects.count()
    Case.objects.filter(number=7).delete()
    output = run_seed()
    assert Case.objects.count() == total
    assert Case.objects.filter(number=7, status="published").exists()
    assert "事例: 新規 1件" in output


def test_seed_demo_keeps_what_was_changed_on_demo_accounts(seeded):
    staff = User.objects.get(email="madoguchi@example.jp")
    manager = User.objects.get(email="jigyosha@example.jp")
    services.user_set_active(user=manager, active=False, by=staff)
    User.objects.filter(pk=staff.pk).update(full_name="窓口 さくら（改姓）")

    run_seed()

    assert User.objects.get(pk=manager.pk).is_active is False
    assert User.objects.get(pk=staff.pk).full_name == "窓口 さくら（改姓）"


def test_seed_demo_does_not_import_the_registry_again_over_changed_consents(seeded):
    staff = User.objects.get(email="madoguchi@example.jp")
    profile = ProviderProfile.objects.filter(consent_matching=True).select_related("corporation")[0]
    profile_update(
        corporation=profile.corporation,
        challenges=profile.challenges.all(),
        themes=profile.themes.all(),
        consent_matching=False,
        contact_person=profile.contact_person,
        contact=profile.contact,
        by=staff,
    )
    runs = ImportRun.objects.count()

    output = run_seed()

    assert ProviderProfile.objects.get(pk=profile.pk).consent_matching is False
    assert ImportRun.objects.count() == runs
    assert "取り込み済み" in output
