"""Charts on screen (issue 16 point 7): the statistics page, a consortium's KPIs and the dashboard
draw the PDFs' charts (portal/charts.py) with an axis, values, a legend and the same figures as a
table, and no label is cut short."""

import re

import pytest
from django.urls import reverse

from portal.charts import STACKED, bar_chart

pytestmark = pytest.mark.django_db


def svg_texts(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", t)
        for svg in re.findall(r"<svg.*?</svg>", html, re.S)
        for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    ]


def test_a_stacked_chart_wraps_long_labels_and_keeps_every_value():
    label = "既存の会議体・イベント等での接点（地域の協議会や研修会で知り合った）"
    chart = bar_chart([(label, 12, 18), ("短い項目", 3, None)], unit="件", stacked=True)
    first = chart["rows"][0]
    assert "".join(line["text"] for line in first["lines"]) == label
    assert all(len(line["text"]) <= STACKED["chars"] for line in first["lines"])
    assert chart["font"] >= 15 and chart["small"] >= 13  # 11 px or more on a phone
    # Bars sit below their label and the value fits inside the drawing.
    assert first["bar_y"] > first["label_y"]
    assert all(row["label_x"] + 145 <= chart["width"] for row in chart["rows"])
    assert [t["label"] for t in chart["ticks"]][0] == "0"


def test_the_statistics_page_shows_whole_labels_values_an_axis_and_a_legend(client, report_cases):
    html = client.get(reverse("cases:stats")).content.decode()
    texts = svg_texts(html)
    assert not any("…" in t for t in texts)
    assert any("既存の会議体・イベント" in t for t in texts)
    assert "（単位：件）" in texts
    assert any(re.fullmatch(r"\d+件（報告書 \d+件）", t) for t in texts)  # values at the bars
    assert "塗りの棒：事例データの件数" in html and "枠線の棒：報告書の件数" in html
    assert html.count('<table class="card-table">') >= 5  # the same figures as tables


def test_the_kpi_page_draws_an_axis_values_a_legend_and_a_table(client, progressed, staff):
    ours = progressed["ours"]
    client.force_login(staff)
    html = client.get(reverse("guidance:kpis", args=[ours.pk])).content.decode()
    texts = svg_texts(html)
    assert "（%）" in texts  # the scale's unit
    assert "基準 20%" in texts and "目標 10%" in texts
    assert "直近 15%" in texts
    assert sum(1 for t in texts if re.fullmatch(r"\d+", t)) >= 3  # the scale's ticks
    assert "緑の破線：目標値" in html
    table = re.search(r'<details class="chart-table">.*?</details>', html, re.S).group(0)
    assert "測定値を表で見る（2回）" in table
    assert re.findall(r'<td class="num">(\d+)</td>', table) == ["20", "15"]


def test_the_dashboard_draws_its_tables_as_charts_too(client, progressed, staff):
    client.force_login(staff)
    html = client.get(reverse("oversight:dashboard")).content.decode()
    texts = svg_texts(html)
    assert "②信頼醸成・試験的連携" in "".join(texts)
    assert "（単位：件）" in texts and "（単位：％）" in texts
    assert html.count('<div class="screen-chart">') >= 3
