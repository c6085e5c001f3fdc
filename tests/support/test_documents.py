"""Model documents: visitors read and download them (counted); staff publish versions."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from support.models import Document
from support.services import document_count_download
from tests.factories import DocumentFactory, DocumentVersionFactory

pytestmark = pytest.mark.django_db


def test_the_starting_set_is_marked_as_models_to_adapt(client):
    html = client.get(reverse("support:documents")).content.decode()
    for title in ("社会福祉連携推進法人の定款のひな形", "一般社団法人（緩やかな連携）の定款・会則のひな形",
                  "会費規程のひな形", "災害時の相互応援協定書のひな形", "事務局の業務フローのひな形",
                  "社会福祉連携推進法人の認可申請チェックリスト"):  # fmt: skip
        assert title in html
    assert "ひな形（各法人の実情に合わせて修正してください）" in html


def test_a_visitor_downloads_a_document_as_text_and_the_download_is_counted(client):
    url = reverse("support:document_download", args=["disaster-mutual-aid"])
    response = client.get(url)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="disaster-mutual-aid-v1.txt"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("災害時の相互応援協定書のひな形（第1版）")
    assert "ひな形（各法人の実情に合わせて修正してください）" in text
    client.get(url)
    assert Document.objects.get(slug="disaster-mutual-aid").download_count == 2
    page = client.get(reverse("support:document", args=["disaster-mutual-aid"]))
    assert "2回" in page.content.decode()


def test_a_login_only_document_is_hidden_from_visitors(client, manager):
    slug = "loose-network-start-checklist"
    assert (
        "緩やかな連携を始めるときのチェックリスト"
        not in client.get(reverse("support:documents")).content.decode()
    )
    assert client.get(reverse("support:document", args=[slug])).status_code == 404
    assert client.get(reverse("support:document_download", args=[slug])).status_code == 404
    assert Document.objects.get(slug=slug).download_count == 0
    client.force_login(manager)
    assert client.get(reverse("support:document_download", args=[slug])).status_code == 200


def test_staff_publish_a_new_version_and_the_old_one_stays(client, staff):
    client.force_login(staff)
    slug = "membership-fee-rules"
    response = client.post(
        reverse("support:document_publish", args=[slug]),
        {"body": "第2版の本文：賛助会員の会費の決め方を書き足しました。", "note": "賛助会員を追加"},
    )
    assert response.status_code == 302
    html = client.get(reverse("support:document", args=[slug])).content.decode()
    assert "最新版（第2版）" in html and "賛助会員を追加" in html
    latest = client.get(reverse("support:document_download", args=[slug])).content.decode()
    assert "賛助会員の会費の決め方を書き足しました" in latest
    first = client.get(reverse("support:document_version_download", args=[slug, 1]))
    assert "第1版" in first.content.decode()


def test_staff_publish_a_version_as_an_uploaded_file(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    upload = SimpleUploadedFile("kitei.txt", "会費規程（県の様式）".encode(), "text/plain")
    client.post(reverse("support:document_publish", args=["membership-fee-rules"]),
                {"file": upload, "note": "県の様式"})  # fmt: skip
    response = client.get(reverse("support:document_download", args=["membership-fee-rules"]))
    assert b"".join(response.streaming_content).decode() == "会費規程（県の様式）"


def test_an_empty_version_is_refused_in_japanese(client, staff):
    client.force_login(staff)
    response = client.post(reverse("support:document_publish", args=["membership-fee-rules"]), {})
    assert response.status_code == 400
    assert "本文を入力するか、ファイルを添付してください。" in response.content.decode()


def test_a_manager_cannot_publish_a_version(client, manager):
    client.force_login(manager)
    url = reverse("support:document_publish", args=["membership-fee-rules"])
    assert client.post(url, {"body": "書き換え"}).status_code == 403


def test_staff_create_a_login_only_document(client, staff):
    client.force_login(staff)
    response = client.post(reverse("support:document_create"), {
        "slug": "ict-joint-procurement", "title": "ICTの共同調達の覚書のひな形", "kind": "agreement",
        "summary": "共同でシステムを調達するときの覚書です。", "stages": ["4"], "themes": ["backoffice"],
        "checklist_codes": "s4-backoffice-inventory", "visibility": "login", "published": "on",
        "position": "9",
    })  # fmt: skip
    assert response.status_code == 302
    document = Document.objects.get(slug="ict-joint-procurement")
    assert document.checklist_codes == ["s4-backoffice-inventory"]
    assert document.history.first().history_user == staff


@pytest.mark.django_db(transaction=True)
def test_simultaneous_downloads_are_all_counted():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the F() increment is checked on PostgreSQL")
    document = DocumentVersionFactory().document

    def download():
        document_count_download(document=document)
        connection.close()

    threads = [threading.Thread(target=download) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Document.objects.get(pk=document.pk).download_count == 8


def test_the_document_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    for _ in range(6):
        DocumentVersionFactory(document=DocumentFactory())
    with django_assert_num_queries(2):
        assert client.get(reverse("support:documents")).status_code == 200
