"""The notice centre: unread first, mark one or all read, the count in the header, a constant
number of queries, and nobody reads another person's notices."""

from django.urls import reverse

from notices.models import Delivery, Notice, NoticeKind, NoticePreference
from notices.services import notify
from tests.factories import NoticePreferenceFactory, UserFactory


def _notice(user, n: int, kind=NoticeKind.REPORT_FINISHED):
    (notice,) = notify(
        recipients=[user],
        kind=kind,
        title=f"お知らせ{n}",
        body="本文です。",
        url="/reports/",
        key=f"test:{n}",
    )
    return notice


def test_the_same_event_notifies_a_person_once(staff):
    _notice(staff, 1)
    assert (
        notify(recipients=[staff], kind=NoticeKind.REPORT_FINISHED, title="x", key="test:1") == []
    )
    assert Notice.objects.filter(recipient=staff).count() == 1


def test_the_centre_lists_unread_first_and_marks_one_read(client_for, staff):
    first, second = _notice(staff, 1), _notice(staff, 2)
    Notice.objects.filter(pk=second.pk).update(read_at=first.created_at)
    third = _notice(staff, 3)
    client = client_for(staff)
    html = client.get(reverse("notices:centre")).content.decode()
    assert html.index("お知らせ3") < html.index("お知らせ1") < html.index("お知らせ2")
    assert "（未読2件）" in html

    response = client.post(reverse("notices:mark_read", args=[third.pk]))
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.read_at is not None
    assert "（未読1件）" in client.get(reverse("notices:centre")).content.decode()


def test_marking_all_read_clears_the_header_count(client_for, staff):
    for n in range(3):
        _notice(staff, n)
    client = client_for(staff)
    assert "（未読3件）" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("notices:mark_all_read"), follow=True)
    html = response.content.decode()
    assert "3件のお知らせを既読にしました。" in html
    assert "未読" not in html.split("<main")[0]
    assert not Notice.objects.filter(recipient=staff, read_at__isnull=True).exists()


def test_htmx_marks_read_and_swaps_only_that_notice(client_for, staff):
    notice = _notice(staff, 1)
    response = client_for(staff).post(
        reverse("notices:mark_read", args=[notice.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li class="notice" id="notice-{notice.pk}">')
    assert "<html" not in html


def test_nobody_reads_or_marks_another_persons_notices(client_for, staff, manager):
    theirs = _notice(staff, 1)
    client = client_for(manager)
    assert "お知らせ1" not in client.get(reverse("notices:centre")).content.decode()
    assert client.post(reverse("notices:mark_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notices:mark_all_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_visitors_are_sent_to_the_login_page(client):
    for name in ("notices:centre", "notices:settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_centre_needs_the_same_queries_for_many_notices(
    client_for, staff, django_assert_num_queries
):
    client = client_for(staff)
    client.get(reverse("home"))  # the first request after login records activity
    _notice(staff, 0)
    # session, user, the notices, the unread count for the header
    with django_assert_num_queries(4):
        client.get(reverse("notices:centre"))
    for n in range(1, 30):
        _notice(staff, n)
    with django_assert_num_queries(4):
        html = client.get(reverse("notices:centre")).content.decode()
    assert html.count('class="notice notice--unread"') == 30


def test_the_header_count_costs_one_query_and_then_none_until_it_changes(client_for, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _notice(staff, 1)
    client = client_for(staff)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("home")).content.decode()
        assert "（未読" in html
        return sum("notices_notice" in q["sql"] for q in queries.captured_queries)

    assert count_queries() == 1
    assert count_queries() == 0  # the shared cache holds it
    _notice(staff, 2)  # a new notice drops the cached count
    assert count_queries() == 1


def test_settings_choose_how_each_kind_arrives_by_mail(client_for, manager):
    client = client_for(manager)
    html = client.get(reverse("notices:settings")).content.decode()
    assert "期限を過ぎたアクション" in html and "まとめて（毎朝）" in html
    data = dict.fromkeys(NoticeKind.values, Delivery.DIGEST)
    data[NoticeKind.ACTION_OVERDUE] = Delivery.OFF
    response = client.post(reverse("notices:settings"), data, follow=True)
    assert "お知らせの受け取り方を保存しました。" in response.content.decode()
    assert NoticePreference.objects.get(user=manager, kind=NoticeKind.ACTION_OVERDUE).delivery == (
        Delivery.OFF
    )
    other = UserFactory()
    assert not NoticePreference.objects.filter(user=other).exists()


def test_settings_refuse_an_unknown_choice(client_for, manager):
    data = dict.fromkeys(NoticeKind.values, "sometimes")
    response = client_for(manager).post(reverse("notices:settings"), data)
    assert response.status_code == 400
    assert "入力に誤りがあります" in response.content.decode()
    assert not NoticePreference.objects.exists()


def test_a_kind_turned_off_is_still_listed_but_not_mailed(
    manager, django_capture_on_commit_callbacks, mailoutbox
):
    NoticePreferenceFactory(
        user=manager, kind=NoticeKind.CONSORTIUM_INVITATION, delivery=Delivery.OFF
    )
    with django_capture_on_commit_callbacks() as callbacks:
        (notice,) = notify(
            recipients=[manager],
            kind=NoticeKind.CONSORTIUM_INVITATION,
            title="協働体への招待",
            key="test:off",
        )
    assert notice.delivery == Delivery.OFF
    assert len(callbacks) == 1  # the header count is refreshed; no mail is queued
