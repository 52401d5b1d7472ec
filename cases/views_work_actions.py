"""The work screen's further actions (issue 16): disputes opened and decided with letters,
the legal track's steps and the betalingspåkrav's review page, monitoring, closing with a
reason, contact details and consent, SMS from a template; and the supervisor's teams page.

Agency staff only (``views_work.agency_view``); each action calls one service in
``cases.services.work_actions`` (or ``teams``) and lands on the case's timeline.
"""

from __future__ import annotations

import contextlib
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from creditors.selectors import user_is_agency_manager
from debtors.models import ContactKind
from debtors.services import debtor_reveal_national_id

from .models import (
    AttachmentOutcome,
    CaseState,
    ClosedReason,
    Dispute,
    Team,
    WorkItem,
)
from .services import teams as team_services
from .services import work_actions
from .views_work import agency_view

# The actions this module answers (``views_work.item_action`` asks :func:`perform` first).
LEGAL_STEP_ACTIONS = {f"legal-{step}": step for step in work_actions.LEGAL_ACTIONS}
ACTIONS = {
    "dispute-open",
    "dispute-decide",
    "monitor",
    "close-case",
    "contact-details",
    "sms",
    *LEGAL_STEP_ACTIONS,
}


def _number(text: str | None) -> int:
    """An id from a form; 0 (which names nothing) for anything else."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0


def perform(request, item: WorkItem, action: str) -> str | None:
    """Run one of this module's actions; ``None`` when the action is not one of them."""
    if action not in ACTIONS:
        return None
    case, user, post = item.case, request.user, request.POST
    if action == "dispute-open":
        work_actions.dispute_register(
            case=case,
            user=user,
            category=post.get("category", ""),
            reason=post.get("reason", ""),
            statement=post.get("statement", ""),
        )
        return _("The dispute is registered; the debtor gets an acknowledgement.")
    if action == "dispute-decide":
        # A decided dispute too: the service says it was decided already (a double submit).
        dispute = get_object_or_404(Dispute, pk=_number(post.get("dispute")), case=case)
        work_actions.dispute_decide(
            dispute=dispute,
            user=user,
            outcome=post.get("outcome", ""),
            remedy=post.get("remedy", ""),
            amount=post.get("amount", ""),
            note=post.get("note", ""),
        )
        return _("The dispute is decided; the debtor gets the answer by letter.")
    if action == "monitor":
        work_actions.case_monitor(case=case, user=user, note=post.get("note", ""))
        return _("The case is in long-term monitoring.")
    if action == "close-case":
        work_actions.case_close_with_reason(
            case=case, user=user, reason=post.get("reason", ""), note=post.get("note", "")
        )
        return _("The case is closed.")
    if action == "contact-details":
        changes = work_actions.contact_details_update(
            case=case,
            user=user,
            address_line=post.get("address_line", ""),
            postal_code=post.get("postal_code", ""),
            city=post.get("city", ""),
            email=post.get("email", ""),
            mobile=post.get("mobile", ""),
            sms_consent=post.get("sms_consent") == "on",
        )
        return _("The contact details are saved.") if changes else _("Nothing was changed.")
    if action == "sms":
        work_actions.sms_send(
            case=case, user=user, template=post.get("template", ""), token=post.get("token", "")
        )
        return _("The SMS is on its way.")
    work_actions.legal_step_take(
        case=case,
        user=user,
        step=LEGAL_STEP_ACTIONS[action],
        court=post.get("court", ""),
        court_reference=post.get("court_reference", ""),
        note=post.get("note", ""),
        outcome=post.get("outcome", ""),
    )
    return _("The legal step is recorded.")


def screen_context(request, item: WorkItem) -> dict:
    """What this module's parts of the work screen need (``views_work._screen`` adds it)."""
    case = item.case
    points = {p.kind: p for p in case.debtor.contact_points.order_by("-is_primary", "pk")}
    mobile = points.get(ContactKind.MOBILE)
    return {
        "dispute_categories": work_actions.DisputeCategory.choices,
        "dispute_remedies": work_actions.DisputeRemedy.choices,
        "closed_reasons": ClosedReason.choices,
        "can_monitor": case.state == CaseState.COLLECTION,
        "legal_steps": work_actions.legal_steps_open(case),
        "attachment_outcomes": AttachmentOutcome.choices,
        "sms_templates": work_actions.SmsTemplate.choices,
        "sms_token": secrets.token_urlsafe(16),
        "current_email": points[ContactKind.EMAIL].value if ContactKind.EMAIL in points else "",
        "current_mobile": mobile.value if mobile else "",
        "sms_consent": bool(mobile and mobile.consent),
    }


@require_safe
@agency_view
def payment_claim(request, item_id: int):
    """The betalingspåkrav filled from the case, for review; ``?print=1`` is the printable
    form with the debtor's full CPR/CVR number (a reveal, logged)."""
    item = get_object_or_404(WorkItem.objects.select_related("case__debtor"), pk=item_id)
    form = work_actions.payment_claim_form(item.case)
    printable = request.GET.get("print") == "1"
    if printable and item.case.debtor.national_id:
        with contextlib.suppress(PermissionDenied, ValidationError):  # else it stays masked
            form.debtor_national_id = debtor_reveal_national_id(
                debtor=item.case.debtor, user=request.user, reason="betalingspåkrav"
            )
    return render(
        request,
        "work/payment_claim.html",
        {"item": item, "case": item.case, "form": form, "printable": printable},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@agency_view
def teams(request):
    """Teams: everyone on the staff sees them; supervisors make them and set their members."""
    manager = user_is_agency_manager(request.user)
    if request.method == "POST":
        if not manager:
            return render(request, "bank/not_agency.html", status=403)
        try:
            what = request.POST.get("do", "")
            if what == "create":
                team_services.team_create(name=request.POST.get("name", ""), user=request.user)
                messages.success(request, _("The team is made."))
            elif what in ("add", "remove"):
                team = get_object_or_404(Team, pk=_number(request.POST.get("team")))
                if what == "add":
                    team_services.team_member_add(
                        team=team, username=request.POST.get("username", ""), user=request.user
                    )
                    messages.success(request, _("The member is added to the team."))
                else:
                    team_services.team_member_remove(
                        team=team,
                        member_id=_number(request.POST.get("member")),
                        user=request.user,
                    )
                    messages.success(request, _("The member is taken off the team."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("work:teams")
    return render(
        request,
        "work/teams.html",
        {"teams": Team.objects.prefetch_related("members"), "is_manager": manager},
    )
