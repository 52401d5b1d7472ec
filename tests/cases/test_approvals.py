"""Write-off requests and the approval flow: an agent asks, a supervisor approves (the claim
is written down, or the whole balance written off and the case closed as written off) or
rejects with a reason; only supervisors decide, never their own request, and only once."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases import selectors
from cases.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    CaseEvent,
    CaseState,
    ClosedReason,
    EntryKind,
    LedgerEntry,
)
from cases.services import CaseError
from cases.services.approvals import (
    approval_approve,
    approval_reject,
    approval_request_create,
    write_off_request,
)
from cases.services.case_actions import claim_write_down
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from tests.factories import agency_user

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
TODAY = date(2026, 1, 5)


@pytest.fixture
def agent():
    return agency_user(AgencyRole.AGENT, first_name="Anna", last_name="Agent")


@pytest.fixture
def supervisor():
    return agency_user(AgencyRole.SUPERVISOR, first_name="Sofie", last_name="Supervisor")


@pytest.fixture
def case(tenant_a):
    """1000.00 due 2025-03-03: interest runs."""
    with at(TODAY):
        case = file_case(tenant_a.creditor, claim("WO-1", "1000.00", date(2025, 3, 3)))
        with creditor_scope(tenant_a.creditor):
            yield case


def test_an_approved_write_off_writes_the_principal_down(case, agent, supervisor):
    request = write_off_request(case=case, user=agent, amount="400.00", reason="Goodwill.")
    assert request.kind == ApprovalKind.WRITE_OFF and request.payload["amount"] == "400.00"
    assert not LedgerEntry.objects.filter(case=case, kind=EntryKind.WRITE_OFF).exists()
    assert CaseEvent.objects.filter(case=case, code="approval.requested").exists()
    approval_approve(request=request, user=supervisor)
    assert selectors.case_balance(case).principal == Decimal("600.00")
    written = CaseEvent.objects.get(case=case, code="case.written_down")
    assert written.actor_id == supervisor.pk and "Goodwill." in written.message
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED and request.decided_at is not None


def test_the_whole_balance_written_off_closes_the_case_as_written_off(case, agent, supervisor):
    with at(TODAY):
        request = write_off_request(case=case, user=agent, reason="Debtor deceased, no estate.")
        assert Decimal(request.payload["amount"]) > Decimal("1000.00")  # with the interest
        approval_approve(request=request, user=supervisor)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_reason == ClosedReason.WRITTEN_OFF
    assert selectors.case_balance(case).total == Decimal("0.00")
    assert CaseEvent.objects.filter(case=case, code="case.written_off").exists()


def test_a_rejected_write_off_changes_nothing(case, agent, supervisor):
    request = write_off_request(case=case, user=agent, amount="100.00", reason="Please.")
    with pytest.raises(ValidationError) as raised:
        approval_reject(request=request, user=supervisor, note=" ")
    assert "note" in raised.value.message_dict
    approval_reject(request=request, user=supervisor, note="The creditor says no.")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.REJECTED
    assert request.decision_note == "The creditor says no."
    assert selectors.case_balance(case).principal == Decimal("1000.00")
    rejected = CaseEvent.objects.get(case=case, code="approval.rejected")
    assert "Sofie Supervisor" in rejected.message and "Anna Agent" in rejected.message


@pytest.mark.parametrize(
    ("amount", "field"), [("0", "amount"), ("1000.01", "amount"), ("x", "amount")]
)
def test_a_bad_write_off_amount_names_the_field(case, agent, amount, field):
    with pytest.raises(ValidationError) as raised:
        write_off_request(case=case, user=agent, amount=amount, reason="R.")
    assert field in raised.value.message_dict


def test_a_write_off_needs_a_reason_and_one_pending_per_case(case, agent):
    with pytest.raises(ValidationError) as raised:
        write_off_request(case=case, user=agent, amount="10.00", reason="")
    assert "reason" in raised.value.message_dict
    write_off_request(case=case, user=agent, amount="10.00", reason="R.")
    with pytest.raises(CaseError):
        write_off_request(case=case, user=agent, amount="20.00", reason="Again.")
    # The database holds it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.create(
            creditor=case.creditor, case=case, kind=ApprovalKind.WRITE_OFF, requested_by=agent,
            reason="Bypass.",
        )  # fmt: skip


def test_only_a_supervisor_decides_and_never_their_own_request(case, agent, supervisor):
    request = write_off_request(case=case, user=agent, amount="10.00", reason="R.")
    with pytest.raises(PermissionDenied):
        approval_approve(request=request, user=agency_user(AgencyRole.AGENT))
    own = approval_request_create(
        case=case, kind=ApprovalKind.LEGAL_STEP, user=supervisor, reason="Mine."
    )
    with pytest.raises(CaseError):
        approval_approve(request=own, user=supervisor)
    admin = agency_user(AgencyRole.ADMIN)
    approval_approve(request=request, user=admin)
    request.refresh_from_db()
    assert request.decided_by == admin


def test_an_approval_that_no_longer_fits_leaves_the_request_pending(case, agent, supervisor):
    request = write_off_request(case=case, user=agent, amount="900.00", reason="R.")
    # The balance changes under the request: a credit note of 500 leaves less than 900.
    claim_write_down(case=case, amount="500.00", reason="Credit note.", user=supervisor)
    with pytest.raises(ValidationError), transaction.atomic():
        approval_approve(request=request, user=supervisor)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
