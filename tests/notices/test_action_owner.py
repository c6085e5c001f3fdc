"""An action gets an owner chosen among the consortium's people (the members' managers, the
staff owner); the free-text name stays for someone without an account."""

from django.urls import reverse

from guidance.models import Action
from tests.factories import CorporationFactory, UserFactory


def test_a_lead_picks_the_owner_among_the_consortiums_people(client_for, circle, staff):
    consortium = circle["consortium"]
    outsider = UserFactory(manager=True, corporation_number=CorporationFactory().number)
    client = client_for(circle["promoter"])
    html = client.get(reverse("guidance:actions", args=[consortium.pk])).content.decode()
    for person in (circle["promoter"], circle["member"], staff):
        assert f'<option value="{person.pk}">{person.full_name}</option>' in html
    assert f'value="{outsider.pk}"' not in html

    response = client.post(
        reverse("guidance:action_add", args=[consortium.pk]),
        {"title": "研修計画をまとめる", "owner_user": circle["member"].pk, "due_on": "2026-07-01"},
    )
    assert response.status_code == 302
    action = Action.objects.get(title="研修計画をまとめる")
    assert action.owner_user == circle["member"]
    html = client.get(reverse("guidance:actions", args=[consortium.pk])).content.decode()
    assert "参加 花子</td>" in html


def test_someone_outside_the_consortium_cannot_own_its_action(client_for, circle):
    outsider = UserFactory(manager=True, corporation_number=CorporationFactory().number)
    response = client_for(circle["promoter"]).post(
        reverse("guidance:action_add", args=[circle["consortium"].pk]),
        {"title": "見学会の準備", "owner_user": outsider.pk},
    )
    assert response.status_code == 400
    assert "担当者は協働体の関係者から選んでください。" in response.content.decode()
    assert not Action.objects.filter(title="見学会の準備").exists()


def test_a_name_in_free_text_still_works(client_for, circle):
    client_for(circle["promoter"]).post(
        reverse("guidance:action_add", args=[circle["consortium"].pk]),
        {"title": "会場の下見", "owner": "外部講師の山田さん"},
    )
    action = Action.objects.get(title="会場の下見")
    assert action.owner == "外部講師の山田さん" and action.owner_user is None
