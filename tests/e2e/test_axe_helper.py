"""The accessibility check every journey leans on still finds what it must, run after run."""

from tests.e2e.conftest import axe_violations

FLAWED = (
    '<html lang="ja"><head><title>確認</title></head><body><main><h1>確認</h1>'
    '<p style="color:#ccc;background:#fff">薄い文字</p><img src="/x.png"><button></button>'
    "</main></body></html>"
)


def test_axe_reports_serious_and_critical_violations_on_each_run_of_the_same_page(page):
    page.set_content(FLAWED)
    first = axe_violations(page)
    assert {v["id"] for v in first} == {"button-name", "color-contrast", "image-alt"}
    assert {v["impact"] for v in first} == {"serious", "critical"}
    assert next(v for v in first if v["id"] == "image-alt")["nodes"] == ["img"]
    # The second run reuses the injected axe, and sees the page as it is now.
    page.evaluate("() => document.querySelector('img').setAttribute('alt', '地図')")
    assert {v["id"] for v in axe_violations(page)} == {"button-name", "color-contrast"}
