"""Wait until the database and the broker answer; used by containers before they start."""

import time

from django.core.management.base import BaseCommand, CommandError

from portal.selectors import health_status


class Command(BaseCommand):
    help = "データベースとメッセージブローカーに接続できるまで待ちます。"

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=int, default=60, help="待つ最大秒数")

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + timeout
        while True:
            status = health_status()
            if status["status"] == "ok":
                self.stdout.write("データベースとブローカーに接続できました。")
                return
            if time.monotonic() > deadline:
                raise CommandError(f"{timeout}秒待っても接続できませんでした: {status}")
            time.sleep(1)
