"""A journey per role (staff, manager, official, a visitor) through the main pages, reading what
Chromium shows: not one English word and not one half-width colon in Japanese text."""

import re

import pytest

from tests.japanese_checks import english_left, half_width_colons

pytestmark = pytest.mark.e2e

ROLES = {
    "staff": ("madoguchi@example.jp", "madoguchi-demo-2026"),
    "manager": ("jigyosha@example.jp", "jigyosha-demo-2026"),
    "official": ("kencho@example.jp", "kencho-demo-2026"),
}

# Beyond the main menu, the first link to one page of each kind a person opens from there.
DETAIL_LINKS = {
    "staff": [r"/cases/\d+/$", r"/partners/c/\d+/$", r"/consortia/\d+/$", r"/consultations/\d+/$"],
    "manager": [r"/cases/\d+/$", r"/partners/c/\d+/$", r"/consortia/\d+/$"],
    "official": [r"/cases/\d+/$", r"/consortia/\d+/$"],
    "visitor": [r"/cases/\d+/$", r"/programmes/[\w-]+/$"],
}


def problems_on(page) -> list[str]:
    """What the page shows (its rendered text, not attributes) that is not Japanese."""
    text = page.locator("body").inner_text()
    found = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        found += [f"英語「{w}」: {line[:80]}" for w in english_left(line)]
        found += [f"半角コロン「{c}」: {line[:80]}" for c in half_width_colons(line)]
    return found


def links_of(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/")]


@pytest.mark.parametrize("role", [*sorted(ROLES), "visitor"])
def test_every_page_of_the_journey_reads_in_japanese(page, live_server, demo_users, role):
    if role == "visitor":
        page.goto(f"{live_server.url}/")
    else:
        email, password = ROLES[role]
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("メールアドレス").fill(email)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        page.get_by_role("heading", level=1).filter(has_text="さんのホーム").wait_for()
    menu = links_of(page, "nav a") or ["/"]
    visited, problems = [], {}
    for path in dict.fromkeys(menu):
        page.goto(f"{live_server.url}{path}")
        visited.append(path)
        if found := problems_on(page):
            problems[path] = found
        for pattern in DETAIL_LINKS[role]:
            if any(re.search(pattern, seen) for seen in visited):
                continue
            target = next((h for h in links_of(page, "main a") if re.search(pattern, h)), None)
            if target:
                page.goto(f"{live_server.url}{target}")
                visited.append(target)
                if found := problems_on(page):
                    problems[target] = found
                page.goto(f"{live_server.url}{path}")
    assert len(visited) >= 4, visited
    assert problems == {}, "\n".join(f"{p}: {f}" for p, f in problems.items())
