"""The national open data's licence asks every use to name the source, its address and that the
data was processed: every registry page, export and report says so, with the data date."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partners import services
from partners.models import ImportRun, ImportStatus
from partners.selectors import forget_data_as_of, open_data_credit
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for, submeeting_with
from tests.spreadsheet_checks import without_credit

pytestmark = pytest.mark.django_db

SOURCE = "出典：介護サービス情報公表システム（厚生労働省、"
URL = "https://www.kaigokensaku.mhlw.go.jp/"
PROCESSED = "のオープンデータを長野県介護生産性向上総合相談センターが加工して作成"
LICENCE = "公共データ利用規約（第1.0版）に基づく利用"
DECEMBER = "2026年12月31日時点（介護サービス情報公表システム）"
UNKNOWN = "データ時点は未記録"


@pytest.fixture(autouse=True)
def window_name(settings):
    settings.PORTAL_WINDOW_NAME = "長野県介護生産性向上総合相談センター"


@pytest.fixture
def registry():
    nagano = MunicipalityFactory(code="202011", name="長野市")
    sakura = CorporationFactory(
        name="社会福祉法人サポートさくら会", sites=[(nagano, 36.65, 138.19, "通所介護", 30)]
    )
    profile_for(sakura, challenges=["recruiting"], themes=["workforce"])
    kaede = CorporationFactory(
        name="株式会社かえでケア", sites=[(nagano, 36.66, 138.20, "訪問介護", None)]
    )
    profile_for(kaede, challenges=["recruiting"], themes=["workforce"])
    return sakura, kaede


def december_import(*, status=ImportStatus.DONE, as_of=date(2026, 12, 31)) -> ImportRun:
    return ImportRun.objects.create(
        kind="establishments",
        file_name="jigyosho_150_all_20270115103000.csv",
        file_hash="0" * 64,
        status=status,
        as_of=as_of,
    )


def assert_credited(html: str) -> None:
    assert SOURCE in html
    assert f'<a href="{URL}" rel="external">{URL}</a>' in html
    assert PROCESSED in html and LICENCE in html


def registry_pages(client, staff, registry):
    sakura, kaede = registry
    intro = services.introduction_propose(corporations=[sakura, kaede], title="", by=staff)
    client.force_login(staff)
    urls = [
        reverse("partners:index"),
        reverse("partners:index") + "?view=establishments",
        reverse("partners:corporation", args=[sakura.number]),
        reverse("partners:match", args=[sakura.number]),
        reverse("partners:introductions"),
        reverse("partners:introduction", args=[intro.pk]),
    ]
    return {url: client.get(url).content.decode() for url in urls}


def test_every_registry_page_credits_the_open_data_and_its_date(client, staff, registry):
    december_import()
    for url, html in registry_pages(client, staff, registry).items():
        assert_credited(html)
        assert DECEMBER in html, url


def test_a_registry_without_a_recorded_data_date_says_so(client, staff, registry):
    # An import that recorded no date, and one that has not finished, give no data date.
    december_import(as_of=None)
    december_import(status=ImportStatus.RUNNING)
    for url, html in registry_pages(client, staff, registry).items():
        assert_credited(html)
        assert UNKNOWN in html and "時点（介護サービス情報公表システム）" not in html, url


def test_the_newest_data_date_shows_and_a_finished_import_shows_at_once(client, staff, registry):
    december_import(as_of=date(2026, 6, 30))
    client.force_login(staff)
    assert (
        "2026年6月30日時点（介護サービス情報公表システム）"
        in client.get(reverse("partners:index")).content.decode()
    )
    december_import()
    forget_data_as_of()  # what a finished import does
    assert DECEMBER in client.get(reverse("partners:index")).content.decode()


def test_the_data_date_is_read_once_for_many_pages(
    client, staff, registry, django_assert_num_queries
):
    december_import()
    client.force_login(staff)
    url = reverse("partners:corporation", args=[registry[0].number])
    client.get(url)
    with django_assert_num_queries(0):
        assert open_data_credit().as_of == date(2026, 12, 31)


def test_the_registry_csv_ends_with_the_credit_and_the_data_date(client, staff, registry):
    december_import()
    client.force_login(staff)
    for view in ("corporations", "establishments"):
        response = client.get(reverse("partners:export", args=["csv"]), {"view": view})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[-2] == [f"{SOURCE}{URL}）{PROCESSED}（{LICENCE}）"]
        assert rows[-1] == [DECEMBER]
        assert len(without_credit(rows)) == 3  # the header and two rows


def test_the_registry_xlsx_has_a_source_sheet_and_names_it_in_the_page_header(
    client, staff, registry
):
    december_import()
    client.force_login(staff)
    response = client.get(reverse("partners:export", args=["xlsx"]), {"view": "establishments"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["事業所", "出典"]
    facts = dict(book["出典"].iter_rows(min_row=2, values_only=True))
    assert facts["出典"] == "介護サービス情報公表システム（厚生労働省）"
    assert facts["URL"] == URL
    assert facts["データ時点"] == DECEMBER
    assert facts["利用条件"] == "公共データ利用規約（第1.0版）"
    assert PROCESSED in facts["表記"]
    assert SOURCE in book["事業所"].oddHeader.left.text
    assert DECEMBER in book.properties.subject


def test_the_meeting_groups_export_credits_the_open_data(client, staff, registry):
    meeting = submeeting_with(list(registry), by=staff, grouped=True)
    client.force_login(staff)
    response = client.get(reverse("partners:meeting_export", args=[meeting.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1] == [UNKNOWN]
    response = client.get(reverse("partners:meeting_export", args=[meeting.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["グループ", "出典"]


def test_the_prefectural_report_credits_the_open_data_in_its_pdf_and_spreadsheet(staff):
    from oversight.reports import build_prefecture, current_fiscal_year

    december_import()
    html, xlsx, report = build_prefecture(current_fiscal_year())
    assert SOURCE in html and PROCESSED in html and f"{DECEMBER}の情報です" in html
    summary = load_workbook(io.BytesIO(xlsx))["概要"]
    cells = [row[0] for row in summary.iter_rows(values_only=True)]
    assert report.credit.text in cells and DECEMBER in cells
