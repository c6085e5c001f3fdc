"""One confirmation for every destructive or consequential action.

The form of such an action carries a ticked-to-confirm box (templates/_confirm.html, a required
「確認しました」 checkbox, with hx-confirm on the button where htmx is on). The server never trusts
the page: a POST without the box is refused by `unconfirmed()`, which answers with a confirmation
page that says what the action does and re-posts the same values once the box is ticked. Nothing
is written by a refused POST, with or without JavaScript.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FIELD = "confirmed"
REFUSED = (
    "まだ実行していません。内容を確かめ、「確認しました」にチェックを入れてから、"
    "もう一度ボタンを押してください。"
)


class ConfirmForm(forms.Form):
    confirmed = forms.BooleanField(label="確認しました", error_messages={"required": REFUSED})


def is_confirmed(request: HttpRequest) -> bool:
    return ConfirmForm(request.POST).is_valid()


def unconfirmed(request: HttpRequest, *, what: str, back: str) -> HttpResponse | None:
    """None when the POST carries the ticked box; otherwise the answer that refuses it.

    `what` says in one sentence what the action does (shown above the box), `back` is the page to
    return to without doing it. A plain request gets the confirmation page with status 400; an
    htmx request gets the same page swapped in as the whole body (htmx does not swap a 400).
    """
    if is_confirmed(request):
        return None
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {FIELD, "csrfmiddlewaretoken"}
        for value in values
    ]
    context = {"what": what, "back": back, "carried": carried, "refused": REFUSED}
    if request.htmx:
        response = render(request, "portal/confirm.html", context)
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "portal/confirm.html", context, status=400)
