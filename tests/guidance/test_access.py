"""Every workflow URL × every role × own/other consortium: who reads, who writes, who is refused.
A consortium one may not see answers 404, as one that does not exist; one seen but not writable, 403."""

import pytest
from django.urls import reverse

from guidance.models import ChecklistItem

pytestmark = pytest.mark.django_db

PAGES = ["detail", "checklist", "kpis", "actions", "help", "advance", "item", "members"]
# role -> (can read own, can read other)
READ = {
    "staff": (True, True),
    "official": (True, True),
    "promoter": (True, False),
    "member": (True, False),
    "outsider": (False, False),
}


def url_for(name: str, consortium) -> str:
    if name == "item":
        item = ChecklistItem.objects.filter(consortium=consortium).first()
        return reverse("guidance:item", args=[consortium.pk, item.pk])
    return reverse(f"guidance:{name}", args=[consortium.pk])


def login(client, world, role, users):
    user = users.get(role) or world[role]
    client.force_login(user)
    return user


@pytest.fixture
def users(staff, official):
    return {"staff": staff, "official": official}


@pytest.mark.parametrize("role", sorted(READ))
@pytest.mark.parametrize("page", PAGES)
def test_each_role_reads_only_the_consortia_it_may(client, world, users, role, page):
    login(client, world, role, users)
    own_ok, other_ok = READ[role]
    assert client.get(url_for(page, world["ours"])).status_code == (200 if own_ok else 404)
    assert client.get(url_for(page, world["theirs"])).status_code == (200 if other_ok else 404)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, world, page):
    response = client.get(url_for(page, world["ours"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# (role, action) -> allowed on own consortium
WRITES = {
    "tick": {"staff", "promoter", "member"},
    "measure_or_activity": {"staff", "promoter", "member"},
    "lead": {"staff", "promoter"},
}


def write(client, consortium, kind):
    item = ChecklistItem.objects.filter(consortium=consortium).first()
    if kind == "tick":
        return client.post(
            reverse("guidance:item_status", args=[consortium.pk, item.pk]),
            {"status": "done", "version": item.version},
        )
    if kind == "measure_or_activity":
        return client.post(
            reverse("guidance:activity_add", args=[consortium.pk]),
            {
                "kind": "meeting",
                "title": "定例会議",
                "happened_on": "2026-11-01",
            },
        )
    return client.post(
        reverse("guidance:action_add", args=[consortium.pk]),
        {"title": "会場を押さえる", "owner": "事務局"},
    )


@pytest.mark.parametrize("role", sorted(READ))
@pytest.mark.parametrize("kind", sorted(WRITES))
def test_who_may_write_what(client, world, users, role, kind):
    login(client, world, role, users)
    own = write(client, world["ours"], kind)
    assert (own.status_code == 302) == (role in WRITES[kind]), (role, kind, own.status_code)
    if role not in WRITES[kind]:
        assert own.status_code == (403 if READ[role][0] else 404)
    other = write(client, world["theirs"], kind)
    assert other.status_code == (302 if role == "staff" else 403 if READ[role][1] else 404)


def test_the_list_shows_a_manager_only_their_consortia(client, world):
    client.force_login(world["member"])
    html = client.get(reverse("guidance:index")).content.decode()
    assert "長野北部介護人材ネットワーク" in html
    assert "南信ケア連携会議" not in html


def test_the_dashboard_is_for_staff_and_officials(client, world, users):
    for role, status in (("staff", 200), ("official", 200), ("promoter", 403)):
        login(client, world, role, users)
        assert client.get(reverse("oversight:dashboard")).status_code == status


@pytest.mark.parametrize("name", ["templates", "template_new", "experts", "referrals", "create"])
def test_staff_only_workflow_pages(client, world, users, name):
    url = reverse(f"guidance:{name}")
    for role, status in (("staff", 200), ("official", 403), ("promoter", 403)):
        login(client, world, role, users)
        assert client.get(url).status_code == status, (role, name)
