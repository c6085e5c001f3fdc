"""Every page, as every role, at a phone's width (390 px) and a desk's (1280 px): no page scrolls
sideways, no table is cut off inside a scrolling box, no table cell wraps one character per line.

Each role walks the portal from its home page, following the links it is shown (one page per
URL pattern, so 3,000 establishments count once). `make screenshots` (PORTAL_SCREENSHOTS=1) also
leaves a full-page screenshot of each page at both widths in var/screenshots/pages/; `make test`
checks the same pages without them (a quarter of the walk's time went into the images).
"""

import os
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import SCREENSHOTS, axe_violations
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)
ACCOUNTS = {
    "staff": ("madoguchi@example.jp", "madoguchi-demo-2026"),
    "manager": ("jigyosha@example.jp", "jigyosha-demo-2026"),
    "official": ("kencho@example.jp", "kencho-demo-2026"),
    "anonymous": None,
}
# Pages no link of the home page leads to, or only through a form.
EXTRA_PAGES = ("/cases/compare/?n=3&n=19", "/cases/like-mine/", "/consult/", "/accounts/login/")
# Files and the admin are not pages of the portal.
SKIP = re.compile(
    r"^/(admin|static|media)/|\.(csv|xlsx|json|pdf|ics|txt|svg|png)$|/(export|download|file)[/.]"
)
MAX_PAGES = 120
# Two animation frames: the resize has been laid out and painted once.
REFLOWED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
TAKE_SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS") == "1"

# What the test measures in the page; every entry is a problem a person would see.
MEASURE = """() => {
  const width = window.innerWidth;
  const problems = [];
  const describe = (el) => {
    const cls = el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}「${text}」`;
  };
  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > width) {
    // The innermost elements that reach past the right edge say what to fix.
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1 && getComputedStyle(el).position !== 'absolute';
    });
    const innermost = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    problems.push(`ページが横にはみ出す（${scrollWidth}px）：` + innermost.slice(0, 3).map(describe).join('、'));
  }
  for (const el of document.querySelectorAll('main *')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.tagName === 'TEXTAREA') continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.querySelector('table')) {
      problems.push(`表が切れて横スクロールになる：${describe(el)}`);
    }
  }
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.offsetParent) continue;
    const hidden = cell.closest('thead, .visually-hidden');
    if (hidden && hidden.getBoundingClientRect().width <= 1) continue;  // for screen readers only
    // What the eye reads: words for screen readers only (.visually-hidden) take no room.
    const seen = cell.cloneNode(true);
    seen.querySelectorAll('.visually-hidden').forEach((n) => n.remove());
    const text = (seen.textContent || '').trim();
    if (text.length < 3) continue;
    const style = getComputedStyle(cell);
    const size = parseFloat(style.fontSize);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const line = parseFloat(style.lineHeight) || size * 1.5;
    if (inner < 2 * size && cell.getBoundingClientRect().height > 2.5 * line) {
      problems.push(`表のセルが縦書きのようになる：${describe(cell)}（幅${Math.round(inner)}px）`);
    }
  }
  for (const text of document.querySelectorAll('main svg text')) {
    const box = text.getBoundingClientRect();
    if (box.width === 0 || !text.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(text).fontSize);
    const svg = text.ownerSVGElement;
    const scale = svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
    if (size * scale < 10.5) {
      problems.push(`図の文字が小さすぎる（${(size * scale).toFixed(1)}px）：${describe(text)}`);
      break;
    }
  }
  return problems;
}"""


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk(page, origin: str, start: list[str]):
    """Yield (pattern, path) for each page reached, one path per URL pattern."""
    seen: set[str] = set()
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        pattern = _pattern(urlsplit(path).path)
        if pattern is None or pattern in seen or pattern == "logout":
            continue
        try:
            response = page.goto(origin + path)
        except PlaywrightError:  # a download starts instead of a page
            seen.add(pattern)
            continue
        seen.add(pattern)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 400:
            yield pattern, path, [f"{response.status} で開けない"]
            continue
        queue.extend(_links(page, origin))
        yield pattern, path, None


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_fits_a_phone_and_a_desk_without_overflow_or_vertical_text(
    page, live_server, demo_users, role
):
    folder = SCREENSHOTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    if ACCOUNTS[role]:
        log_in(page, live_server, *ACCOUNTS[role])
    problems: list[str] = []
    visited = 0
    for pattern, path, failed in walk(page, live_server.url, ["/", *EXTRA_PAGES]):
        if failed:
            problems.extend(f"{path}：{p}" for p in failed)
            continue
        visited += 1
        name = pattern.replace(":", "-")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.evaluate(REFLOWED)  # the layout after the resize
            problems.extend(f"{path}（{width}px）：{p}" for p in page.evaluate(MEASURE))
            problems.extend(
                f"{path}（{width}px）：axe {v['id']}（{v['impact']}）：{v['help']} {v['nodes']}"
                for v in axe_violations(page)
            )
            if TAKE_SCREENSHOTS:
                page.screenshot(path=str(folder / f"{role}-{width}-{name}.png"), full_page=True)
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    (folder / f"{role}-problems.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert visited >= 5, f"{role} reached only {visited} pages"
    assert problems == [], "\n".join(problems)
