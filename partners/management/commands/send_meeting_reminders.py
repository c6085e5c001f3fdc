"""Queue today's sub-meeting reminders (the same function the daily task runs); idempotent."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.services.events import meeting_reminders


class Command(BaseCommand):
    help = "開催日が近い分科会の案内メールを送ります（同じ日に何度実行しても一度だけ）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="基準日（YYYY-MM-DD、省略時は今日）")

    def handle(self, *args, today, **options):
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError("基準日は YYYY-MM-DD の形で指定してください。") from exc
        queued = meeting_reminders(today=day)
        self.stdout.write(f"分科会の案内を{queued}件送ります。")
