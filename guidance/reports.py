"""The workflow's PDF report: one consortium's progress report (the prefecture's report, which reads
several apps, lives in oversight/)."""

from django.utils import timezone

from guidance.models import (
    ActionStatus,
    Consortium,
    Stage,
)
from guidance.selectors import consortium_page
from portal import jobs
from portal.params import parse_id
from portal.pdf import html_to_pdf, render_report_html
from portal.taxonomy import STAGE_MARKS, STAGES, STEPS


# --- One consortium ---------------------------------------------------------------------------------
def _consortium_pk(params: dict) -> int | None:
    value = params.get("consortium")
    return parse_id(str(value)) if isinstance(value, int | str) else None


def _consortium_of(params: dict) -> Consortium | None:
    pk = _consortium_pk(params)
    return Consortium.objects.filter(pk=pk).first() if pk else None


def may_download_consortium(user, job) -> bool:
    pk = _consortium_pk(job.params)
    return pk is not None and Consortium.objects.visible_to(user).filter(pk=pk).exists()


def describe_consortium(params: dict) -> str:
    """The job's title when it is requested, before anyone checked that the requester may see the
    consortium: its number only. The render, which does check, sets the name (Draft.title)."""
    pk = _consortium_pk(params)
    return f"協働体（番号 {pk}）" if pk else "（削除された協働体）"


def build_consortium_html(pk: int) -> str:
    page = consortium_page(pk=pk)
    if page is None:
        raise jobs.JobError("この協働体は見つかりませんでした（削除された可能性があります）。")
    moves = sorted(page.moves, key=lambda m: m.at)
    first_stage = moves[0].from_stage if moves else page.consortium.stage
    timeline = [
        {
            "on": page.consortium.started_on or timezone.localdate(page.consortium.created_at),
            "text": f"{Stage(first_stage).label}から開始",
            "by": "",
            "reason": "",
            "overridden": False,
        }
    ]
    for move in moves:
        timeline.append(
            {
                "on": timezone.localdate(move.at),
                "text": f"{STAGE_MARKS[move.from_stage - 1]} → {Stage(move.to_stage).label}",
                "by": move.by.full_name if move.by else "",
                "reason": move.reason,
                "overridden": move.overridden,
                "missing": move.missing,
            }
        )
    stages = []
    for row in page.stages:
        items = page.items_by_stage.get(row["number"], [])
        stages.append(
            {
                **row,
                "mark": STAGE_MARKS[row["number"] - 1],
                "open_required": [i for i in items if i.required and not i.is_settled],
                "items": items,
            }
        )
    return render_report_html(
        "reports/consortium.html",
        {
            "p": page,
            "c": page.consortium,
            "timeline": timeline,
            "stage_rows": stages,
            "step_label": STEPS[page.consortium.step],
            "stage_title": STAGES[page.consortium.stage - 1][1],
            "active_members": sum(1 for m in page.memberships if not m.left_on),
            "left_members": sum(1 for m in page.memberships if m.left_on),
            "stage_mark": STAGE_MARKS[page.consortium.stage - 1],
            "open_actions": page.open_actions,
            "overdue_ids": {a.pk for a in page.overdue_actions},
            "done_actions": [a for a in page.actions if a.status != ActionStatus.OPEN][:10],
        },
    )


def prepare_consortium(job, progress) -> jobs.Draft:
    consortium = _consortium_of(job.params)
    requester = job.requested_by
    if consortium is not None and requester is not None:
        # Rendered only for someone who may see it (the same answer as for a missing one).
        consortium = Consortium.objects.visible_to(requester).filter(pk=consortium.pk).first()
    if consortium is None:
        raise jobs.JobError("この協働体は見つかりませんでした（削除された可能性があります）。")
    html = build_consortium_html(consortium.pk)
    progress(15)
    return jobs.Draft(
        filename=f"consortium-{consortium.pk}-{timezone.localdate():%Y%m%d}.pdf",
        content_type="application/pdf",
        fingerprint=jobs.fingerprint("consortium", html),
        build=lambda progress: html_to_pdf(html, progress),
        title=consortium.name,
    )


def register() -> None:
    jobs.register_kind(
        "consortium",
        "協働体の進捗報告書（PDF）",
        prepare_consortium,
        may_download=may_download_consortium,
        describe=describe_consortium,
        params_from=consortium_params,
        panel=consortium_panel,
        file_label="協働体の進捗報告書",
    )


# --- Request forms on /reports/ ----------------------------------------------------------------------
def consortium_params(data, *, user=None) -> dict:
    pk = parse_id(data.get("consortium"))
    if pk is None:
        raise jobs.JobError("報告書を作る協働体を選んでください。")
    consortia = Consortium.objects.all() if user is None else Consortium.objects.visible_to(user)
    if not consortia.filter(pk=pk).exists():
        raise jobs.JobError(f"番号 {pk} の協働体はありません。")
    return {"consortium": pk}


def consortium_panel(request) -> dict | None:
    consortia = list(Consortium.objects.visible_to(request.user).order_by("name"))
    if not consortia:
        return None
    return {
        "template": "guidance/_report_panel_consortium.html",
        "context": {"consortia": consortia},
    }
