"""The notice centre, its mark-read actions, the settings page and the unsubscribe link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notices import selectors, services
from notices.forms import PreferencesForm
from notices.models import Notice, NoticeKind
from portal.params import object_or_404


@require_GET
@login_required
def centre(request):
    return render(request, "notices/centre.html", {"notices": selectors.centre(request.user)})


@require_POST
@login_required
def mark_read(request, pk: int):
    notice = object_or_404(Notice.objects.for_user(request.user), str(pk))
    services.notice_mark_read(notice=notice, by=request.user)
    if request.htmx:
        return render(request, "notices/centre.html#notice", {"n": notice})
    return redirect("notices:centre")


@require_POST
@login_required
def mark_all_read(request):
    count = services.notices_mark_all_read(by=request.user)
    messages.success(request, f"{count}件のお知らせを既読にしました。")
    return redirect("notices:centre")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    current = selectors.settings_of(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST":
        if form.is_valid():
            services.preferences_update(
                user=request.user, values=form.cleaned_data, by=request.user
            )
            messages.success(request, "お知らせの受け取り方を保存しました。")
            return redirect("notices:settings")
        return render(request, "notices/settings.html", {"form": form}, status=400)
    return render(request, "notices/settings.html", {"form": form})


# The signed token is the authority here, not a session: a mail client's one-click unsubscribe
# (RFC 8058) posts without a CSRF token, and the link changes only the setting it was signed for.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    found = services.unsubscribe_read(token)
    if found is None:
        return render(request, "notices/unsubscribe.html", {"invalid": True}, status=400)
    user, kind = found
    done = False
    if request.method == "POST":
        services.unsubscribe(token=token)
        done = True
    context = {"kind_label": NoticeKind(kind).label, "done": done, "email": user.email}
    return render(request, "notices/unsubscribe.html", context)
