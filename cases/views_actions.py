"""Acting on a case from its page (issue 15, item 5): direct payments, write-downs, pause and
resume, withdrawal, disputes and documents.

Each action is a POST of an htmx form. The view only reads the form and calls the service; the
answer re-renders the actions panel in place (a bound form shows its errors next to the field)
and, after a change, swaps the header, the money, the letters, the documents and the timeline
out of band so the page tells the truth without a reload. Without htmx the same views redirect
to the case page (success) or render it with the errors.

Who may act is decided here, on the server: a creditor's owner, administrator or member, and
agency staff whose group may change cases. A viewer sees no forms, and a forged POST is 403. The
case is looked up in the active scope first, so another creditor's case is 404 for everyone.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from collections_portal.decorators import tenant_view
from creditors.selectors import membership_for, user_is_agency_staff

from . import forms_actions as forms
from .case_list import annotated_cases, next_step
from .models import CaseDocument, CaseState
from .selectors import case_statement
from .services import case_actions, lifecycle
from .services.documents import case_document_add
from .services.errors import CaseError

# The sections of the case page an action may change, swapped out of band after it.
SECTIONS = ("header", "money", "ledger", "letters", "documents", "timeline")


def user_can_act(user, case) -> bool:
    """Owners, administrators and members of the case's creditor; agency staff whose role may
    change cases (agents, supervisors, administrators). Viewers only read."""
    if user_is_agency_staff(user):
        return user.has_perm("cases.change_case")
    membership = membership_for(user, case.creditor)
    return membership is not None and membership.can_edit


def case_for(request, case_id: int):
    """The case in the active scope, with what the list annotates (the next step's words)."""
    return get_object_or_404(annotated_cases(timezone.localdate()), pk=case_id)


def _forms(case) -> dict:
    return {
        "payment": forms.DirectPaymentForm(prefix="payment"),
        "write_down": forms.WriteDownForm(prefix="write_down"),
        "pause": forms.PauseForm(prefix="pause"),
        "resume": forms.ResumeForm(prefix="resume"),
        "withdraw": forms.WithdrawForm(prefix="withdraw"),
        "dispute": forms.DisputeForm(prefix="dispute"),
        "document": forms.DocumentForm(prefix="document"),
    }


def case_context(request, case, *, bound: dict | None = None) -> dict:
    from .views_messages import messages_context  # it builds on this module's helpers

    today = timezone.localdate()
    words, when = next_step(case, today)
    all_forms = _forms(case)
    all_forms.update(bound or {})
    return messages_context(request, case) | {
        "case": case,
        "statement": case_statement(case, on=today),
        "events": case.events.select_related("actor").order_by("-occurred_at", "-pk")[:50],
        "notices": case.notices.order_by("dated", "pk"),
        "documents": case.documents.select_related("uploaded_by").order_by("-created_at", "-pk"),
        "next_step_words": words,
        "next_step_on": when,
        "can_act": user_can_act(request.user, case),
        "is_agency_staff": user_is_agency_staff(request.user),
        "is_open": case.state != CaseState.CLOSED,
        "is_paused": bool(case.paused_until and case.paused_until >= today),
        "forms": all_forms,
    }


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def case_detail(request, case_id: int):
    # The scoped manager limits the lookup to the active tenant: a foreign case is a 404.
    case = case_for(request, case_id)
    return render(request, "cases/case_detail.html", case_context(request, case))


def _answer(request, case_id: int, *, name: str, form, ok: str | None, error: str | None):
    """The actions panel (or the documents section) again, with the outcome; after a change,
    the page's other sections out of band. Without htmx: the case page."""
    case = case_for(request, case_id)  # fresh: the action changed it
    bound = {} if ok else {name: form}
    if not request.htmx:
        if ok:
            messages.success(request, ok)
            return redirect("case_detail", case_id=case.pk)
        context = case_context(request, case, bound=bound)
        context["action_error"] = error
        context["action_name"] = name
        # 200, not 400: the page is shown again with the fields' errors, as a form page does.
        return render(request, "cases/case_detail.html", context)
    context = case_context(request, case, bound=bound)
    context.update(action_ok=ok, action_error=error, action_name=name)
    target = "documents" if name == "document" else "actions"
    parts = [render_to_string(f"cases/_case_{target}.html", context, request=request)]
    if ok:
        for section in SECTIONS:
            if section != target:
                context["oob"] = True
                parts.append(
                    render_to_string(f"cases/_case_{section}.html", context, request=request)
                )
        if target != "actions":
            parts.append(
                render_to_string("cases/_case_actions.html", context | {"oob": True}, request)
            )
    return HttpResponse("".join(parts))


def _act(request, case_id: int, name: str, form_class, do, ok_words: str):
    case = case_for(request, case_id)
    if not user_can_act(request.user, case):
        raise PermissionDenied(_("Your role may read this case, not act on it."))
    form = form_class(request.POST, request.FILES, prefix=name)
    error = None
    if form.is_valid():
        try:
            with transaction.atomic():
                do(case, form.cleaned_data, request.user)
            return _answer(request, case_id, name=name, form=form, ok=ok_words, error=None)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except CaseError as exc:
            error = str(exc)
    return _answer(request, case_id, name=name, form=form, ok=None, error=error)


@require_POST
@tenant_view
def case_payment(request, case_id: int):
    def do(case, data, user):
        case_actions.direct_payment_register(
            case=case,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            confirm_overpayment=data["confirm_overpayment"],
            user=user,
        )

    return _act(request, case_id, "payment", forms.DirectPaymentForm, do,
                _("The payment was registered."))  # fmt: skip


@require_POST
@tenant_view
def case_write_down(request, case_id: int):
    def do(case, data, user):
        case_actions.claim_write_down(
            case=case, amount=data["amount"], reason=data["reason"], user=user
        )

    return _act(request, case_id, "write_down", forms.WriteDownForm, do,
                _("The claim was written down."))  # fmt: skip


@require_POST
@tenant_view
def case_pause(request, case_id: int):
    def do(case, data, user):
        # Said in the user's language (the service's own refusal, checked again under the
        # case's lock, is the API's English message).
        case_actions.refuse_if_closed(case, _("pausing"))
        lifecycle.case_pause(case=case, until=data["until"], actor=user, reason=data["reason"])

    return _act(request, case_id, "pause", forms.PauseForm, do, _("The case is paused."))


@require_POST
@tenant_view
def case_resume(request, case_id: int):
    def do(case, data, user):
        case_actions.case_resume(case=case, actor=user)

    return _act(request, case_id, "resume", forms.ResumeForm, do, _("The case is resumed."))


@require_POST
@tenant_view
def case_withdraw(request, case_id: int):
    def do(case, data, user):
        lifecycle.case_withdraw(case=case, actor=user, message=data["reason"])

    return _act(request, case_id, "withdraw", forms.WithdrawForm, do,
                _("The case is withdrawn."))  # fmt: skip


@require_POST
@tenant_view
def case_dispute(request, case_id: int):
    def do(case, data, user):
        case_actions.refuse_if_closed(case, _("reporting a dispute"))
        for upload in data["files"]:
            try:
                case_document_add(case=case, file=upload, description=_("Dispute"), actor=user)
            except ValidationError as exc:
                # The form has one field for the files: name the file that was refused.
                raise ValidationError(
                    {"files": [f"{upload.name}: {m}" for m in exc.messages]}
                ) from exc
        lifecycle.dispute_open(case=case, reason=data["reason"], actor=user)

    return _act(request, case_id, "dispute", forms.DisputeForm, do,
                _("The dispute is registered; collection waits for an answer."))  # fmt: skip


@require_POST
@tenant_view
def case_document_upload(request, case_id: int):
    def do(case, data, user):
        case_document_add(case=case, file=data["file"], description=data["description"], actor=user)

    return _act(request, case_id, "document", forms.DocumentForm, do,
                _("The document was added."))  # fmt: skip


@require_safe
@tenant_view
def case_document_download(request, case_id: int, document_id: int):
    """A document of a case in the scope; any role that reads the case may download it."""
    case = case_for(request, case_id)
    document = get_object_or_404(CaseDocument.objects.filter(case=case), pk=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from the storage.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=document.filename,
                            content_type=document.content_type)  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response
