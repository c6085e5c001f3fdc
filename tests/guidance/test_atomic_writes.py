"""Each workflow write names who made it on its history row, and the write and the consortium's
"last activity" commit together: if anything fails after the write, neither is kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from guidance import services
from guidance.models import Action, Consortium, ExpertKind, Goal, Kpi, Measurement, ReferralStatus

LONG_AGO = timezone.now() - timedelta(days=30)


@pytest.fixture
def ours(world):
    consortium = world["ours"]
    Consortium.objects.filter(pk=consortium.pk).update(last_activity_at=LONG_AGO)
    return consortium


def last_activity(consortium):
    return Consortium.objects.values_list("last_activity_at", flat=True).get(pk=consortium.pk)


@pytest.fixture
def broken_touch(monkeypatch):
    """The touch runs, then something fails before the transaction ends."""
    real = services._touch

    def touch_then_fail(consortium):
        real(consortium)
        raise RuntimeError("after the write")

    def arm():
        monkeypatch.setattr(services, "_touch", touch_then_fail)

    return arm


def make_goal(ours, staff):
    goal = services.goal_create(consortium=ours, title="離職を減らす", by=staff)
    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    return goal


def make_kpi(ours, staff):
    kpi = services.kpi_create(
        goal=make_goal(ours, staff), name="離職者数", unit="人", baseline=Decimal(10),
        target=Decimal(5), due_on=None, by=staff,
    )  # fmt: skip
    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    return kpi


def make_action(ours, staff):
    action = services.action_create(
        consortium=ours, title="会場を押さえる", owner="事務局", due_on=None, by=staff
    )
    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    return action


def test_a_new_goal_names_its_author_and_touches_the_consortium(ours, staff, broken_touch):
    goal = services.goal_create(consortium=ours, title="離職を減らす", by=staff)
    assert goal.history.latest().history_user == staff
    assert last_activity(ours) > LONG_AGO

    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    broken_touch()
    with pytest.raises(RuntimeError):
        services.goal_create(consortium=ours, title="採用を増やす", by=staff)
    assert not Goal.objects.filter(title="採用を増やす").exists()
    assert last_activity(ours) == LONG_AGO


def test_a_new_kpi_names_its_author_and_commits_with_the_touch(ours, staff, broken_touch):
    goal = make_goal(ours, staff)
    kpi = services.kpi_create(goal=goal, name="離職者数", unit="人", baseline=Decimal(10),
                              target=Decimal(5), due_on=None, by=staff)  # fmt: skip
    assert kpi.history.latest().history_user == staff
    assert last_activity(ours) > LONG_AGO

    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    broken_touch()
    with pytest.raises(RuntimeError):
        services.kpi_create(goal=goal, name="採用者数", unit="人", baseline=Decimal(1),
                            target=Decimal(5), due_on=None, by=staff)  # fmt: skip
    assert not Kpi.objects.filter(name="採用者数").exists()
    assert last_activity(ours) == LONG_AGO


def test_a_measurement_names_who_recorded_it_and_commits_with_the_touch(ours, staff, broken_touch):
    kpi = make_kpi(ours, staff)
    today = timezone.localdate()
    measurement = services.measurement_add(kpi=kpi, measured_on=today, value=Decimal(8), by=staff)
    assert measurement.history.latest().history_user == staff
    assert last_activity(ours) > LONG_AGO

    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    broken_touch()
    with pytest.raises(RuntimeError):
        services.measurement_add(
            kpi=kpi, measured_on=today - timedelta(days=1), value=Decimal(9), by=staff
        )
    assert Measurement.objects.filter(kpi=kpi).count() == 1
    assert last_activity(ours) == LONG_AGO


def test_completing_an_action_names_who_did_it_and_commits_with_the_touch(
    ours, staff, broken_touch
):
    action = make_action(ours, staff)
    services.action_complete(action=action, by=staff)
    assert action.history.latest().history_user == staff
    assert last_activity(ours) > LONG_AGO

    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    broken_touch()
    with pytest.raises(RuntimeError):
        services.action_complete(action=action, by=staff, done=False)
    assert Action.objects.get(pk=action.pk).done_at is not None
    assert last_activity(ours) == LONG_AGO


def test_moving_a_referral_names_who_moved_it_and_commits_with_the_touch(ours, staff, broken_touch):
    referral = services.referral_request(
        consortium=ours, kind=ExpertKind.objects.first(), request="規程づくりを相談したい", by=staff
    )
    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    services.referral_move(referral=referral, to=ReferralStatus.ARRANGED, by=staff)
    assert referral.history.latest().history_user == staff
    assert last_activity(ours) > LONG_AGO

    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    broken_touch()
    with pytest.raises(RuntimeError):
        services.referral_move(referral=referral, to=ReferralStatus.DONE, by=staff)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ARRANGED
    assert last_activity(ours) == LONG_AGO


def test_a_member_leaving_names_who_recorded_it_and_commits_with_the_touch(
    ours, staff, broken_touch
):
    first, second = ours.memberships.all()[:2]
    services.member_leave(membership=first, by=staff)
    assert first.history.latest().history_user == staff
    assert last_activity(ours) > LONG_AGO

    Consortium.objects.filter(pk=ours.pk).update(last_activity_at=LONG_AGO)
    broken_touch()
    with pytest.raises(RuntimeError):
        services.member_leave(membership=second, by=staff)
    second.refresh_from_db()
    assert second.left_on is None
    assert last_activity(ours) == LONG_AGO
