"""A visitor on a phone (390 px) finds the first case on the first screens, filters through a folded
panel and removes a filter by its chip; on a desk the panel stays open beside the list. The pages
with charts pass axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations
from tests.e2e.test_login_journeys import log_in

pytestmark = pytest.mark.e2e


def test_a_phone_shows_the_first_case_early_and_filters_fold_into_a_panel_with_chips(
    page, live_server, demo_users, console_errors
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/cases/")
    first = page.locator(".case-card").first
    assert first.bounding_box()["y"] < 2 * 844  # within the first two screens
    panel = page.locator("details.facets-panel")
    expect(panel.get_by_role("checkbox").first).to_be_hidden()
    panel.locator("summary").click()
    page.get_by_role("checkbox", name=re.compile("災害時支援")).check()
    expect(page).to_have_url(re.compile(r"operation=disaster"))
    chip = page.get_by_role("link", name=re.compile("協働内容：災害時支援"))
    expect(chip).to_be_visible()
    expect(page.locator("details.facets-panel summary")).to_contain_text("1件を選択中")
    chip.click()
    expect(page).not_to_have_url(re.compile(r"operation=disaster"))
    expect(page.locator(".chip")).to_have_count(0)
    assert console_errors == []


def test_on_a_desk_the_filters_stay_open_beside_the_list(page, live_server, demo_users):
    page.goto(f"{live_server.url}/cases/?operation=disaster")
    expect(page.get_by_role("checkbox", name=re.compile("災害時支援"))).to_be_visible()
    expect(page.locator("details.facets-panel summary")).to_be_hidden()
    assert axe_violations(page) == []


def test_the_pages_with_charts_pass_axe(page, live_server, demo_users):
    page.goto(f"{live_server.url}/cases/stats/")
    expect(page.locator(".screen-chart svg").first).to_be_visible()
    assert axe_violations(page) == []
    log_in(page, live_server, "kencho@example.jp", "kencho-demo-2026")
    page.goto(f"{live_server.url}/dashboard/")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/consortia/")
    page.locator("table a").first.click()
    page.get_by_role("link", name="目標とKPI").first.click()
    assert axe_violations(page) == []
