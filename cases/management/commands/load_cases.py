"""Load (or refresh) the report's 29 cases from fixtures/cases/; safe to run again."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cases.services import FIXTURE_DIR, cases_load_report


class Command(BaseCommand):
    help = "調査研究報告書の事例（fixtures/cases/*.json）を読み込みます。何度実行しても同じ結果になります。"

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=FIXTURE_DIR, help="事例データのフォルダ")

    def handle(self, *args, path, **options):
        counts = cases_load_report(folder=path)
        self.stdout.write(
            f"事例: 新規 {counts['created']}件、更新 {counts['updated']}件、変更なし {counts['unchanged']}件"
        )
