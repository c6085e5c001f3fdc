"""Pages of the portal core: home, health, accounts and invitations, report jobs."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portal import access, selectors, services
from portal import jobs as job_kinds
from portal.access import permission_required, require
from portal.confirm import unconfirmed
from portal.forms import EmailLoginForm, InviteForm
from portal.health import health_response
from portal.models import JobStatus, User
from portal.params import InvalidInput


def home(request):
    from portal.home import landing_view

    landing = landing_view()
    if landing is not None and not request.user.is_authenticated:
        return landing(request)
    return _home(request)


@permission_required("view_home")
def _home(request):
    from portal.home import panels_for

    return render(request, "portal/home.html", {"panels": panels_for(request)})


@require_GET
def favicon(request):
    # Resolved per request: the hashed name exists only after collectstatic.
    return redirect(static("img/favicon.svg"), permanent=True)


@require_GET
def healthz(request):
    # Normally answered by portal.health.HealthCheckMiddleware; kept so the URL can be reversed.
    return health_response()


def bad_request(request, exception):
    """The 400 page, saying why when the portal gave the reason (Django's own stay generic)."""
    reason = str(exception) if isinstance(exception, InvalidInput) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


# --- Accounts -----------------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    redirect_authenticated_user = True


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: the new user chooses a password and is logged in."""

    template_name = "accounts/invite_accept.html"
    post_reset_login = True
    post_reset_login_backend = "portal.backends.EmailBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "パスワードを設定しました。ようこそ。")
        return response


@permission_required("manage_users")
def users(request):
    return render(request, "accounts/users.html", {"users": selectors.users_for_management()})


@permission_required("manage_users")
def invite(request):
    form = InviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(
                **form.cleaned_data, by=request.user, base_url=_base(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{user.email} に招待メールを送りました。")
            return redirect("accounts:users")
    return render(request, "accounts/invite.html", {"form": form})


@require_POST
@permission_required("manage_users")
def user_toggle_active(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    require(access.can_change_user(request.user, user))
    if user.is_active:
        what = f"{user.full_name} さんのアカウントを無効にします。無効にするとログインできなくなります。"
        if refusal := unconfirmed(request, what=what, back=reverse("accounts:users")):
            return refusal
    try:
        services.user_set_active(user=user, active=not user.is_active, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        state = "有効" if user.is_active else "無効"
        messages.success(request, f"{user.full_name} さんのアカウントを{state}にしました。")
    return redirect("accounts:users")


def _base(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


# --- Report jobs --------------------------------------------------------------------------------
@permission_required("request_reports")
def reports(request):
    listed = selectors.report_jobs_visible_to(request.user)[:50]
    running = any(not job.is_finished for job in listed)
    context = {"jobs": listed, "poll": running}
    if request.htmx:
        return render(request, "portal/reports.html#jobs", context)
    context["panels"] = job_kinds.panels_for(request)
    return render(request, "portal/reports.html", context)


@require_POST
@permission_required("request_reports")
def report_request(request):
    """One endpoint for every kind: the kind reads its own form fields (see portal.jobs)."""
    try:
        kind = job_kinds.get_kind(request.POST.get("kind", ""))
        if kind.name == "selftest":
            raise PermissionDenied
        params = kind.params_from(request.POST, user=request.user)
    except job_kinds.JobError as exc:
        messages.error(request, str(exc))
        return redirect("reports")
    job = services.job_request(kind=kind.name, params=params, by=request.user)
    messages.success(
        request,
        f"「{kind.label}」の作成を依頼しました（番号 {job.pk}）。できあがるとこの画面からダウンロードできます。",
    )
    return redirect(f"{reverse('reports')}#job-{job.pk}")


@require_POST
@permission_required("manage_users")
def report_selftest(request):
    services.job_request(kind="selftest", params={"seconds": 3}, by=request.user)
    messages.success(request, "動作確認ジョブを依頼しました。進捗はこの画面で確認できます。")
    return redirect("reports")


@permission_required("request_reports")
def report_download(request, pk: int, part: str = "file"):
    """A finished file, only for people who may see the job and its content (404 otherwise)."""
    job = selectors.report_jobs_visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    kind = job_kinds.find_kind(job.kind)
    if kind is not None and not kind.may_download(request.user, job):
        raise Http404
    stored = job.attachment if part == "attachment" else job.file
    if job.status != JobStatus.DONE or not stored:
        raise Http404
    extension = stored.name.rsplit(".", 1)[-1]
    label = (kind.file_label if kind else "") or job.kind
    # The day in Tokyo: a report asked for at 00:30 is that morning's, not the UTC evening's.
    day = timezone.localdate(job.created_at)
    name = f"{label}_{job.title}_{day:%Y%m%d}" if job.title else f"{label}_{job.pk}"
    for bad in '/\\:*?"<>|':
        name = name.replace(bad, "_")
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{name}.{extension}")
