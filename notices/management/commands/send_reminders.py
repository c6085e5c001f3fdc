"""Run the morning scan now: the same task function Celery beat runs at 08:00 (Asia/Tokyo)."""

from django.core.management.base import BaseCommand

from notices.tasks import send_reminders


class Command(BaseCommand):
    help = "期限・回答待ち・止まっている協働体などを確かめ、お知らせとまとめメールを送ります。"

    def handle(self, *args, **options):
        outcome = send_reminders()
        for name, count in outcome.items():
            self.stdout.write(f"{name}: {count}")
