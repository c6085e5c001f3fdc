"""Theme sub-meetings: groups of similar providers with reasons, moved by hand, exported."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partners import services
from partners.grouping import capacities
from partners.models import SubMeetingParticipant
from partners.selectors import submeeting_groups
from tests.factories import CorporationFactory, MunicipalityFactory, profile_for, submeeting_with
from tests.spreadsheet_checks import open_in_libreoffice, without_credit

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(staff):
    north = MunicipalityFactory(code="202011", name="長野市")
    south = MunicipalityFactory(code="202053", name="飯田市")
    corporations = []
    for i in range(4):
        c = CorporationFactory(sites=[(north, 36.65 + i / 200, 138.19, "通所介護", 20)])
        profile_for(c, challenges=["recruiting"], themes=["workforce"])
        corporations.append(c)
    for i in range(4):
        c = CorporationFactory(sites=[(south, 35.51 + i / 200, 137.82, "訪問介護", None)] * 1)
        profile_for(c, challenges=["succession"], themes=["supplies"])
        corporations.append(c)
    return submeeting_with(corporations, by=staff)


def test_group_sizes_are_as_even_as_possible():
    assert capacities(10, 4) == [4, 3, 3]
    assert capacities(8, 4) == [4, 4]
    assert capacities(0, 4) == []


def test_similar_providers_are_grouped_together_with_a_reason(staff, meeting):
    services.submeeting_group(meeting=meeting, group_size=4, by=staff)
    groups, unplaced = submeeting_groups(meeting=meeting)
    assert unplaced == []
    assert len(groups) == 2
    places = [{m.features.municipality_name for m in g["members"]} for g in groups]
    assert sorted(map(sorted, places)) == [["長野市"], ["飯田市"]]
    north = next(g for g in groups if "長野市" in g["reason"])
    assert "共通の関心テーマ：人材確保・育成" in north["reason"]
    assert "共通の課題：人材確保（採用）" in north["reason"]


def test_staff_move_a_participant_by_hand_and_regrouping_keeps_it(client, staff, meeting):
    services.submeeting_group(meeting=meeting, group_size=4, by=staff)
    mover = SubMeetingParticipant.objects.filter(meeting=meeting, group=1).first()
    target = 2
    client.force_login(staff)
    response = client.post(
        reverse("partners:meeting_move", args=[meeting.pk]),
        {f"group-{mover.pk}": str(target)},
    )
    assert response.status_code == 302
    mover.refresh_from_db()
    assert (mover.group, mover.pinned) == (target, True)
    services.submeeting_group(meeting=meeting, group_size=4, by=staff)
    mover.refresh_from_db()
    assert mover.group == target


def test_the_grouping_exports_to_csv_and_xlsx_and_prints(client, staff, meeting):
    services.submeeting_group(meeting=meeting, group_size=4, by=staff)
    client.force_login(staff)
    text = client.get(reverse("partners:meeting_export", args=[meeting.pk, "csv"])).content
    rows = without_credit(list(csv.reader(io.StringIO(text.decode("utf-8-sig")))))
    assert rows[0][:3] == ["グループ", "法人番号", "法人名"]
    assert len(rows) == 9
    response = client.get(reverse("partners:meeting_export", args=[meeting.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 9
    html = client.get(reverse("partners:meeting", args=[meeting.pk])).content.decode()
    assert "グループ1（4法人）" in html and "グループ2（4法人）" in html


def test_sub_meetings_are_staff_only(client, manager, meeting):
    client.force_login(manager)
    assert client.get(reverse("partners:meeting", args=[meeting.pk])).status_code == 403


def test_the_grouping_xlsx_has_numbers_a_frozen_filtered_header_and_opens_in_libreoffice(
    client, staff, meeting, tmp_path
):
    services.submeeting_group(meeting=meeting, group_size=4, by=staff)
    client.force_login(staff)
    response = client.get(reverse("partners:meeting_export", args=[meeting.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    sites = [r[header.index("事業所数")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert sites == [1] * 8  # numbers, not text
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)][:4] == [1, 1, 1, 1]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:J9"
    assert book.properties.title == "サブ会議のグループ分け"
    open_in_libreoffice(response.content, tmp_path)
