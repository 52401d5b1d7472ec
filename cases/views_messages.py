"""Messages on a case between the creditor and the agency (issue 15, item 1): the thread on the
case page and on the agent's work screen, written with an htmx form.

``GET /cases/<id>/messages/`` is the thread (the part htmx swaps), ``POST`` writes a message
through ``cases.services.messages.case_message_post``. Reading the thread marks the other
side's messages read for the reader's side. Who may write is ``user_can_act``: a creditor's
owner, administrator or member, and agency staff; a viewer reads (a forged POST is 403). The
case is looked up in the active scope, so another creditor's case is 404.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collections_portal.decorators import tenant_view

from .forms_actions import MessageForm, NotificationSettingsForm
from .models import MessageSide, NotifyKind
from .notifications import settings_of
from .services.messages import (
    case_message_post,
    case_messages_mark_read,
    notification_settings_save,
    side_of,
)
from .views_actions import case_for, user_can_act


def messages_context(request, case, *, form: MessageForm | None = None, ok: str = "") -> dict:
    """The thread for the reader, with the messages that were new to their side marked; the
    reading marks them read."""
    reader_side = side_of(request.user)
    thread = list(case.messages.order_by("created_at", "pk"))
    for message in thread:
        read_at = (
            message.read_by_agency_at
            if reader_side == MessageSide.AGENCY
            else message.read_by_creditor_at
        )
        message.is_new = message.side != reader_side and read_at is None
    case_messages_mark_read(case=case, reader=request.user)
    return {
        "case": case,
        "thread": thread,
        "reader_side": reader_side,
        "can_message": user_can_act(request.user, case),
        "message_form": form or MessageForm(prefix="message"),
        "message_ok": ok,
    }


def _return_to(request, case) -> str:
    target = request.POST.get("return_to", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("case_detail", args=[case.pk])


@require_http_methods(["GET", "HEAD", "POST"])
@tenant_view
def case_messages(request, case_id: int):
    case = case_for(request, case_id)
    if request.method != "POST":
        context = messages_context(request, case)
        return render(request, "cases/_case_messages.html", context)
    if not user_can_act(request.user, case):
        raise PermissionDenied(_("Your role may read this case, not write on it."))
    form = MessageForm(request.POST, prefix="message")
    ok = ""
    if form.is_valid():
        try:
            case_message_post(case=case, author=request.user, body=form.cleaned_data["body"])
            ok = _("The message is sent.")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    if not request.htmx:
        if ok:
            flash.success(request, ok)
        else:
            flash.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_return_to(request, case))
    context = messages_context(request, case, form=None if ok else form, ok=ok)
    context["return_to"] = request.POST.get("return_to", "")
    context["message_page"] = "work" if request.POST.get("page") == "work" else "case"
    parts = [render_to_string("cases/_case_messages.html", context, request=request)]
    if ok and request.POST.get("page") == "case":
        # The case page's timeline shows the message's event too.
        events = case.events.select_related("actor").order_by("-occurred_at", "-pk")[:50]
        parts.append(
            render_to_string(
                "cases/_case_timeline.html", {"events": events, "oob": True}, request=request
            )
        )
    return HttpResponse("".join(parts))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def notification_settings(request):
    """Every signed-in person's own page (no creditor's data): which events they hear of by
    e-mail, at once or in the daily digest, and in which language."""
    current = settings_of(request.user)
    initial = {kind: current.mode(kind) for kind in NotifyKind.values}
    initial["language"] = current.language
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, initial=initial)
        if form.is_valid():
            data = dict(form.cleaned_data)
            language = data.pop("language")
            try:
                notification_settings_save(user=request.user, language=language, modes=data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                flash.success(request, _("Your notification settings are saved."))
                return redirect("notification_settings")
    else:
        form = NotificationSettingsForm(initial=initial)
    kinds = [form[kind] for kind in NotifyKind.values]
    return render(
        request,
        "creditors/notification_settings.html",
        {"form": form, "kinds": kinds, "language_field": form["language"]},
    )
