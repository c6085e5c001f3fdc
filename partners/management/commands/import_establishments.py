"""Import national open-data CSV files of care establishments (one file per service type).

Exit status: 0 with no rejected rows, 1 with some, 2 when a file is unusable (nothing written).
"""

import signal
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.services.imports import UnusableFile, establishments_import


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "介護サービス情報公表システムのオープンデータ（CSV）を事業者台帳に取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="CSVファイル")
        parser.add_argument(
            "--rejects", type=Path, help="取り込めなかった行を書き出すCSV（1ファイルのとき）"
        )
        parser.add_argument("--user", help="記録に残す実行者のメールアドレス")

    def handle(self, *args, paths, rejects, user, **options):
        if rejects and len(paths) > 1:
            raise CommandError("--rejects は1つのファイルを取り込むときだけ指定できます。")
        by = None
        if user:
            by = get_user_model().objects.filter(email__iexact=user).first()
            if by is None:
                raise CommandError(f"利用者 {user} が見つかりません。")
        signal.signal(signal.SIGTERM, _interrupt)
        status = 0
        for path in paths:
            try:
                run = establishments_import(path=path, by=by, rejects_path=rejects)
            except UnusableFile as exc:
                self.stderr.write(f"{path}: 取り込めません（何も書き込んでいません）: {exc}")
                status = 2
                continue
            except KeyboardInterrupt:
                self.stderr.write(
                    f"{path}: 中断しました。ここまでの行は保存されています。同じコマンドをもう一度実行すると続きを取り込みます。"
                )
                sys.exit(130)
            self.stdout.write(f"{path}: {run.summary}")
            if run.rejected:
                self.stdout.write(f"  取り込めなかった行: {run.rejects_file}")
                status = max(status, 1)
            if run.created == run.updated == 0 and not run.rejected:
                self.stdout.write(
                    "  変更はありませんでした（同じ内容の取り込み済みファイルです）。"
                )
        if status:
            sys.exit(status)
