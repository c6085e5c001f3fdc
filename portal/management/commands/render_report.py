"""Render a report from the command line through the same job service and task as the web page.

manage.py render_report casebook --out casebook.pdf [--filter form=loose --filter prefecture=長野県]
manage.py render_report consortium 3 --out consortium.pdf
manage.py render_report prefecture --fiscal-year 2026 --out prefecture.pdf   (+ prefecture.xlsx)
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from portal import jobs, services
from portal.models import JobStatus, ReportJob

REPORTS = ("casebook", "consortium", "prefecture")


class Command(BaseCommand):
    help = "レポート（PDF）を作成してファイルに書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("report", choices=REPORTS, help="casebook、consortium、prefecture")
        parser.add_argument("id", nargs="?", help="consortium のときの協働体の番号")
        parser.add_argument("--fiscal-year", dest="fiscal_year", help="prefecture の年度（西暦）")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="casebook の条件（事例ライブラリと同じ、例 form=loose、prefecture=長野県）",
        )
        parser.add_argument("--out", required=True, help="書き出すPDFのパス")

    def handle(self, *args, report, id, fiscal_year, filter, out, **options):
        target = Path(out)
        if not target.parent.exists():
            raise CommandError(f"書き出し先のフォルダがありません：{target.parent}")
        if target.is_dir():
            raise CommandError(
                f"--out にはフォルダではなくファイルのパスを指定してください：{target}"
            )
        data = QueryDict(mutable=True)
        if report == "consortium":
            if not id:
                raise CommandError(
                    "consortium には協働体の番号を指定してください（例：render_report consortium 3 --out a.pdf）。"
                )
            data["consortium"] = id
        elif id:
            raise CommandError(f"{report} には番号を指定できません：{id}")
        if fiscal_year is not None:
            if report != "prefecture":
                raise CommandError("--fiscal-year は prefecture にだけ指定できます。")
            data["fiscal_year"] = fiscal_year
        if filter and report != "casebook":
            raise CommandError("--filter は casebook にだけ指定できます。")
        for item in filter:
            key, sep, value = item.partition("=")
            if not sep or not key or not value:
                raise CommandError(f"--filter は KEY=VALUE の形で指定してください：{item}")
            data.appendlist(key.strip(), value.strip())
        kind = jobs.get_kind(report)
        try:
            params = kind.params_from(data)
        except jobs.JobError as exc:
            raise CommandError(str(exc)) from None

        from portal.tasks import run_report_job

        job = services.job_request(kind=report, params=params, by=None, enqueue=False)
        run_report_job.apply(args=[job.pk])  # the task itself, run in this process
        job = ReportJob.objects.get(pk=job.pk)
        if job.status != JobStatus.DONE:
            raise CommandError(f"作成できませんでした：{job.error or job.get_status_display()}")
        with job.file.open("rb") as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        written = [str(target)]
        if job.attachment:
            companion = target.with_suffix(".xlsx")
            with job.attachment.open("rb") as source, companion.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            written.append(str(companion))
        reused = "（同じ内容の作成済みファイルを再利用）" if job.reused else ""
        self.stdout.write(
            f"{'、'.join(written)} に書き出しました{reused}（ジョブ番号 {job.pk}、{job.size:,}バイト）"
        )
