"""Export the case library as JSON, CSV or XLSX, to a file or standard output."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.exports import RENDERERS, export_queryset
from cases.models import Case


class Command(BaseCommand):
    help = (
        "事例をJSON・CSV・XLSXで書き出します（--out がなければ標準出力）。公開中の事例が対象です。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(RENDERERS), default="json", help="形式")
        parser.add_argument("--out", type=Path, help="書き出すファイル")
        parser.add_argument("--include-drafts", action="store_true", help="下書きの事例も含める")

    def handle(self, *args, format, out, include_drafts, **options):
        cases = Case.objects.all() if include_drafts else Case.objects.published()
        content = RENDERERS[format][0](export_queryset(cases))
        if out is None:
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream = getattr(stream, "buffer", None)
            if stream is None:
                raise CommandError(
                    "標準出力にバイナリを書けません。--out でファイルを指定してください。"
                )
            stream.write(content)
            stream.flush()
            return
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{out} に書き出せませんでした: {exc.strerror}") from exc
        self.stderr.write(f"{out} に{cases.count()}件を書き出しました。")
