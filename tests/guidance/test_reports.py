"""The consortium progress report and the prefectural report, read back from the PDF and XLSX,
and the /reports/ page as each role meets it: request, reuse, download, refusal."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guidance import services
from guidance.reports import build_consortium_html
from oversight.reports import build_prefecture, current_fiscal_year, prefecture_report
from portal import services as portal_services
from portal.dates import format_seireki, format_wareki
from portal.models import JobStatus, ReportArtifact, ReportJob
from portal.pdf import html_to_pdf
from portal.spreadsheets import Percent
from tests.reports.helpers import fonts, page_count, pages, render, squeeze
from tests.spreadsheet_checks import open_in_libreoffice

pytestmark = pytest.mark.django_db


def test_the_progress_report_shows_step_timeline_checklist_kpis_actions_members_referrals(
    progressed, tmp_path
):
    ours = progressed["ours"]
    pdf = render(build_consortium_html(ours.pk), tmp_path)
    text = squeeze("".join(pages(pdf)))
    today = timezone.localdate()
    for expected in (
        ours.name,
        "STEP1仲間をつくる（現在）",
        "②信頼醸成・試験的連携",
        "①→②信頼醸成・試験的連携",
        "顔合わせを終えた",
        "段階ごとのチェックリスト",
        "離職率",
        "50%",  # (15 − 20) / (10 − 20)
        "合同研修の日程を決める",
        "期限切れ",
        "推進役",
        "規程づくりを相談したい",
        squeeze(format_seireki(today)),
        squeeze(format_wareki(today)),
    ):
        assert squeeze(expected) in text, expected
    assert {f["name"].split("+")[1] for f in fonts(pdf)} <= {
        "Noto-Sans-CJK-JP",
        "Noto-Sans-CJK-JP-Bold",
    }


def test_the_prefectural_pdf_and_spreadsheet_hold_the_same_figures(progressed, tmp_path):
    year = current_fiscal_year()
    html, xlsx, report = build_prefecture(year)
    pdf = render(html, tmp_path)
    text = squeeze("".join(pages(pdf)))
    book = load_workbook(BytesIO(xlsx))
    assert book.sheetnames[0] == "概要"
    assert len(book.sheetnames) == 1 + len(report.tables)
    for table, sheet in zip(report.tables, book.worksheets[1:], strict=True):
        assert squeeze(table.title) in text
        # Row 1 title, row 2 source and as-of date, row 3 the header, then the typed rows:
        # dates as dates and rates as ratios (issue 17 point 6; they were text and whole percents).
        assert [c.value for c in sheet[3]] == table.header
        rows = [
            list(r)
            for r in sheet.iter_rows(min_row=4, max_row=3 + len(table.rows), values_only=True)
        ]
        assert rows == [[xlsx_expected(v) for v in r] for r in table.rows]
    stages = next(t for t in report.tables if t.key == "stages")
    assert [r[2] for r in stages.rows] == [1, 1, 0, 0, 0, 0]  # ours at ②, theirs at ①
    kpis = next(t for t in report.tables if t.key == "kpis")
    assert kpis.rows == [["長野北部介護人材ネットワーク", "離職率", 20, 10, 15, "%", 50]]


def xlsx_expected(value):
    """What openpyxl reads back for a value of the report's tables."""
    if isinstance(value, Percent):
        return value.ratio
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return value


def test_the_prefectural_report_counts_within_the_chosen_fiscal_year(progressed):
    this_year = current_fiscal_year()
    now = prefecture_report(fiscal_year=this_year)
    before = prefecture_report(fiscal_year=this_year - 1)
    # Both consortia started (開始日) a year ago, before this fiscal year: none started within it,
    # although both records were created today (issue 17: 発足 is counted by 開始日).
    assert dict(now.summary)["年度内に発足"] == "0件"
    assert dict(before.summary)["協働体（終了を除く）"] == "0件"
    assert now.start.isoformat() == f"{this_year}-04-01"
    assert now.end.isoformat() == f"{this_year + 1}-03-31"


def test_render_report_writes_files_and_refuses_bad_arguments(progressed, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    call_command("render_report", "consortium", str(progressed["ours"].pk), "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF") and page_count(out) >= 1
    pref = tmp_path / "p.pdf"
    call_command("render_report", "prefecture", "--out", str(pref))
    assert pref.exists() and (tmp_path / "p.xlsx").exists()
    for args, message in (
        (["consortium", "--out", str(out)], "協働体の番号"),
        (["consortium", "999999", "--out", str(out)], "番号 999999 の協働体はありません"),
        (["prefecture", "--fiscal-year", "令和8", "--out", str(out)], "西暦4桁"),
        (["casebook", "--fiscal-year", "2026", "--out", str(out)], "prefecture にだけ"),
        (["casebook", "--filter", "form", "--out", str(out)], "KEY=VALUE"),
        (["casebook", "--out", str(tmp_path / "missing" / "x.pdf")], "フォルダがありません"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("render_report", *args)


# --- Jobs through the page (the task runs in-process: CELERY eager is not used; we call it) ---------
def run_queued() -> None:
    for pk in ReportJob.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True):
        portal_services.job_run(job_id=pk)


def test_the_same_report_over_unchanged_data_reuses_the_file(progressed, manager, monkeypatch):
    ours = progressed["ours"]
    promoter = progressed["promoter"]
    renders = []
    real = html_to_pdf

    def counting(html, progress=None):
        renders.append(1)
        return real(html, progress)

    monkeypatch.setattr("guidance.reports.html_to_pdf", counting)
    first = portal_services.job_request(
        kind="consortium", params={"consortium": ours.pk}, by=promoter
    )
    portal_services.job_run(job_id=first.pk)
    second = portal_services.job_request(
        kind="consortium", params={"consortium": ours.pk}, by=promoter
    )
    portal_services.job_run(job_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert len(renders) == 1
    assert (second.status, second.reused, second.file.name) == ("done", True, first.file.name)
    assert ReportArtifact.objects.count() == 1

    services.action_create(consortium=ours, title="新しい作業", owner="", due_on=None, by=promoter)
    third = portal_services.job_request(
        kind="consortium", params={"consortium": ours.pk}, by=promoter
    )
    portal_services.job_run(job_id=third.pk)
    third.refresh_from_db()
    assert len(renders) == 2 and not third.reused and third.file.name != first.file.name


def test_asking_twice_while_waiting_gives_one_job(progressed):
    promoter = progressed["promoter"]
    params = {"consortium": progressed["ours"].pk}
    first = portal_services.job_request(kind="consortium", params=params, by=promoter)
    again = portal_services.job_request(kind="consortium", params=params, by=promoter)
    assert first.pk == again.pk and ReportJob.objects.count() == 1


def test_a_manager_requests_and_downloads_their_own_report_and_never_anothers(
    client_for, progressed, official
):
    ours, theirs = progressed["ours"], progressed["theirs"]
    client = client_for(progressed["promoter"])
    page = client.get(reverse("reports"))
    assert "事例集を作成" in page.content.decode() and "進捗報告書を作成" in page.content.decode()
    assert "県の報告書を作成" not in page.content.decode()
    assert theirs.name not in page.content.decode()  # not offered in the list of consortia

    response = client.post(reverse("report_request"), {"kind": "consortium", "consortium": ours.pk})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    run_queued()
    download = client.get(reverse("report_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "協働体の進捗報告書_長野北部介護人材ネットワーク" in download["Content-Disposition"] or (
        "filename*=" in download["Content-Disposition"]
    )

    # Another consortium: refused at the request exactly as a missing one (its existence is not
    # told), and its file is not served even by URL.
    refused = client.post(
        reverse("report_request"), {"kind": "consortium", "consortium": theirs.pk}, follow=True
    )
    assert f"番号 {theirs.pk} の協働体はありません" in refused.content.decode()
    assert ReportJob.objects.count() == 1
    other = portal_services.job_request(
        kind="consortium", params={"consortium": theirs.pk}, by=official
    )
    portal_services.job_run(job_id=other.pk)
    assert client.get(reverse("report_download", args=[other.pk])).status_code == 404
    # A member who later leaves loses access to the report they once made.
    outsider_client = client_for(progressed["outsider"])
    assert outsider_client.get(reverse("report_download", args=[job.pk])).status_code == 404


def test_an_official_requests_the_prefectural_report_and_gets_pdf_and_spreadsheet(
    client_for, progressed, official
):
    client = client_for(official)
    page = client.get(reverse("reports")).content.decode()
    assert "県の報告書を作成" in page
    bad = client.post(
        reverse("report_request"), {"kind": "prefecture", "fiscal_year": "1990"}, follow=True
    )
    assert "年度は2000年度から" in bad.content.decode()
    client.post(reverse("report_request"), {"kind": "prefecture", "fiscal_year": ""})
    job = ReportJob.objects.get()
    listing = client.get(reverse("reports")).content.decode()
    assert "待機中" in listing and 'hx-trigger="every 2s"' in listing
    run_queued()
    listing = client.get(reverse("reports")).content.decode()
    assert "Excelをダウンロード" in listing and "every 2s" not in listing
    pdf = client.get(reverse("report_download", args=[job.pk]))
    xlsx = client.get(reverse("report_download_spreadsheet", args=[job.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert load_workbook(BytesIO(b"".join(xlsx.streaming_content))).sheetnames[0] == "概要"


def test_a_manager_cannot_request_the_prefectural_report(client_for, progressed):
    client = client_for(progressed["promoter"])
    response = client.post(reverse("report_request"), {"kind": "prefecture", "fiscal_year": ""})
    assert response.status_code == 403
    assert client.post(reverse("report_request"), {"kind": "selftest"}).status_code == 403
    assert ReportJob.objects.count() == 0


def test_a_failed_render_frees_its_fingerprint_and_serves_no_file(
    progressed, monkeypatch, client_for, staff
):
    def broken(html, progress=None):
        raise RuntimeError("layout bug")

    monkeypatch.setattr("guidance.reports.html_to_pdf", broken)
    job = portal_services.job_request(
        kind="consortium", params={"consortium": progressed["ours"].pk}, by=staff
    )
    with pytest.raises(RuntimeError):
        portal_services.job_run(job_id=job.pk)
    assert ReportArtifact.objects.count() == 0
    portal_services.job_fail(job_id=job.pk, reason="予期しないエラー")
    job.refresh_from_db()
    assert not job.file
    assert client_for(staff).get(reverse("report_download", args=[job.pk])).status_code == 404


def test_the_case_library_filters_carry_over_to_the_case_book_form(
    client_for,
    progressed,
    report_cases,  # the library's tags
):
    client = client_for(progressed["promoter"])
    page = client.get(
        reverse("reports") + "?form=loose&region=kanto&operation=workforce"
    ).content.decode()
    assert "事例ライブラリで選んだ条件を引き継いでいます" in page
    assert 'value="loose" id="cb-form-loose" checked' in page
    assert 'value="workforce" id="cb-op-workforce" checked' in page
    assert '<input type="hidden" name="region" value="kanto">' in page


def test_the_consortium_page_and_the_dashboard_offer_their_reports(
    client_for, progressed, official
):
    promoter = client_for(progressed["promoter"])
    detail = promoter.get(reverse("guidance:detail", args=[progressed["ours"].pk])).content.decode()
    assert "進捗報告書（PDF）を作成" in detail
    dashboard = client_for(official).get(reverse("oversight:dashboard")).content.decode()
    assert "の報告書（PDF＋Excel）を作る" in dashboard


def test_the_prefectural_xlsx_writes_counts_dates_and_rates_typed_on_framed_sheets(
    progressed, tmp_path, settings
):
    settings.PORTAL_WINDOW_NAME = "長野県介護生産性向上総合相談センター"
    _html, xlsx, report = build_prefecture(current_fiscal_year())
    book = load_workbook(BytesIO(xlsx))
    summary = book["概要"]
    values = {r[0]: r[1:] for r in summary.iter_rows(min_row=4, values_only=True)}
    # Today 「2件」 was text: now the number, with its unit in a column of its own.
    # (both test consortia started a year ago: none within the year, by 開始日)
    assert values["年度内に発足"] == (0, "件")
    assert values["年度内の段階の前進"][1] == "回"
    start = summary.cell(row=4, column=2)
    assert start.value == xlsx_expected(report.start)
    assert start.number_format == 'yyyy"年"m"月"d"日"'
    kpis = book.worksheets[1 + next(i for i, t in enumerate(report.tables) if t.key == "kpis")]
    rate = kpis.cell(row=4, column=7)
    assert (rate.value, rate.number_format) == (0.5, "0.0%")  # 50 % of the way to the target
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A4", sheet.title
        assert sheet.auto_filter.ref.startswith("A3:"), sheet.title
        assert sheet.print_title_rows == "$1:$3", sheet.title
        assert sheet.page_setup.fitToWidth == 1, sheet.title
        assert "集計日" in sheet["A2"].value and "出典" in sheet["A2"].value, sheet.title
        assert format_seireki(report.as_of) in sheet["A2"].value, sheet.title
    assert book.properties.title == f"協働化の状況 {report.label}"
    assert book.properties.creator == "長野県介護生産性向上総合相談センター"
    pdf = open_in_libreoffice(xlsx, tmp_path)
    assert "50.0%" in squeeze("".join(pages(pdf)))
