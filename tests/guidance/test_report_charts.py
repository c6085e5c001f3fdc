"""Charts of the consortium and prefectural reports (issue 17 point 5): a scale with its unit,
dates on the axis, the latest value labelled, whole labels, numbered figures, and /Alt text."""

import pytest

from guidance.reports import build_consortium_html
from oversight.reports import build_prefecture, current_fiscal_year
from tests.reports.helpers import figure_alts, pages, render, squeeze

pytestmark = pytest.mark.django_db


def test_the_kpi_chart_names_its_unit_dates_and_latest_value(progressed, tmp_path):  # noqa: F811
    ours = progressed["ours"]
    html = build_consortium_html(ours.pk)
    pdf = render(html, tmp_path)
    text = squeeze("".join(pages(pdf)))
    assert "直近15%" in text  # the latest value, with its unit
    assert "（%）" in text  # the unit of the scale
    assert "図1" in text and "離職率の推移（単位：%" in text
    alts = figure_alts(pdf)
    assert alts and all(alts)
    assert any("離職率の推移" in a and "15%" in a for a in alts)
    kpi = ours.goals.first().kpis.first()
    for m in kpi.measurements.all():
        assert f"{m.measured_on.month}月{m.measured_on.day}日" in text  # a date under each point


def test_the_prefectural_kpi_bars_keep_their_whole_labels(progressed, tmp_path):  # noqa: F811
    html, _xlsx, _report = build_prefecture(current_fiscal_year())
    assert "…" not in html.split("<svg", 1)[1] if "<svg" in html else True
    pdf = render(html, tmp_path)
    text = squeeze("".join(pages(pdf)))
    assert "離職率（長野北部介護人材ネットワーク）" in text
    assert "（単位：％）" in text
    alts = figure_alts(pdf)
    assert alts and all(alts)
