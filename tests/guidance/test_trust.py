"""Issue 18 on the workflow: one visibility rule honoured everywhere, the STEP gate that cannot be
walked around, membership by invitation only, KPI data that stays true, and hostile input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guidance import access, reports, selectors, services
from guidance.models import Consortium, Measurement, MemberRole, MembershipState
from portal import providers as links
from portal.models import ReportJob
from tests.factories import CorporationFactory, UserFactory, profile_for

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


class Request:
    def __init__(self, user):
        self.user = user


# --- One visibility rule -----------------------------------------------------------------------------
def test_staff_and_officials_see_every_consortium(world, staff, official):
    both = {"長野北部介護人材ネットワーク", "南信ケア連携会議"}
    assert names(Consortium.objects.visible_to(staff)) == both
    assert names(Consortium.objects.visible_to(official)) == both


def test_a_manager_sees_only_the_consortia_their_corporation_is_a_member_of(world):
    assert names(Consortium.objects.visible_to(world["member"])) == {"長野北部介護人材ネットワーク"}
    assert not Consortium.objects.visible_to(world["outsider"]).exists()
    # chainable like any queryset
    assert not Consortium.objects.filter(status="closed").visible_to(world["member"]).exists()


def test_a_member_who_left_sees_the_consortium_no_more(world, staff):
    membership = world["ours"].memberships.get(
        corporation__number=world["member"].corporation_number
    )
    services.member_leave(membership=membership, by=staff)
    assert not Consortium.objects.visible_to(world["member"]).exists()
    assert not access.can_view(world["member"], world["ours"])


def test_anonymous_and_managers_without_a_corporation_see_none(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Consortium.objects.visible_to(AnonymousUser()).exists()
    assert not Consortium.objects.visible_to(
        UserFactory(manager=True, corporation_number="")
    ).exists()


def test_the_report_kind_the_list_and_the_home_honour_visibility(client, world):
    outsider, member = world["outsider"], world["member"]
    ours = world["ours"]
    job = type("Job", (), {"params": {"consortium": ours.pk}})()
    assert reports.may_download_consortium(member, job)
    assert not reports.may_download_consortium(outsider, job)
    assert reports.consortium_panel(Request(outsider)) is None
    panel = reports.consortium_panel(Request(member))
    assert [c.name for c in panel["context"]["consortia"]] == [ours.name]
    client.force_login(outsider)
    assert ours.name not in client.get(reverse("guidance:index")).content.decode()
    assert ours.name not in client.get(reverse("home")).content.decode()


def test_asking_for_an_unseen_consortiums_report_answers_as_for_a_missing_one(client, world):
    """The request form must not tell an outsider which consortium ids exist."""
    client.force_login(world["outsider"])
    missing_pk = Consortium.objects.order_by("-pk").first().pk + 100
    for pk in (world["ours"].pk, missing_pk):
        response = client.post(
            reverse("report_request"), {"kind": "consortium", "consortium": pk}, follow=True
        )
        assert f"番号 {pk} の協働体はありません" in response.content.decode()
    assert not ReportJob.objects.filter(requested_by=world["outsider"]).exists()


# --- The gate ----------------------------------------------------------------------------------------
def test_a_promoter_cannot_walk_around_the_gate_by_moving_back_first(client, world):
    ours = world["ours"]
    for item in ours.checklist_items.filter(stage=1):  # ① done; ② and ③ not
        services.checklist_item_update(
            item=item, values={"status": "done"}, by=world["promoter"], version=item.version
        )
    client.force_login(world["promoter"])
    url = reverse("guidance:advance", args=[ours.pk])
    assert client.post(url, {"to_stage": 2}).status_code == 302
    assert client.post(url, {"to_stage": 1, "reason": "参加法人が入れ替わった"}).status_code == 302
    for target in (4, 6):
        response = client.post(url, {"to_stage": target})
        assert "必須の項目があと" in response.content.decode()
        ours.refresh_from_db()
        assert ours.stage == 1
    missing = services.gate_missing(consortium=ours, to_stage=4)
    assert {i.stage for i in missing} == {2, 3}
    assert not ours.moves.filter(overridden=True).exists()


def test_a_staff_override_records_exactly_the_items_it_skipped(world, staff):
    ours = world["ours"]
    open_required = list(ours.checklist_items.filter(required=True, stage__lt=4))
    move = services.consortium_move(
        consortium=ours, to_stage=4, by=staff, reason="県の補助事業の締切", override=True
    )
    assert move.overridden
    assert [s["id"] for s in move.skipped] == [i.pk for i in open_required]
    assert {s["title"] for s in move.skipped} == {i.title for i in open_required}
    assert {s["stage"] for s in move.skipped} == {1, 2, 3}


# --- Membership by invitation ------------------------------------------------------------------------
@pytest.fixture
def invitee(world):
    corporation = CorporationFactory()
    profile_for(corporation, consent=True)
    return corporation, UserFactory(manager=True, corporation_number=corporation.number)


def test_an_invited_corporation_sees_nothing_until_its_manager_accepts(client, world, invitee):
    corporation, manager = invitee
    ours = world["ours"]
    client.force_login(world["promoter"])
    response = client.post(
        reverse("guidance:member_invite", args=[ours.pk]),
        {"number": corporation.number, "role": "member"},
    )
    assert response.status_code == 302
    membership = ours.memberships.get(corporation=corporation)
    assert membership.state == MembershipState.INVITED
    # Not a member anywhere: pages, lists, counts, the registry's view, reports.
    client.force_login(manager)
    assert client.get(reverse("guidance:detail", args=[ours.pk])).status_code == 404
    assert not Consortium.objects.visible_to(manager).exists()
    assert access.membership_of(manager, ours) is None
    row = selectors.consortium_list(user=world["promoter"]).get(pk=ours.pk)
    assert row.member_count == 2
    assert links.memberships([corporation.pk]) == {}
    assert corporation.pk not in selectors.co_member_ids(
        world["ours"].memberships.first().corporation_id
    )
    assert corporation.name not in reports.build_consortium_html(ours.pk)
    # The home panel offers the invitation; the manager accepts it.
    home = client.get(reverse("home")).content.decode()
    assert reverse("guidance:invitation", args=[membership.pk]) in home
    page = client.get(reverse("guidance:invitation", args=[membership.pk])).content.decode()
    assert "参加する" in page
    assert (
        client.post(reverse("guidance:invitation_accept", args=[membership.pk])).status_code == 302
    )
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACCEPTED
    assert membership.answer_channel == "self" and membership.answered_by == manager
    assert client.get(reverse("guidance:detail", args=[ours.pk])).status_code == 200
    assert corporation.name in reports.build_consortium_html(ours.pk)


def test_a_declined_invitation_leaves_the_corporation_outside(client, world, invitee):
    corporation, manager = invitee
    membership = services.member_invite(
        consortium=world["ours"], corporation=corporation, role=MemberRole.MEMBER, by=UserFactory()
    )
    client.force_login(manager)
    client.post(reverse("guidance:invitation_decline", args=[membership.pk]), {"confirmed": "yes"})
    membership.refresh_from_db()
    assert membership.state == MembershipState.DECLINED
    assert client.get(reverse("guidance:detail", args=[world["ours"].pk])).status_code == 404
    # Answered once: it cannot be answered again.
    client.post(reverse("guidance:invitation_accept", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.state == MembershipState.DECLINED


def test_another_corporation_cannot_open_or_answer_someone_elses_invitation(client, world, invitee):
    corporation, _ = invitee
    membership = services.member_invite(
        consortium=world["ours"], corporation=corporation, role=MemberRole.MEMBER, by=UserFactory()
    )
    client.force_login(world["outsider"])
    assert client.get(reverse("guidance:invitation", args=[membership.pk])).status_code == 404
    assert (
        client.post(reverse("guidance:invitation_accept", args=[membership.pk])).status_code == 404
    )
    membership.refresh_from_db()
    assert membership.state == MembershipState.INVITED


def test_staff_record_an_answer_received_by_phone_on_the_corporations_behalf(
    client, world, staff, invitee
):
    corporation, manager = invitee
    membership = services.member_invite(
        consortium=world["ours"], corporation=corporation, role=MemberRole.MEMBER, by=staff
    )
    client.force_login(staff)
    url = reverse("guidance:invitation_record", args=[membership.pk])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, {"answer": "accept", "channel": "phone", "answered_on": future})
    assert "未来の日付は選べません" in response.content.decode()
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        url, {"answer": "accept", "channel": "phone", "answered_on": day, "note": "理事長から電話"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACCEPTED
    assert (membership.answer_channel, membership.answered_by) == ("phone", staff)
    assert membership.answered_on.isoformat() == day and membership.answer_note == "理事長から電話"
    assert membership.history.first().history_user == staff
    client.force_login(manager)
    assert client.get(reverse("guidance:detail", args=[world["ours"].pk])).status_code == 200


def test_the_member_form_does_not_reveal_a_non_consenting_corporation(client, world):
    hidden = CorporationFactory(name="社会福祉法人ひみつの杜")
    profile_for(hidden, consent=False)
    client.force_login(world["promoter"])
    url = reverse("guidance:member_invite", args=[world["ours"].pk])
    unseen = client.post(url, {"number": hidden.number, "role": "member"}).content.decode()
    missing = client.post(url, {"number": "1234567890123", "role": "member"}).content.decode()
    assert "ひみつの杜" not in unseen
    assert "この法人番号の法人には招待を送れません" in unseen
    assert "この法人番号の法人には招待を送れません" in missing
    assert not world["ours"].memberships.filter(corporation=hidden).exists()


# --- KPI data ----------------------------------------------------------------------------------------
@pytest.fixture
def kpi(world, staff):
    goal = services.goal_create(consortium=world["ours"], title="採用を増やす", by=staff)
    return services.kpi_create(goal=goal, name="採用者数", unit="人", baseline=Decimal(2),
                               target=Decimal(12), due_on=None, by=staff)  # fmt: skip


def measure(client, kpi, day, value, **extra):
    url = reverse("guidance:measurement_add", args=[kpi.goal.consortium_id])
    data = {"kpi": kpi.pk, "measured_on": day.isoformat(), "value": value, **extra}
    return client.post(url, data)


def test_measurements_outside_the_consortiums_life_are_refused_next_to_the_field(
    client, world, kpi
):
    client.force_login(world["member"])
    before = world["ours"].started_on - timedelta(days=1)
    html = measure(client, kpi, before, "3").content.decode()
    assert "開始日" in html and "より前の日付の測定値は登録できません" in html
    assert f'id="m-date-{kpi.pk}-error"' in html
    future = timezone.localdate() + timedelta(days=1)
    assert "未来の日付" in measure(client, kpi, future, "3").content.decode()
    assert "1900" not in str(list(Measurement.objects.values_list("measured_on", flat=True)))
    assert not Measurement.objects.exists()


def test_a_count_cannot_be_negative(client, world, kpi, staff):
    client.force_login(world["member"])
    html = measure(client, kpi, timezone.localdate(), "-1").content.decode()
    assert "「人」で数える指標の値は0以上にしてください" in html
    assert not Measurement.objects.exists()
    rate = services.kpi_create(goal=kpi.goal, name="収支差額", unit="万円", baseline=Decimal(-5),
                               target=Decimal(5), due_on=None, by=staff)  # fmt: skip
    assert measure(client, rate, timezone.localdate(), "-3").status_code == 302


def test_a_second_value_for_the_same_day_replaces_the_first_only_after_confirmation(
    client, world, kpi
):
    client.force_login(world["member"])
    day = timezone.localdate() - timedelta(days=2)
    assert measure(client, kpi, day, "5").status_code == 302
    html = measure(client, kpi, day, "6").content.decode()
    assert "この日の値はすでにあります（5）。置き換えますか？" in html
    assert 'name="replace"' in html
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(5)]
    assert measure(client, kpi, day, "6", replace="on").status_code == 302
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(6)]
    assert Measurement.history.filter(value=Decimal(5)).exists()


def test_a_promoter_corrects_and_deletes_measurements_and_history_keeps_them(
    client, world, kpi, staff
):
    day = timezone.localdate() - timedelta(days=3)
    m = services.measurement_add(kpi=kpi, measured_on=day, value=Decimal(4), by=staff)
    pk = world["ours"].pk
    client.force_login(world["member"])
    listing = client.get(reverse("guidance:measurements", args=[pk])).content.decode()
    assert "採用者数" in listing and "直す" not in listing
    assert client.post(reverse("guidance:measurement_delete", args=[pk, m.pk])).status_code == 403
    client.force_login(world["promoter"])
    edit = reverse("guidance:measurement_edit", args=[pk, m.pk])
    response = client.post(edit, {"measured_on": day.isoformat(), "value": "-2"})
    assert "0以上にしてください" in response.content.decode()
    response = client.post(edit, {"measured_on": day.isoformat(), "value": "7", "note": "集計漏れ"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.value == Decimal(7)
    assert client.post(reverse("guidance:measurement_delete", args=[pk, m.pk])).status_code == 302
    assert not Measurement.objects.exists()
    kinds = list(Measurement.history.filter(id=m.pk).values_list("history_type", flat=True))
    assert sorted(kinds) == ["+", "-", "~"]
    deleted = Measurement.history.filter(id=m.pk, history_type="-").get()
    assert deleted.history_user == world["promoter"]


def test_activities_cannot_be_dated_in_the_future(client, world):
    client.force_login(world["member"])
    future = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = client.post(
        reverse("guidance:activity_add", args=[world["ours"].pk]),
        {"kind": "meeting", "title": "定例会議", "happened_on": future},
    )
    assert "未来の日付の活動は記録できません" in response.content.decode()
    assert not world["ours"].activities.exists()


# --- Hostile input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["²", "abc", "-1", "99999999999999999999999", "../x", "٣"])
def test_hostile_values_in_workflow_parameters_get_no_500(client, world, staff, value):
    client.force_login(staff)
    pk = world["ours"].pk
    assert client.get(reverse("guidance:advance", args=[pk]), {"to": value}).status_code == 200
    assert client.get(reverse("oversight:dashboard"), {"days": value}).status_code == 200
    # An id in the path that is not a number matches no URL; a huge one matches no row.
    for action in ("done", "reopen"):
        response = client.post(f"/consortia/{pk}/actions/{value}/{action}/")
        assert response.status_code == 404
    response = client.post(f"/consortia/{pk}/members/{value}/leave/")
    assert response.status_code == 404
    assert client.post(f"/consortia/referrals/{value}/move/", {"to": "done"}).status_code == 404
    # The pages take no POST: every action has its own URL.
    response = client.post(reverse("guidance:actions", args=[pk]), {"action": value})
    assert response.status_code == 405
    response = client.post(
        reverse("guidance:measurement_add", args=[pk]),
        {"kpi": value, "measured_on": "2026-02-30", "value": value},
    )
    assert response.status_code == 400
    response = client.post(reverse("report_request"), {"kind": "consortium", "consortium": value})
    assert response.status_code == 302


def test_the_report_builders_render_only_what_the_requester_may_see(world, official):
    from types import SimpleNamespace

    from portal import jobs

    job = SimpleNamespace(params={"consortium": world["theirs"].pk}, requested_by=world["member"])
    with pytest.raises(jobs.JobError, match="見つかりませんでした"):
        reports.prepare_consortium(job, lambda n: None)
    from oversight import reports as oversight_reports

    year = oversight_reports.current_fiscal_year()
    everyone = oversight_reports.prefecture_report(fiscal_year=year, viewer=official)
    assert ("協働体（終了を除く）", "2件") in everyone.summary
    narrowed = oversight_reports.prefecture_report(fiscal_year=year, viewer=world["member"])
    assert ("協働体（終了を除く）", "1件") in narrowed.summary


def test_a_consortium_registered_by_staff_invites_its_corporations(client, staff, invitee):
    corporation, manager = invitee
    client.force_login(staff)
    response = client.post(
        reverse("guidance:create"),
        {"name": "善光寺平 介護協働ネット", "form": "close", "legal_form": "none", "stage": 1,
         "members": f"{corporation.number} 推進役"},
    )  # fmt: skip
    assert response.status_code == 302
    consortium = Consortium.objects.get(name="善光寺平 介護協働ネット")
    membership = consortium.memberships.get()
    assert (membership.state, membership.role) == (MembershipState.INVITED, MemberRole.PROMOTER)
    client.force_login(manager)
    assert client.get(reverse("guidance:detail", args=[consortium.pk])).status_code == 404


def test_leads_do_not_see_the_name_of_an_unseen_corporation_staff_invited(client, world, staff):
    hidden = CorporationFactory(name="社会福祉法人ひみつの杜")
    profile_for(hidden, consent=False)
    membership = services.member_invite(
        consortium=world["ours"], corporation=hidden, role=MemberRole.MEMBER, by=staff
    )
    client.force_login(world["promoter"])
    html = client.get(reverse("guidance:members", args=[world["ours"].pk])).content.decode()
    assert f"法人番号 {hidden.number} の法人" in html and "ひみつの杜" not in html
    page = client.get(reverse("guidance:invitation", args=[membership.pk])).content.decode()
    assert "ひみつの杜" not in page
    client.force_login(staff)
    html = client.get(reverse("guidance:members", args=[world["ours"].pk])).content.decode()
    assert "ひみつの杜" in html


def test_a_counted_kpi_needs_non_negative_baseline_and_target(client, world, kpi):
    client.force_login(world["promoter"])
    response = client.post(
        reverse("guidance:kpi_add", args=[world["ours"].pk]),
        {"goal": kpi.goal_id, "name": "研修の回数", "unit": "回", "baseline": "-1", "target": "4"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "「回」で数える指標の値は0以上にしてください" in html
    assert not kpi.goal.kpis.filter(name="研修の回数").exists()
