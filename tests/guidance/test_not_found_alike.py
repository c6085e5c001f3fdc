"""An object one may not see answers exactly as one that does not exist: a manager walking the
pages of another consortium, its checklist item, its evidence and another introduction learns
nothing from the answer, not even that the object is there."""

import re

import pytest
from django.urls import reverse

from partners import services as partner_services
from tests.factories import CorporationFactory

pytestmark = pytest.mark.django_db

MISSING = 999_999


def body(response) -> str:
    return re.sub(r'value="[^"]+"|"X-CSRFToken": "[^"]+"', "", response.content.decode())


def test_another_consortium_answers_as_a_missing_one(client, world):
    theirs = world["theirs"]
    item = theirs.checklist_items.first()
    client.force_login(world["promoter"])
    for name in ("detail", "checklist", "kpis", "actions", "members", "advance", "help"):
        hidden = client.get(reverse(f"guidance:{name}", args=[theirs.pk]))
        missing = client.get(reverse(f"guidance:{name}", args=[MISSING]))
        assert hidden.status_code == missing.status_code == 404, name
        assert body(hidden) == body(missing), name
    hidden = client.get(reverse("guidance:item", args=[theirs.pk, item.pk]))
    missing = client.get(reverse("guidance:item", args=[MISSING, item.pk]))
    assert hidden.status_code == missing.status_code == 404
    evidence = client.get(reverse("guidance:evidence", args=[theirs.pk, item.pk]))
    assert evidence.status_code == 404


def test_another_introduction_answers_as_a_missing_one(client, world, staff):
    others = [CorporationFactory(), CorporationFactory()]
    intro = partner_services.introduction_propose(corporations=others, title="", by=staff)
    client.force_login(world["promoter"])
    hidden = client.get(reverse("partners:introduction", args=[intro.pk]))
    missing = client.get(reverse("partners:introduction", args=[MISSING]))
    assert hidden.status_code == missing.status_code == 404
    assert "この画面を見る権限がありません" not in body(hidden)
