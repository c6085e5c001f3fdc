"""Errors people can act on in the consortium forms: a summary at the top with links to the
fields, and a measurement's errors next to the KPI it was typed for, naming the field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guidance import services

pytestmark = pytest.mark.django_db


def two_kpis(world, staff):
    goal = services.goal_create(consortium=world["ours"], title="採用を増やす", by=staff)
    first = services.kpi_create(goal=goal, name="採用者数", unit="人", baseline=Decimal(2),
                                target=Decimal(12), due_on=None, by=staff)  # fmt: skip
    second = services.kpi_create(goal=goal, name="定着率", unit="%", baseline=Decimal(70),
                                 target=Decimal(90), due_on=None, by=staff)  # fmt: skip
    return first, second


def test_an_empty_measurement_shows_its_errors_next_to_its_own_kpi(client, world, staff):
    first, second = two_kpis(world, staff)
    client.force_login(world["member"])
    response = client.post(
        reverse("guidance:measurement_add", args=[world["ours"].pk]),
        {"kpi": first.pk, "measured_on": "", "value": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    first_kpi = html[html.index("<h3>採用者数") : html.index("<h3>定着率")]
    second_kpi = html[html.index("<h3>定着率") :]
    assert "測定日：この項目は必須です。" in first_kpi
    assert "値：この項目は必須です。" in first_kpi
    assert "この項目は必須です。" not in second_kpi
    assert "このフィールド" not in html


def test_the_kpi_form_lists_its_errors_at_the_top_with_links(client, world, staff):
    two_kpis(world, staff)
    client.force_login(staff)
    response = client.post(
        reverse("guidance:kpi_add", args=[world["ours"].pk]), {"name": "", "baseline": "1"}
    )
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert '<a href="#id_name">指標</a>：この項目は必須です。' in html
    assert '<a href="#id_target">目標値</a>：この項目は必須です。' in html


def test_the_consortium_form_lists_its_errors_at_the_top(client, staff):
    client.force_login(staff)
    html = client.post(reverse("guidance:create"), {"name": ""}).content.decode()
    assert "入力内容を確認してください" in html
    assert '<a href="#id_name">' in html
