"""Delete closed consultations older than the retention period (CONSULTATION_RETENTION_DAYS)."""

from django.core.management.base import BaseCommand

from desk.services import consultations_purge


class Command(BaseCommand):
    help = "完了してから保存期間（CONSULTATION_RETENTION_DAYS）を過ぎた相談を、履歴も含めて消去します。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="消去せず、対象の件数だけを表示します。"
        )

    def handle(self, *args, dry_run: bool = False, **options):
        summary = consultations_purge(dry_run=dry_run)
        verb = "消去の対象" if dry_run else "消去"
        self.stdout.write(
            f"{verb}：完了後{summary['retention_days']}日を過ぎた相談 {summary['consultations']}件"
        )
