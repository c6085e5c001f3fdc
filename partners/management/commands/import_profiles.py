"""Import the window's survey of providers' intentions (CSV or XLSX).

Columns: 法人番号, 課題, 関心テーマ, マッチング同意, 担当者, 連絡先 (several values separated by ; or 、).
Exit status: 0 with no rejected rows, 1 with some, 2 when the file is unusable (nothing written).
"""

import signal
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.services.imports import UnusableFile, profiles_import


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "事業者の意向調査（CSV・XLSX）を事業者プロフィールに取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, metavar="PATH", help="CSVまたはXLSXファイル")
        parser.add_argument("--rejects", type=Path, help="取り込めなかった行を書き出すCSV")
        parser.add_argument("--user", help="記録に残す実行者のメールアドレス")

    def handle(self, *args, path, rejects, user, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(email__iexact=user).first()
            if by is None:
                raise CommandError(f"利用者 {user} が見つかりません。")
        # SIGTERM (docker stop, systemd) ends the run like Ctrl-C: recorded as interrupted.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            run = profiles_import(path=path, by=by, rejects_path=rejects)
        except UnusableFile as exc:
            self.stderr.write(f"{path}: 取り込めません（何も書き込んでいません）: {exc}")
            sys.exit(2)
        except KeyboardInterrupt:
            self.stderr.write(
                f"{path}: 中断しました。ここまでの行は保存されています。同じコマンドをもう一度実行すると続きを取り込みます。"
            )
            sys.exit(130)
        self.stdout.write(f"{path}: {run.summary}")
        if run.rejected:
            self.stdout.write(f"  取り込めなかった行: {run.rejects_file}")
            sys.exit(1)
