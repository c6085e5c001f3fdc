"""The prefectural report's figures (issue 17): 発足 by 開始日, every municipality a consortium
spans, and one definition of 辞退あり for the list, the monthly table and the report."""

from datetime import timedelta

from django.utils import timezone

from guidance import services
from guidance.models import ConsortiumForm, MemberRole
from oversight.reports import current_fiscal_year, fiscal_year_bounds, prefecture_report
from partners import services as partner_services
from partners.access import RegistryViewer
from partners.models import IntroductionEvent, IntroductionStatus
from partners.selectors import introduction_funnel, introductions_for
from tests.factories import CorporationFactory, MunicipalityFactory


def _consortium(name, *, started_on, members, by):
    return services.consortium_create(
        values={"name": name, "form": ConsortiumForm.LOOSE, "started_on": started_on},
        members=members,
        by=by,
    )


def test_started_within_the_year_counts_by_start_date_not_by_record_creation(db, staff):
    start, _end = fiscal_year_bounds(current_fiscal_year())
    place = MunicipalityFactory()
    lead = CorporationFactory(sites=[(place, 36.65, 138.19, "通所介護", 20)])
    _consortium("昔からの連携会", started_on=start - timedelta(days=400), members=[], by=staff)
    _consortium("去年度末の連携会", started_on=start - timedelta(days=1), members=[], by=staff)
    _consortium(
        "今年度の連携会",
        started_on=start,
        members=[(lead, MemberRole.PROMOTER)],
        by=staff,
    )
    report = prefecture_report(fiscal_year=current_fiscal_year())
    # All three records were created today; only one started within the fiscal year.
    assert dict(report.summary)["年度内に発足"] == "1件"
    assert dict(report.summary)["協働体（終了を除く）"] == "3件"


def test_a_consortium_across_municipalities_counts_under_each_with_a_note(db, staff):
    nagano = MunicipalityFactory()
    suzaka = MunicipalityFactory(code="202070", name="須坂市")
    lead = CorporationFactory(sites=[(nagano, 36.65, 138.19, "通所介護", 20)])
    member = CorporationFactory(sites=[(suzaka, 36.65, 138.31, "訪問介護", 10)])
    _consortium(
        "北信広域ケア連携会",
        started_on=timezone.localdate(),
        members=[(lead, MemberRole.PROMOTER), (member, MemberRole.MEMBER)],
        by=staff,
    )
    report = prefecture_report(fiscal_year=current_fiscal_year())
    table = next(t for t in report.tables if t.key == "municipalities")
    rows = {row[0]: row[-1] for row in table.rows}
    assert rows == {"長野市": 1, "須坂市": 1}
    assert "それぞれの市区町村に1件ずつ" in table.note


def test_declined_is_one_figure_in_the_list_the_monthly_table_and_the_report(db, staff):
    start, _end = fiscal_year_bounds(current_fiscal_year())
    place = MunicipalityFactory()
    a, b, c, d = (
        CorporationFactory(sites=[(place, 36.65, 138.19, "通所介護", 20)]) for _ in range(4)
    )
    declined = partner_services.introduction_propose(
        corporations=[a, b], title="送迎の共同化", by=staff
    )
    partner_services.introduction_move(
        introduction=declined, to=IntroductionStatus.CONTACTED, by=staff
    )
    partner_services.introduction_move(
        introduction=declined, to=IntroductionStatus.DECLINED, by=staff
    )
    # Declined about a month ago (kept within the fiscal year); a note logged today while still
    # declined, then the introduction is closed.
    first = timezone.now() - timedelta(days=min(31, (timezone.localdate() - start).days))
    declined.events.filter(status=IntroductionStatus.DECLINED).update(at=first)
    IntroductionEvent.objects.create(
        introduction=declined, status=IntroductionStatus.DECLINED, text="再提案の可能性を確認"
    )
    partner_services.introduction_move(
        introduction=declined, to=IntroductionStatus.CLOSED, by=staff
    )
    partner_services.introduction_propose(corporations=[c, d], title="共同購入", by=staff)

    listed = list(introductions_for(viewer=RegistryViewer(staff), status="declined"))
    assert [i.pk for i in listed] == [declined.pk]

    funnel = introduction_funnel()
    column = [value for value, _label in funnel.states].index(IntroductionStatus.DECLINED)
    assert funnel.totals[column] == 1
    assert dict(funnel.current)["辞退あり"] == 1

    report = prefecture_report(fiscal_year=current_fiscal_year())
    funnel_table = next(t for t in report.tables if t.key == "funnel")
    assert dict(funnel_table.rows)["辞退あり"] == 1
    assert "最初に辞退した日に1件" in funnel_table.note
