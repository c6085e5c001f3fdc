"""Journeys through /reports/ with a real worker: an official asks for the prefectural report,
watches it progress and downloads its PDF and spreadsheet; a manager downloads their own
consortium's progress report and is refused another consortium's, even with its address."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from guidance.models import Consortium
from portal import services
from portal.models import ReportJob, User
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import log_in
from tests.portal.workers import BOOK_LIMITS

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

MANAGER = ("jigyosha@example.jp", "jigyosha-demo-2026")  # promoter of 長野北部介護人材ネットワーク
OFFICIAL = ("kencho@example.jp", "kencho-demo-2026")


def no_violations(page) -> None:
    assert axe_violations(page) == [], page.url


def test_official_requests_the_prefectural_report_and_downloads_pdf_and_xlsx(
    page,
    live_server,
    demo_users,
    book_broker,  # noqa: F811
    start_worker,
    screenshot,
    console_errors,
):
    start_worker(book_broker, **BOOK_LIMITS)
    log_in(page, live_server, *OFFICIAL)
    page.get_by_role("link", name="レポート").first.click()
    expect(page.get_by_role("heading", name="県の協働化状況報告書（PDF＋Excel）")).to_be_visible()
    no_violations(page)
    page.get_by_label("年度（4月～翌年3月）").select_option(index=0)
    page.get_by_role("button", name="県の報告書を作成").click()
    expect(page.get_by_text(re.compile("の作成を依頼しました"))).to_be_visible()
    job = ReportJob.objects.get(kind="prefecture")
    row = page.locator(f"#job-{job.pk}")
    expect(row).to_contain_text(re.compile("待機中|作成中|完了"))
    # The list polls until the worker has finished; no reload.
    expect(row).to_contain_text("完了", timeout=60_000)
    no_violations(page)
    screenshot("reports-official")

    with page.expect_download() as pdf_download:
        row.get_by_role("link", name=re.compile("PDFをダウンロード")).click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert "協働化の状況報告書" in pdf.suggested_filename
    assert Path(pdf.path()).read_bytes()[:5] == b"%PDF-"
    with page.expect_download() as xlsx_download:
        row.get_by_role("link", name=re.compile("Excelをダウンロード")).click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    book = load_workbook(BytesIO(Path(xlsx.path()).read_bytes()))
    assert "概要" in book.sheetnames and len(book.sheetnames) > 5
    assert console_errors == []


def test_manager_downloads_their_own_progress_report_and_is_refused_anothers(
    page,
    live_server,
    demo_users,
    book_broker,  # noqa: F811
    start_worker,
    screenshot,
    console_errors,
):
    start_worker(book_broker, **BOOK_LIMITS)
    ours = Consortium.objects.get(name="長野北部介護人材ネットワーク")
    other = (
        Consortium.objects.exclude(pk=ours.pk)
        .exclude(memberships__corporation__number="3510001012345")
        .first()
    )
    staff = User.objects.get(email="madoguchi@example.jp")
    theirs = services.job_request(kind="consortium", params={"consortium": other.pk}, by=staff)

    log_in(page, live_server, *MANAGER)
    page.goto(f"{live_server.url}/reports/")
    choices = page.get_by_label("協働体").locator("option").all_inner_texts()
    assert any(ours.name in c for c in choices) and not any(other.name in c for c in choices)
    expect(page.get_by_role("button", name="県の報告書を作成")).to_have_count(0)
    page.get_by_role("button", name="進捗報告書を作成").click()
    job = ReportJob.objects.get(kind="consortium", requested_by__email=MANAGER[0])
    row = page.locator(f"#job-{job.pk}")
    expect(row).to_contain_text("完了", timeout=60_000)
    expect(page.locator(f"#job-{theirs.pk}")).to_have_count(0)  # not in the manager's list
    no_violations(page)
    screenshot("reports-manager")
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("PDFをダウンロード")).click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    # The other consortium's report, asked for by its address: not found for this manager.
    response = page.request.get(f"{live_server.url}/reports/{theirs.pk}/download/")
    assert response.status == 404
    assert console_errors == []
