"""The registry's access rules (partners/access.py), one test per rule, and one test per page,
export and command that shows corporations: a manager never sees the contact details of a
corporation they have no open introduction with; staff always do."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from partners import exports, services
from partners.access import RegistryViewer
from partners.models import Corporation, Introduction
from partners.selectors import match_candidates, registry_queryset, submeeting_groups
from tests.factories import (
    CorporationFactory,
    MunicipalityFactory,
    UserFactory,
    profile_for,
    submeeting_with,
)

pytestmark = pytest.mark.django_db

CONTACTS = {
    "own": "026-100-0001",
    "consenting": "026-100-0002",
    "hidden": "026-100-0003",
    "partner": "026-100-0004",
    "pending": "026-100-0005",
}
PHONES = {key: f"0261{i:06d}" for i, key in enumerate(CONTACTS)}


@pytest.fixture
def world(staff, manager):
    """own (the manager's corporation); consenting (no introduction); hidden (did not consent);
    partner (did not consent, but shares an introduction every party accepted); pending
    (consented, shares an introduction still waiting for answers)."""
    place = MunicipalityFactory(code="202011", name="長野市")
    names = {
        "own": "社会福祉法人みすず福祉会",
        "consenting": "株式会社さくらケア",
        "hidden": "医療法人社団ないしょ会",
        "partner": "合同会社ともにケア",
        "pending": "社会福祉法人やまびこ会",
    }
    corps = {}
    for i, (key, name) in enumerate(names.items()):
        corp = CorporationFactory(
            name=name, sites=[(place, 36.65 + i / 500, 138.19, "通所介護", 20)]
        )
        corp.establishments.update(phone=PHONES[key])
        consent = key in ("own", "consenting", "pending")
        profile_for(corp, contact=CONTACTS[key], consent=consent, themes=["workforce"])
        corps[key] = corp
    manager.corporation_number = corps["own"].number
    manager.save()
    accepted = services.introduction_propose(
        corporations=[corps["own"], corps["partner"]], title="合同採用の紹介", by=staff
    )
    services.introduction_respond(
        introduction=accepted, corporation=corps["own"], accept=True, by=manager
    )
    services.introduction_record_answer(
        introduction=accepted,
        corporation=corps["partner"],
        accept=True,
        channel="phone",
        received_on=accepted.created_at.date(),
        by=staff,
    )
    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    pending = services.introduction_propose(
        corporations=[corps["own"], corps["pending"]], title="共同購買の紹介", by=staff
    )
    others = services.introduction_propose(
        corporations=[corps["consenting"], corps["hidden"]], title="ほかの法人どうし", by=staff
    )
    return {"corps": corps, "accepted": accepted, "pending": pending, "others": others}


def shown_contacts(text: str) -> set[str]:
    return {key for key, value in CONTACTS.items() if value in text}


# --- One test per rule ------------------------------------------------------------------------
def test_staff_and_superusers_see_every_corporation_and_its_contact_details(
    staff, superuser, world
):
    for user in (staff, superuser):
        viewer = RegistryViewer(user)
        assert Corporation.objects.visible_to(user).count() == 5
        assert Introduction.objects.visible_to(user).count() == 3
        for corp in world["corps"].values():
            assert viewer.sees_name(corp) and viewer.sees_contact(corp)
            assert viewer.may_edit_profile(corp) and viewer.may_match_for(corp)


def test_officials_and_anonymous_visitors_see_nothing_of_the_registry(official, world):
    from django.contrib.auth.models import AnonymousUser

    for user in (official, AnonymousUser()):
        viewer = RegistryViewer(user)
        assert not Corporation.objects.visible_to(user).exists()
        assert not Introduction.objects.visible_to(user).exists()
        for corp in world["corps"].values():
            assert not viewer.sees_name(corp)
            assert not viewer.sees_contact(corp)
            assert not viewer.may_match_for(corp)


def test_a_manager_sees_own_consenting_and_open_partner_corporations_only(manager, world):
    corps = world["corps"]
    visible = set(Corporation.objects.visible_to(manager).values_list("pk", flat=True))
    assert visible == {corps[k].pk for k in ("own", "consenting", "partner", "pending")}
    viewer = RegistryViewer(manager)
    assert {k for k, c in corps.items() if viewer.sees_name(c)} == {
        "own",
        "consenting",
        "partner",
        "pending",
    }


def test_a_manager_edits_and_matches_for_their_own_corporation_only(manager, world):
    viewer = RegistryViewer(manager)
    assert {k for k, c in world["corps"].items() if viewer.may_edit_profile(c)} == {"own"}
    assert {k for k, c in world["corps"].items() if viewer.may_match_for(c)} == {"own"}


def test_a_manager_sees_contact_details_only_of_open_introduction_partners(manager, world):
    viewer = RegistryViewer(manager)
    assert {k for k, c in world["corps"].items() if viewer.sees_contact(c)} == {"own", "partner"}


def test_the_viewer_loads_the_open_partners_once_per_request(
    manager, world, django_assert_num_queries
):
    viewer = RegistryViewer(manager)
    corps = list(world["corps"].values())
    with django_assert_num_queries(1):
        for _ in range(3):
            for corp in corps:
                viewer.sees_contact(corp)


def test_a_manager_sees_only_the_introductions_of_their_corporation(manager, world):
    visible = set(Introduction.objects.visible_to(manager))
    assert visible == {world["accepted"], world["pending"]}
    viewer = RegistryViewer(manager)
    assert not viewer.sees_introduction(world["others"])
    assert viewer.sees_introduction_log(world["accepted"])
    assert not viewer.sees_introduction_log(world["pending"])


def test_a_managers_matching_offers_only_consenting_corporations(staff, manager, world):
    own = world["corps"]["own"]
    by_manager = {
        m.candidate.name for m in match_candidates(corporation=own, viewer=RegistryViewer(manager))
    }
    by_staff = {
        m.candidate.name for m in match_candidates(corporation=own, viewer=RegistryViewer(staff))
    }
    assert "医療法人社団ないしょ会" in by_staff
    assert "医療法人社団ないしょ会" not in by_manager
    assert "合同会社ともにケア" not in by_manager  # a partner, but it did not consent to matching


# --- Every page, export and command honours the rules -----------------------------------------
def test_the_registry_list_shows_a_manager_only_visible_corporations(client, manager, world):
    client.force_login(manager)
    html = client.get(reverse("partners:index")).content.decode()
    assert "医療法人社団ないしょ会" not in html
    assert "合同会社ともにケア" in html
    assert shown_contacts(html) == set()
    html = client.get(reverse("partners:index"), {"view": "establishments"}).content.decode()
    assert "医療法人社団ないしょ会" not in html


def test_corporation_pages_show_contact_details_only_where_the_rule_allows(
    client, manager, staff, world
):
    corps = world["corps"]
    client.force_login(manager)
    for key, corp in corps.items():
        response = client.get(reverse("partners:corporation", args=[corp.number]))
        if key == "hidden":
            assert response.status_code == 404
            continue
        html = response.content.decode()
        expected = {key} if key in ("own", "partner") else set()
        assert shown_contacts(html) == expected, key
        assert (PHONES[key] in html) == (key in ("own", "partner")), key
    client.force_login(staff)
    for key, corp in corps.items():
        html = client.get(reverse("partners:corporation", args=[corp.number])).content.decode()
        assert key in shown_contacts(html)
        assert PHONES[key] in html


def test_the_match_page_shows_no_contact_details(client, manager, staff, world):
    own = world["corps"]["own"]
    client.force_login(manager)
    html = client.get(reverse("partners:match", args=[own.number])).content.decode()
    assert "医療法人社団ないしょ会" not in html
    assert "株式会社さくらケア" in html
    assert shown_contacts(html) == set()
    client.force_login(staff)
    html = client.get(reverse("partners:match", args=[own.number])).content.decode()
    assert "医療法人社団ないしょ会" in html


def test_the_match_command_answers_with_the_staff_view_and_no_contact_details(world):
    out = StringIO()
    call_command("match", world["corps"]["own"].number, "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert "医療法人社団ないしょ会" in {r["name"] for r in rows}
    assert shown_contacts(out.getvalue()) == set()


def test_introduction_pages_show_only_open_partners_contact_details(client, manager, world):
    client.force_login(manager)
    html = client.get(reverse("partners:introductions")).content.decode()
    assert shown_contacts(html) == set()
    assert "ほかの法人どうし" not in html
    accepted = reverse("partners:introduction", args=[world["accepted"].pk])
    assert shown_contacts(client.get(accepted).content.decode()) == {"own", "partner"}
    pending = client.get(reverse("partners:introduction", args=[world["pending"].pk]))
    html = pending.content.decode()
    assert shown_contacts(html) == {"own"}
    assert "連絡先は、当事者全員が承諾した後に表示されます。" in html
    other = reverse("partners:introduction", args=[world["others"].pk])
    assert client.get(other).status_code == 404


def test_staff_see_every_partys_contact_details_on_introductions(client, staff, world):
    client.force_login(staff)
    html = client.get(reverse("partners:introduction", args=[world["others"].pk])).content
    assert shown_contacts(html.decode()) == {"consenting", "hidden"}


def test_registry_exports_carry_contact_details_for_staff_only(client, staff, manager, world):
    client.force_login(staff)
    response = client.get(reverse("partners:export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert shown_contacts(text) == set(CONTACTS)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-2:] == ["担当者", "連絡先"]
    response = client.get(reverse("partners:export", args=["xlsx"]), {"view": "establishments"})
    cells = {
        str(v) for row in load_workbook(io.BytesIO(response.content)).active.values for v in row
    }
    assert set(PHONES.values()) <= cells
    client.force_login(manager)
    assert client.get(reverse("partners:export", args=["csv"])).status_code == 403
    assert client.get(reverse("partners:export", args=["xlsx"])).status_code == 403


def test_registry_export_rows_ask_the_viewer_for_contact_details(manager, world):
    from django.http import QueryDict

    viewer = RegistryViewer(manager)
    view, _flt, queryset, _ok = registry_queryset(params=QueryDict(), viewer=viewer)
    _title, _header, rows = exports.registry_table(view, queryset, viewer)
    assert shown_contacts(str(list(rows))) == {"own", "partner"}
    view, _flt, queryset, _ok = registry_queryset(
        params=QueryDict("view=establishments"), viewer=viewer
    )
    _title, _header, rows = exports.registry_table(view, queryset, viewer)
    text = str(list(rows))
    assert {k for k, phone in PHONES.items() if phone in text} == {"own", "partner"}


@pytest.fixture
def meeting(staff, world):
    meeting = submeeting_with(world["corps"].values(), by=staff)
    return meeting


def test_sub_meeting_exports_honour_the_contact_rule(client, staff, manager, meeting):
    client.force_login(staff)
    text = client.get(reverse("partners:meeting_export", args=[meeting.pk, "csv"])).content
    assert shown_contacts(text.decode("utf-8-sig")) == set(CONTACTS)
    response = client.get(reverse("partners:meeting_export", args=[meeting.pk, "xlsx"]))
    cells = {
        str(v) for row in load_workbook(io.BytesIO(response.content)).active.values for v in row
    }
    assert set(CONTACTS.values()) <= cells
    groups, unplaced = submeeting_groups(meeting=meeting)
    _header, rows = exports.groups_table(meeting, groups, unplaced, RegistryViewer(manager))
    assert shown_contacts(str(rows)) == {"own", "partner"}
    client.force_login(manager)
    for fmt in ("csv", "xlsx"):
        assert (
            client.get(reverse("partners:meeting_export", args=[meeting.pk, fmt])).status_code
            == 403
        )


def test_a_manager_without_a_corporation_number_sees_nothing(client, world):
    stranger = UserFactory(manager=True, corporation_number="", email="nobody@example.jp")
    assert not Corporation.objects.visible_to(stranger).exists()
    client.force_login(stranger)
    assert client.get(reverse("partners:index")).status_code == 403
