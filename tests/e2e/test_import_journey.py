"""Staff upload a whole national snapshot as one ZIP and watch one run import it: a progress bar
for the run and one per file, the window's prefecture only, every count in Japanese."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from partners.models import ImportRun
from partners.synthetic import generate
from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

STAFF = ("madoguchi@example.jp", "madoguchi-demo-2026")


def test_staff_upload_a_snapshot_zip_and_watch_one_run_with_a_progress_bar_per_file(
    page, live_server, demo_users, redis_broker, start_worker, tmp_path, screenshot
):
    files = generate(
        1500, tmp_path / "opendata", national=True, dirty=0.02, encoding="cp932", seed=11
    )
    archive = tmp_path / "jigyosho_all_20260715103000.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            bundle.write(path, f"2026/{path.stem}_all_20260715103000.csv")
        bundle.writestr("2026/利用規約.txt", "公共データ利用規約")
    log_in(page, live_server, *STAFF)

    page.goto(f"{live_server.url}/partners/imports/")
    page.get_by_label("オープンデータのファイル").set_input_files(str(archive))
    # A ZIP is a whole snapshot unless staff say otherwise; the data date comes from the names.
    expect(page.get_by_label("ZIPファイルのときだけ全件データとして扱う")).to_be_checked()
    page.get_by_role("button", name="取り込みを始める").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(archive.name)
    # No worker yet: the run waits, with its progress bar at the start.
    progress = page.locator("#progress")
    expect(progress).to_contain_text("順番待ち")
    expect(progress.get_by_role("progressbar", name="取り込みの進み具合")).to_be_visible()
    assert axe_violations(page) == [], page.url

    start_worker(redis_broker)
    expect(progress).to_contain_text("完了", timeout=90_000)
    run = ImportRun.objects.get(file_name=archive.name)
    assert run.status == "done" and run.snapshot and run.prefecture == "長野県"
    assert run.skipped > 0 and run.created > 0
    # Every count in Japanese, none in English.
    for label in ("新規", "更新", "変更なし", "取り込めなかった行", "対象外の都道府県の行",
                  "最新データに掲載なしとした事業所", "再び掲載された事業所"):  # fmt: skip
        expect(progress.get_by_text(label, exact=True)).to_be_visible()
    expect(progress.locator("dd").nth(5)).to_have_text(str(run.skipped))
    assert "created" not in progress.inner_text()
    # One row and one bar per CSV of the archive; the other member is reported as skipped.
    table = progress.get_by_role("table", name="ファイルごとの進み具合")
    expect(table.get_by_role("progressbar")).to_have_count(len(files))
    expect(table).to_contain_text(re.compile("読み飛ばしました：CSVファイルではありません"))
    expect(page.get_by_text("2026年6月30日")).to_be_visible()  # the data date proposed
    assert axe_violations(page) == [], page.url
    screenshot("import-snapshot-done")
