"""Approval requests: an agent asks, a supervisor (agency supervisor or administrator)
approves or rejects, once; both on the case's timeline with the person's name.

Each kind registers what approving and rejecting do (``approval_kind_register``): an
instalment plan outside the policy (``plan_builder``), a write-off (here). Another kind (a
legal step) registers its own handlers the same way; the inbox and the decision services need
no change. A handler runs inside the decision's transaction, so a handler that refuses (the
balance changed, the case closed) leaves the request pending with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from importlib import import_module

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases import selectors
from cases.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    Case,
    CaseState,
    ClosedReason,
    Component,
    EntryKind,
    LedgerEntry,
)
from cases.timeline import event_record
from collections_portal.money import format_money, to_money
from creditors.selectors import user_is_agency_manager

from . import lifecycle
from .case_actions import claim_write_down
from .errors import CaseError
from .ledger import interest_post, ledger_post
from .locking import lock_case

Handler = Callable[[ApprovalRequest, AbstractBaseUser], None]
_HANDLERS: dict[str, tuple[Handler, Handler]] = {}
# Modules that register their kinds' handlers when imported.
_HANDLER_MODULES = ("cases.services.plan_builder",)


def agent_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def approval_kind_register(kind: str, *, on_approve: Handler, on_reject: Handler) -> None:
    """What approving and rejecting a request of ``kind`` does (in the decision's
    transaction, the case locked)."""
    _HANDLERS[str(kind)] = (on_approve, on_reject)


def _handlers(kind: str) -> tuple[Handler, Handler]:
    for module in _HANDLER_MODULES:
        import_module(module)
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise CaseError(
            _("No handler decides approval requests of kind '%(kind)s'.") % {"kind": kind}
        ) from None


@transaction.atomic
def approval_request_create(
    *,
    case: Case,
    kind: ApprovalKind | str,
    user: AbstractBaseUser,
    reason: str,
    payload: dict | None = None,
) -> ApprovalRequest:
    """Ask a supervisor; one pending request per case and kind."""
    case = lock_case(case)
    if case.state == CaseState.CLOSED:
        raise CaseError(_("The case is closed."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you ask.")})
    if ApprovalRequest.objects.filter(case=case, kind=kind, status=ApprovalStatus.PENDING).exists():
        raise CaseError(_("A request of this kind already awaits a supervisor on this case."))
    request = ApprovalRequest.objects.create(
        creditor_id=case.creditor_id,
        case=case,
        kind=kind,
        requested_by=user,
        reason=reason.strip(),
        payload=payload or {},
    )
    event_record(
        case=case,
        code="approval.requested",
        actor=user,
        from_state=case.state,
        message=f"{agent_name(user)}: {request.get_kind_display()}. {request.reason}",
        data={"approval": request.pk, "kind": str(kind)},
    )
    return request


def _decide(
    *, request: ApprovalRequest, user: AbstractBaseUser, approve: bool, note: str
) -> ApprovalRequest:
    if not user_is_agency_manager(user):
        raise PermissionDenied(_("Only a supervisor decides approval requests."))
    case = lock_case(request.case)
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ApprovalStatus.PENDING:
        raise CaseError(
            _("The request is decided already (%(status)s).")
            % {"status": request.get_status_display()}
        )
    if request.requested_by_id == user.pk:
        raise CaseError(_("Another supervisor decides your own request."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the request is rejected.")})
    request.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    request.case = case
    on_approve, on_reject = _handlers(request.kind)
    (on_approve if approve else on_reject)(request, user)
    event_record(
        case=case,
        code="approval.approved" if approve else "approval.rejected",
        actor=user,
        from_state=case.state,
        message=(
            f"{agent_name(user)}: {request.get_kind_display()} asked by "
            f"{agent_name(request.requested_by)}. {request.decision_note}"
        ).strip(),
        data={"approval": request.pk, "kind": request.kind},
    )
    return request


@transaction.atomic
def approval_approve(
    *, request: ApprovalRequest, user: AbstractBaseUser, note: str = ""
) -> ApprovalRequest:
    """A supervisor approves: the kind's step is taken now, in the supervisor's name."""
    return _decide(request=request, user=user, approve=True, note=note)


@transaction.atomic
def approval_reject(
    *, request: ApprovalRequest, user: AbstractBaseUser, note: str
) -> ApprovalRequest:
    """A supervisor rejects, saying why."""
    return _decide(request=request, user=user, approve=False, note=note)


# --- Write-offs -------------------------------------------------------------------------------


@transaction.atomic
def write_off_request(
    *,
    case: Case,
    user: AbstractBaseUser,
    reason: str,
    amount: Decimal | str | None = None,
) -> ApprovalRequest:
    """An agent asks to write off ``amount`` of the principal, or (``None``) the whole
    balance, which closes the case as written off."""
    case = lock_case(case)
    payload: dict = {"whole_balance": amount is None}
    if amount is not None:
        money = to_money(amount, field="amount")
        principal = selectors.case_balance(case).principal
        if money <= 0:
            raise ValidationError({"amount": _("The amount is more than 0.")})
        if money > principal:
            raise ValidationError(
                {
                    "amount": _("At most the principal still owed, %(owed)s.")
                    % {"owed": format_money(principal, get_language() or "da")}
                }
            )
        payload["amount"] = str(money)
    else:
        accrued = selectors.case_statement(case, on=timezone.localdate()).accrued_interest
        payload["amount"] = str(selectors.case_balance(case).total + accrued)
    return approval_request_create(
        case=case, kind=ApprovalKind.WRITE_OFF, user=user, reason=reason, payload=payload
    )


def _write_off_whole(*, case: Case, reason: str, user: AbstractBaseUser) -> None:
    """Everything owed is written off, per claim and component, and the case closes as
    written off (not as paid)."""
    today = timezone.localdate()
    interest_post(case=case, up_to=today)
    rows = (
        LedgerEntry.objects.filter(case=case)
        .exclude(component=Component.CREDIT)
        .values("claim_id", "component")
        .annotate(total=Sum("amount"))
        .order_by("claim_id", "component")
    )
    claims = {claim.pk: claim for claim in case.claims.all()}
    written = Decimal("0.00")
    for row in rows:
        if row["total"] <= 0:
            continue
        ledger_post(
            case=case,
            kind=EntryKind.WRITE_OFF,
            component=row["component"],
            claim=claims.get(row["claim_id"]),
            amount=-row["total"],
            posted_on=today,
            explanation=reason,
            user=user,
        )
        written += row["total"]
    event_record(
        case=case,
        code="case.written_off",
        actor=user,
        from_state=case.state,
        message=f"{agent_name(user)}: {format_money(written)} written off. {reason}",
        data={"amount": str(written)},
    )
    lifecycle.case_close(
        case=case, reason=ClosedReason.WRITTEN_OFF, actor=user, message=f"Written off: {reason}"
    )


def _approve_write_off(request: ApprovalRequest, user: AbstractBaseUser) -> None:
    reason = f"{request.reason} (approved by {agent_name(user)})"
    if request.payload.get("whole_balance"):
        _write_off_whole(case=request.case, reason=reason, user=user)
    else:
        claim_write_down(
            case=request.case, amount=request.payload["amount"], reason=reason, user=user
        )


def _reject_write_off(request: ApprovalRequest, user: AbstractBaseUser) -> None:
    """Nothing to undo: the request stays on the timeline as rejected."""


approval_kind_register(
    ApprovalKind.WRITE_OFF, on_approve=_approve_write_off, on_reject=_reject_write_off
)
