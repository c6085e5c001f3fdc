"""The workflow as its users meet it: checklists copied per form, gates between STEPs, overrides
and moves back logged, KPIs with progress, conflicts, evidence limits, dashboards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guidance import selectors, services
from guidance.models import ChecklistItem, ChecklistTemplate, ConsortiumForm, ItemStatus, Variant

pytestmark = pytest.mark.django_db


def settle(consortium, stages, by):
    for item in consortium.checklist_items.filter(stage__in=stages):
        services.checklist_item_update(
            item=item, values={"status": "done"}, by=by, version=item.version
        )


def test_each_consortium_gets_the_checklist_of_its_form(world):
    loose = {i.title for i in world["ours"].checklist_items.all()}
    close = {i.title for i in world["theirs"].checklist_items.all()}
    only_close = set(
        ChecklistTemplate.objects.filter(variant=Variant.CLOSE).values_list("title", flat=True)
    )
    assert only_close and only_close <= close
    assert not (only_close & loose)
    assert {i.stage for i in world["ours"].checklist_items.all()} == {1, 2, 3, 4, 5, 6}


def test_editing_a_template_applies_to_new_consortia_not_existing_ones(world, staff):
    template = ChecklistTemplate.objects.filter(stage=1).first()
    template.title = "新しい書き方の項目"
    template.save()
    assert not world["ours"].checklist_items.filter(title="新しい書き方の項目").exists()
    fresh = services.consortium_create(
        values={"name": "新しい協働体", "form": ConsortiumForm.LOOSE}, by=staff
    )
    assert fresh.checklist_items.filter(title="新しい書き方の項目").exists()


def test_moving_to_the_next_step_needs_the_required_items(client, world):
    ours = world["ours"]
    client.force_login(world["promoter"])
    url = reverse("guidance:advance", args=[ours.pk])
    assert client.post(url, {"to_stage": 2}).status_code == 302  # same STEP: no gate
    ours.refresh_from_db()
    response = client.post(url, {"to_stage": 3, "override": "on", "reason": "急ぐので"})
    html = response.content.decode()
    assert "必須の項目があと" in html  # a manager cannot override
    required = ours.checklist_items.filter(required=True, stage__lte=2)
    assert required.first().title in html
    ours.refresh_from_db()
    assert ours.stage == 2
    settle(ours, [1, 2], world["promoter"])
    assert client.post(url, {"to_stage": 3}).status_code == 302
    ours.refresh_from_db()
    assert (ours.stage, ours.step) == (3, 2)


def test_staff_override_a_gate_with_a_recorded_reason(client, world, staff):
    ours = world["ours"]
    client.force_login(staff)
    url = reverse("guidance:advance", args=[ours.pk])
    response = client.post(url, {"to_stage": 3, "override": "on", "reason": "", "confirmed": "yes"})
    assert "理由を書いてください" in response.content.decode()
    client.post(
        url,
        {
            "to_stage": 3,
            "override": "on",
            "reason": "県の補助事業の締切に合わせる",
            "confirmed": "yes",
        },
    )
    ours.refresh_from_db()
    move = ours.moves.get()
    assert ours.stage == 3
    assert move.overridden and move.by == staff
    assert move.reason == "県の補助事業の締切に合わせる"
    assert move.missing  # the open required items are kept with the move


def test_moving_back_is_allowed_and_logged(world, staff):
    ours = world["ours"]
    services.consortium_move(consortium=ours, to_stage=2, by=staff)
    ours.refresh_from_db()
    services.consortium_move(consortium=ours, to_stage=1, by=staff, reason="参加法人が入れ替わった")
    ours.refresh_from_db()
    assert ours.stage == 1
    assert [(m.from_stage, m.to_stage) for m in ours.moves.all()] == [(1, 2), (2, 1)]


def test_kpi_progress_is_measured_from_baseline_to_target(world, staff):
    goal = services.goal_create(consortium=world["ours"], title="離職を減らす", by=staff)
    kpi = services.kpi_create(goal=goal, name="離職率", unit="%", baseline=Decimal(18),
                              target=Decimal(12), due_on=None, by=staff)  # fmt: skip
    for days, value in ((60, 18), (30, 16), (1, 15)):
        services.measurement_add(kpi=kpi, measured_on=timezone.localdate() - timedelta(days=days),
                                 value=Decimal(value), by=staff)  # fmt: skip
    view = selectors.kpi_progress(kpi, list(kpi.measurements.order_by("measured_on")))
    assert view.current == Decimal(15)
    assert view.percent == 50
    assert len(view.chart["points"]) == 3
    with pytest.raises(Exception, match="未来の日付"):
        services.measurement_add(kpi=kpi, measured_on=timezone.localdate() + timedelta(days=2),
                                 value=Decimal(1), by=staff)  # fmt: skip


def test_a_member_records_a_measurement_and_sees_the_chart(client, world, staff):
    goal = services.goal_create(consortium=world["ours"], title="採用を増やす", by=staff)
    kpi = services.kpi_create(goal=goal, name="採用者数", unit="人", baseline=Decimal(2),
                              target=Decimal(12), due_on=None, by=staff)  # fmt: skip
    client.force_login(world["member"])
    url = reverse("guidance:kpis", args=[world["ours"].pk])
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("guidance:measurement_add", args=[world["ours"].pk]),
        {"kpi": kpi.pk, "measured_on": day, "value": "7"},
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "達成 <strong>50%</strong>" in html
    assert "<polyline" in html or "<circle" in html
    # A member cannot add goals or KPIs.
    goal_add = reverse("guidance:goal_add", args=[world["ours"].pk])
    assert client.post(goal_add, {"title": "勝手な目標"}).status_code == 403


def test_two_people_saving_the_same_item_get_a_clear_conflict(client, world):
    item = world["ours"].checklist_items.first()
    client.force_login(world["promoter"])
    url = reverse("guidance:item", args=[world["ours"].pk, item.pk])
    first = {
        "status": "doing",
        "owner": "推進役",
        "note": "",
        "evidence_url": "",
        "version": item.version,
    }
    second = {**first, "status": "done", "owner": "事務局"}
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert "ほかの人がこの項目を更新しました" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.owner) == (ItemStatus.DOING, "推進役")


def test_evidence_files_are_limited_in_type_and_size(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = world["ours"].checklist_items.first()
    client.force_login(world["promoter"])
    url = reverse("guidance:item", args=[world["ours"].pk, item.pk])
    base = {"status": "done", "owner": "", "note": "", "evidence_url": "", "version": item.version}
    bad = SimpleUploadedFile("tool.exe", b"MZ...", "application/octet-stream")
    assert (
        "この種類のファイルは添付できません"
        in client.post(url, {**base, "evidence_file": bad}).content.decode()
    )
    big = SimpleUploadedFile("minutes.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")
    assert "大きすぎます" in client.post(url, {**base, "evidence_file": big}).content.decode()
    good = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf")
    assert client.post(url, {**base, "evidence_file": good}).status_code == 302
    item.refresh_from_db()
    assert item.evidence_file.name.endswith("minutes.pdf")
    download = reverse("guidance:evidence", args=[world["ours"].pk, item.pk])
    assert b"".join(client.get(download).streaming_content) == b"%PDF-1.4 minutes"
    client.force_login(world["outsider"])
    assert client.get(download).status_code == 404


def test_a_consortium_starts_from_an_accepted_introduction(client, staff, world):
    from partners import services as partner_services
    from partners.models import Corporation, IntroductionStatus

    a, b = Corporation.objects.all()[:2]
    intro = partner_services.introduction_propose(corporations=[a, b], title="", by=staff)
    client.force_login(staff)
    url = reverse("guidance:from_introduction", args=[intro.pk])
    response = client.post(url, {"name": "新しい連携", "form": "loose"})
    assert "全員が承諾した紹介からだけ" in response.content.decode()
    partner_services.introduction_move(introduction=intro, to="contacted", by=staff)
    for party in (a, b):  # the parties answered by phone; staff record it on their behalf
        partner_services.introduction_record_answer(
            introduction=intro,
            corporation=party,
            accept=True,
            channel="phone",
            received_on=timezone.localdate(),
            by=staff,
        )
    response = client.post(url, {"name": "新しい連携", "form": "loose"})
    assert response.status_code == 302
    intro.refresh_from_db()
    consortium = intro.consortia.get()
    assert intro.status == IntroductionStatus.FORMED
    assert {m.corporation_id for m in consortium.memberships.all()} == {a.pk, b.pk}
    assert consortium.checklist_items.exists()


def test_dashboard_shows_steps_stalled_consortia_and_overdue_actions(client, staff, world):
    from guidance.models import Consortium

    services.action_create(consortium=world["ours"], title="会場を押さえる", owner="事務局",
                           due_on=timezone.localdate() - timedelta(days=3), by=staff)  # fmt: skip
    Consortium.objects.filter(pk=world["theirs"].pk).update(
        last_activity_at=timezone.now() - timedelta(days=45)
    )
    client.force_login(staff)
    html = client.get(reverse("oversight:dashboard")).content.decode()
    assert "会場を押さえる" in html
    stalled = html[html.index("動きが止まっている") : html.index("期限を過ぎたアクション")]
    assert "南信ケア連携会議" in stalled and "長野北部介護人材ネットワーク" not in stalled
    html = client.get(reverse("oversight:dashboard"), {"days": "60"}).content.decode()
    stalled = html[html.index("動きが止まっている") : html.index("期限を過ぎたアクション")]
    assert "南信ケア連携会議" not in stalled


def test_the_consortium_page_runs_a_constant_number_of_queries(
    client, staff, world, django_assert_max_num_queries
):
    ours = world["ours"]
    client.force_login(staff)
    url = reverse("guidance:detail", args=[ours.pk])
    client.get(url)
    goal = services.goal_create(consortium=ours, title="目標", by=staff)
    for n in range(5):
        kpi = services.kpi_create(goal=goal, name=f"指標{n}", unit="", baseline=Decimal(0),
                                  target=Decimal(10), due_on=None, by=staff)  # fmt: skip
        for d in range(4):
            services.measurement_add(kpi=kpi, measured_on=timezone.localdate() - timedelta(days=d),
                                     value=Decimal(d), by=staff)  # fmt: skip
        services.action_create(
            consortium=ours, title=f"アクション{n}", owner="", due_on=None, by=staff
        )
    for page in ("detail", "checklist", "kpis", "actions"):
        with django_assert_max_num_queries(18):
            assert client.get(reverse(f"guidance:{page}", args=[ours.pk])).status_code == 200
    assert ChecklistItem.objects.filter(consortium=ours).count() > 20


def test_a_managers_home_shows_their_consortium_progress_items_and_actions(client, world, staff):
    services.action_create(consortium=world["ours"], title="会場を押さえる", owner="事務局",
                           due_on=timezone.localdate() - timedelta(days=1), by=staff)  # fmt: skip
    client.force_login(world["member"])
    html = client.get(reverse("home")).content.decode()
    assert "参加している協働体" in html
    assert "長野北部介護人材ネットワーク" in html and "南信ケア連携会議" not in html
    assert 'aria-current="step">STEP1 仲間をつくる' in html
    assert "会場を押さえる" in html and "期限切れ" in html
    client.force_login(staff)
    assert "参加している協働体" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("consortia", [1, 4])
def test_a_managers_home_runs_the_same_queries_for_one_or_four_consortia(
    client, world, staff, consortia, django_assert_num_queries
):
    from guidance.models import MemberRole
    from tests.factories import CorporationFactory, UserFactory

    own = CorporationFactory()
    for n in range(consortia):
        consortium = services.consortium_create(
            values={"name": f"協働体{n + 1}号", "form": ConsortiumForm.LOOSE},
            members=[(own, MemberRole.PROMOTER)],
            by=staff,
        )
        services.action_create(consortium=consortium, title=f"作業{n + 1}", owner="",
                               due_on=None, by=staff)  # fmt: skip
    client.force_login(UserFactory(manager=True, corporation_number=own.number))
    client.get(reverse("home"))  # the first request after login records activity
    # session, user, consortia, their checklist items, their open actions, invitations
    with django_assert_num_queries(6):
        html = client.get(reverse("home")).content.decode()
    assert html.count('aria-label="協働体') == consortia
    assert all(f"作業{n + 1}" in html for n in range(consortia))


def test_staff_edit_a_template_in_the_browser_and_only_new_consortia_change(client, staff, world):
    template = ChecklistTemplate.objects.filter(stage=1, variant=Variant.BOTH).first()
    client.force_login(staff)
    data = {"stage": 1, "title": "共有する課題を一枚の紙にまとめた", "guidance": "", "variant": "both",
            "role": "all", "position": 0, "active": "on", "required": "on"}  # fmt: skip
    response = client.post(reverse("guidance:template_edit", args=[template.pk]), data)
    assert response.status_code == 302
    assert not world["ours"].checklist_items.filter(title=data["title"]).exists()
    fresh = services.consortium_create(values={"name": "次の協働体", "form": "loose"}, by=staff)
    assert fresh.checklist_items.filter(title=data["title"], required=True).exists()
    assert template.history.first().history_user == staff


def test_the_promoter_invites_a_member_and_records_one_leaving(client, world):
    # Issue 18 changed this story: adding a corporation sends an invitation, and only a
    # corporation the promoter may see in the registry (consented to matching) can be invited.
    from partners.models import Corporation
    from tests.factories import UserFactory, profile_for

    ours = world["ours"]
    newcomer = Corporation.objects.exclude(memberships__consortium=ours).first()
    profile_for(newcomer, consent=True)
    client.force_login(world["promoter"])
    url = reverse("guidance:member_invite", args=[ours.pk])
    assert client.post(url, {"number": newcomer.number, "role": "member"}).status_code == 302
    membership = ours.memberships.get(corporation=newcomer)
    assert membership.state == "invited"
    again = client.post(url, {"number": newcomer.number, "role": "member"})
    assert "すでに招待を送っています" in again.content.decode()
    services.invitation_answer(
        membership=membership,
        accept=True,
        by=UserFactory(manager=True, corporation_number=newcomer.number),
    )
    client.force_login(world["promoter"])
    again = client.post(url, {"number": newcomer.number, "role": "member"})
    assert "すでに参加しています" in again.content.decode()
    client.post(
        reverse("guidance:member_leave", args=[ours.pk, membership.pk]), {"confirmed": "yes"}
    )
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    client.force_login(world["member"])
    assert client.post(url, {"number": newcomer.number}).status_code == 403


def test_an_accepted_introduction_offers_staff_to_start_a_consortium(client, staff, world):
    from partners import services as partner_services
    from partners.models import Corporation

    a, b = Corporation.objects.all()[:2]
    intro = partner_services.introduction_propose(corporations=[a, b], title="", by=staff)
    client.force_login(staff)
    url = reverse("partners:introduction", args=[intro.pk])
    assert "この紹介から協働体を始める" not in client.get(url).content.decode()
    partner_services.introduction_move(introduction=intro, to="contacted", by=staff)
    for party in (a, b):  # the parties answered by phone; staff record it on their behalf
        partner_services.introduction_record_answer(
            introduction=intro,
            corporation=party,
            accept=True,
            channel="phone",
            received_on=timezone.localdate(),
            by=staff,
        )
    assert "この紹介から協働体を始める" in client.get(url).content.decode()
