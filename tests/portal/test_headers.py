"""Responses with personal data or files say `Cache-Control: private, no-store`; public pages for
anonymous visitors and static files keep their own caching."""

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from guidance import services as guidance_services
from guidance.models import ConsortiumForm, MemberRole
from guidance.reference import sync_reference_data
from partners.services.imports import establishments_import
from portal.models import JobStatus
from tests.factories import (
    CorporationFactory,
    MunicipalityFactory,
    ReportJobFactory,
    profile_for,
    submeeting_with,
)
from tests.spreadsheet_checks import open_data_row, write_open_data

pytestmark = pytest.mark.django_db
NO_STORE = "private, no-store"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_no_store(response):
    assert response.status_code == 200, response.status_code
    body(response)
    assert response["Cache-Control"] == NO_STORE


@pytest.fixture
def consortium(staff):
    sync_reference_data(apps)
    place = MunicipalityFactory()
    lead, member = (
        CorporationFactory(sites=[(place, 36.65, 138.19, "通所介護", 20)]) for _ in "ab"
    )
    return guidance_services.consortium_create(
        values={"name": "長野北部介護人材ネットワーク", "form": ConsortiumForm.LOOSE},
        members=[(lead, MemberRole.PROMOTER), (member, MemberRole.MEMBER)],
        by=staff,
    )


def test_anonymous_visitors_get_the_case_library_without_no_store(client, db):
    response = client.get(reverse("cases:index"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_keep_their_own_caching(client, db):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    body(response)
    assert "no-store" not in response.get("Cache-Control", "")


def test_health_keeps_its_own_header(client, db):
    assert client.get(reverse("healthz"))["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["cases:export_csv", "cases:export_xlsx", "cases:export_json"])
def test_case_exports_are_not_stored_even_for_anonymous_visitors(client, db, name):
    assert_no_store(client.get(reverse(name)))


def test_every_page_for_a_logged_in_person_is_not_stored(client, staff):
    client.force_login(staff)
    assert_no_store(client.get(reverse("cases:index")))
    assert_no_store(client.get(reverse("accounts:users")))
    assert_no_store(client.get(reverse("home")))


def test_registry_pages_and_exports_with_contact_details_are_not_stored(client, staff):
    place = MunicipalityFactory()
    corporations = [
        CorporationFactory(sites=[(place, 36.6, 138.1, "訪問介護", None)]) for _ in "ab"
    ]
    for corporation in corporations:
        profile_for(corporation, themes=["workforce"])
    client.force_login(staff)
    assert_no_store(client.get(reverse("partners:corporation", args=[corporations[0].number])))
    assert_no_store(client.get(reverse("partners:introductions")))
    for fmt in ("csv", "xlsx"):
        assert_no_store(client.get(reverse("partners:export", args=[fmt])))
    meeting = submeeting_with(corporations, by=staff)
    for fmt in ("csv", "xlsx"):
        assert_no_store(client.get(reverse("partners:meeting_export", args=[meeting.pk, fmt])))


def test_import_rejects_downloads_are_not_stored(client, staff, tmp_path):
    path = write_open_data(tmp_path / "jigyosho.csv", [open_data_row(定員="約20")])
    run = establishments_import(path=path, by=staff)
    assert run.rejected == 1
    client.force_login(staff)
    assert_no_store(client.get(reverse("partners:import_rejects", args=[run.pk])))


def test_consortium_members_and_evidence_are_not_stored(
    client, staff, consortium, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = consortium.checklist_items.first()
    item.evidence_file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    client.force_login(staff)
    assert_no_store(client.get(reverse("guidance:members", args=[consortium.pk])))
    assert_no_store(client.get(reverse("guidance:evidence", args=[consortium.pk, item.pk])))


def test_report_downloads_are_not_stored(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ReportJobFactory(requested_by=staff, status=JobStatus.DONE)
    job.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    client.force_login(staff)
    assert_no_store(client.get(reverse("report_download", args=[job.pk])))
