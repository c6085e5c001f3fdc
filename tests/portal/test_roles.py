"""Roles: staff manage accounts up to their own rank; only a superuser changes or makes a
superuser; every change names who made it in the account's history."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import access, services
from portal.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def toggle(client, target):
    return client.post(reverse("accounts:toggle_active", args=[target.pk]), {"confirmed": "yes"})


def invite_data(**values):
    return {"email": "shinki@example.jp", "full_name": "新規 一郎", "role": "staff", **values}


def test_staff_cannot_switch_off_a_superuser(client, staff, superuser):
    client.force_login(staff)
    assert toggle(client, superuser).status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active
    with pytest.raises(PermissionDenied):
        services.user_set_active(user=superuser, active=False, by=staff)
    superuser.refresh_from_db()
    assert superuser.is_active


def test_staff_cannot_switch_a_disabled_superuser_back_on(client, staff):
    root = UserFactory(superuser=True, is_active=False)
    client.force_login(staff)
    assert toggle(client, root).status_code == 403
    root.refresh_from_db()
    assert not root.is_active


def test_the_user_list_offers_staff_no_button_for_a_superuser(client, staff, superuser, manager):
    client.force_login(staff)
    html = client.get(reverse("accounts:users")).content.decode()
    assert reverse("accounts:toggle_active", args=[manager.pk]) in html
    assert reverse("accounts:toggle_active", args=[superuser.pk]) not in html


def test_a_superuser_switches_off_a_superuser_and_the_history_names_them(client, superuser):
    other = UserFactory(superuser=True, email="root2@example.jp")
    client.force_login(superuser)
    html = client.get(reverse("accounts:users")).content.decode()
    assert reverse("accounts:toggle_active", args=[other.pk]) in html
    assert toggle(client, other).status_code == 302
    other.refresh_from_db()
    assert not other.is_active
    record = other.history.latest()
    assert (record.history_user, record.is_active) == (superuser, False)
    assert record.history_change_reason == "root@example.jp が無効化"


def test_staff_switch_off_a_manager_and_the_history_names_them(client, staff, manager):
    client.force_login(staff)
    assert toggle(client, manager).status_code == 302
    record = manager.history.latest()
    assert (record.history_user, record.is_active) == (staff, False)


def test_staff_cannot_invite_a_superuser(client, staff):
    with pytest.raises(PermissionDenied):
        services.user_invite(email="x@example.jp", full_name="上位 太郎", role=Role.STAFF,
                             superuser=True, by=staff, base_url="http://testserver")  # fmt: skip
    assert not User.objects.filter(email="x@example.jp").exists()
    client.force_login(staff)
    assert "管理者にする" not in client.get(reverse("accounts:invite")).content.decode()
    # A forged field is not part of the staff's form: the account is made, but as staff only.
    assert client.post(reverse("accounts:invite"), invite_data(superuser="on")).status_code == 302
    invited = User.objects.get(email="shinki@example.jp")
    assert (invited.is_superuser, invited.is_staff, invited.role) == (False, False, Role.STAFF)
    assert invited.history.latest().history_user == staff


def test_a_superuser_invites_a_superuser_recorded_in_history(client, superuser):
    client.force_login(superuser)
    assert "管理者にする" in client.get(reverse("accounts:invite")).content.decode()
    html = client.post(
        reverse("accounts:invite"), invite_data(superuser="on", role="official")
    ).content.decode()
    assert "役割を「相談窓口職員」にしてください" in html
    assert client.post(reverse("accounts:invite"), invite_data(superuser="on")).status_code == 302
    invited = User.objects.get(email="shinki@example.jp")
    assert (invited.is_superuser, invited.is_staff) == (True, True)
    record = invited.history.latest()
    assert (record.history_user, record.is_superuser) == (superuser, True)


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("superuser", "superuser", True),
        ("superuser", "staff", True),
        ("staff", "superuser", False),
        ("staff", "staff", True),
        ("staff", "manager", True),
        ("staff", "official", True),
        ("manager", "manager", False),
        ("official", "manager", False),
    ],
)
def test_who_may_change_whom(users_by_role, actor, target, allowed):
    assert access.can_change_user(users_by_role[actor], users_by_role[target]) is allowed


@pytest.mark.parametrize(
    ("actor", "role", "make_superuser", "allowed"),
    [
        ("staff", Role.MANAGER, False, True),
        ("staff", Role.OFFICIAL, False, True),
        ("staff", Role.STAFF, False, True),
        ("staff", Role.STAFF, True, False),
        ("superuser", Role.STAFF, True, True),
        ("manager", Role.MANAGER, False, False),
    ],
)
def test_who_may_grant_which_role(users_by_role, actor, role, make_superuser, allowed):
    assert access.can_grant_role(users_by_role[actor], role, make_superuser) is allowed


def test_the_admin_site_applies_the_same_rule_to_a_staff_member_with_admin_rights(
    client, superuser
):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(is_staff=True, email="clerk@example.jp")
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client.force_login(clerk)
    url = reverse("admin:portal_user_change", args=[superuser.pk])
    response = client.post(url, {"email": superuser.email, "is_active": ""})
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.is_superuser
    assert response.status_code == 403
    page = client.get(reverse("admin:portal_user_change", args=[clerk.pk])).content.decode()
    assert 'name="is_superuser"' not in page
