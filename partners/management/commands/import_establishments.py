"""Import national open-data CSV files of care establishments (one file per service type).

PATHs are CSV files, folders and ZIP archives; they make one import run. Exit status: 0 with no
rejected rows, 1 with some, 2 when nothing could be imported (a named file is unusable; nothing
is written).
"""

import signal
import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.reference import PREFECTURES
from partners.services.imports import UnusableFile, establishments_import


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of は YYYY-MM-DD の日付にしてください（「{text}」）。") from None


class Command(BaseCommand):
    help = "介護サービス情報公表システムのオープンデータ（CSV・フォルダ・ZIP）を事業者台帳に取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", type=Path, metavar="PATH", help="CSVファイル・フォルダ・ZIPファイル"
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--prefecture", metavar="NAME", help="取り込む都道府県（既定: PORTAL_PREFECTURE）"
        )
        scope.add_argument("--all", action="store_true", help="すべての都道府県を取り込む")
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="データの時点（既定: ファイル名の提供日から）"
        )
        parser.add_argument(
            "--snapshot",
            action="store_true",
            help="全件データとして扱い、載っていない事業所を「最新データに掲載なし」にする",
        )
        parser.add_argument("--rejects", type=Path, help="警告と取り込めなかった行を書き出すCSV")
        parser.add_argument("--user", help="記録に残す実行者のメールアドレス")

    def handle(self, *args, paths, prefecture, all, as_of, snapshot, rejects, user, **options):
        prefecture = prefecture or settings.PORTAL_PREFECTURE
        if not all and prefecture not in PREFECTURES:
            raise CommandError(f"都道府県名「{prefecture}」が正しくありません（例: 長野県）。")
        day = _day(as_of) if as_of else None
        by = None
        if user:
            by = get_user_model().objects.filter(email__iexact=user).first()
            if by is None:
                raise CommandError(f"利用者 {user} が見つかりません。")
        signal.signal(signal.SIGTERM, _interrupt)
        shown = paths[0] if len(paths) == 1 else f"{paths[0]} ほか{len(paths) - 1}件"
        try:
            run = establishments_import(
                paths=paths,
                by=by,
                prefecture=prefecture,
                all_prefectures=all,
                as_of=day,
                snapshot=snapshot,
                rejects_path=rejects,
            )
        except UnusableFile as exc:
            self.stderr.write(f"{shown}: 取り込めません（何も書き込んでいません）: {exc}")
            sys.exit(2)
        except KeyboardInterrupt:
            self.stderr.write(
                f"{shown}: 中断しました。ここまでの行は保存されています。同じコマンドをもう一度実行すると続きを取り込みます。"
            )
            sys.exit(130)
        for source in run.sources:
            if source.get("skipped"):
                self.stderr.write(f"  読み飛ばしました: {source['name']}: {source['skipped']}")
        self.stdout.write(f"{shown}: {run.summary}")
        if run.rejected or run.warnings:
            self.stdout.write(f"  警告と取り込めなかった行: {run.rejects_file}")
        if run.created == run.updated == run.closed == run.reopened == 0 and not run.rejected:
            self.stdout.write("  変更はありませんでした（同じ内容の取り込み済みファイルです）。")
        if run.rejected:
            sys.exit(1)
