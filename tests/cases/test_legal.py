"""The legal track: a betalingspåkrav only where retsplejeloven kapitel 44 a allows it, its
court fee explained, its effect on limitation, and the udlæg that finds nothing sending the case
to monitoring."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.models import (
    AttachmentOutcome,
    CaseEvent,
    CaseState,
    EntryKind,
    LedgerEntry,
    LegalStep,
    LegalStepKind,
    LimitationEvent,
)
from cases.selectors import claim_limitations
from cases.services import CaseError
from cases.services.legal import (
    legal_file_payment_claim,
    legal_record_attachment,
    legal_record_endorsement,
    legal_record_objection,
    legal_request_enforcement,
)
from cases.services.lifecycle import case_hand_over, case_send_warning, dispute_open
from collections_portal.tenancy import creditor_scope

from .helpers import at, claim, file_case

# The refusals are matched in English (tests/cases/test_words_in_danish.py reads them in
# Danish).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DUE = date(2025, 1, 10)
WARNED = date(2025, 2, 3)
HANDED_OVER = WARNED + timedelta(days=11)  # the day after the 10-day deadline
FILED = date(2025, 3, 3)


def case_in_collection(creditor, principal="5000.00", **kwargs):
    with at(WARNED):
        case = file_case(creditor, claim("L-1", principal, DUE), **kwargs)
        with creditor_scope(creditor):
            case_send_warning(case=case, on=WARNED)
    with at(HANDED_OVER), creditor_scope(creditor):
        case_hand_over(case=case, on=HANDED_OVER)
        case.refresh_from_db()
    assert case.state == CaseState.COLLECTION
    return case


def filed(tenant):
    case = case_in_collection(tenant.creditor)
    with at(FILED), creditor_scope(tenant.creditor):
        legal_file_payment_claim(case=case, on=FILED, user=tenant.user)
        case.refresh_from_db()
    return case


def test_it_refuses_a_disputed_case(tenant_a):
    case = case_in_collection(tenant_a.creditor)
    with at(FILED), creditor_scope(tenant_a.creditor):
        dispute_open(case=case, reason="The goods never arrived")
        with pytest.raises(CaseError, match="open dispute: a disputed claim goes to a civil suit"):
            legal_file_payment_claim(case=case, on=FILED)
        case.refresh_from_db()
        assert case.state == CaseState.COLLECTION
        assert not LegalStep.objects.exists()


def test_it_refuses_a_principal_above_100000(tenant_a):
    case = case_in_collection(tenant_a.creditor, principal="100000.01")
    with at(FILED), creditor_scope(tenant_a.creditor):
        with pytest.raises(CaseError, match=r"100,000\.01 DKK is above 100,000\.00 DKK"):
            legal_file_payment_claim(case=case, on=FILED)
        assert not LedgerEntry.objects.filter(kind=EntryKind.COURT_FEE).exists()


def test_it_allows_a_principal_of_exactly_100000(tenant_a):
    case = case_in_collection(tenant_a.creditor, principal="100000.00")
    with at(FILED), creditor_scope(tenant_a.creditor):
        legal_file_payment_claim(case=case, on=FILED)
        case.refresh_from_db()
    assert case.state == CaseState.LEGAL


def test_it_refuses_without_a_collection_warning(tenant_a):
    with at(FILED):
        case = file_case(tenant_a.creditor, claim("L-2", "5000.00", DUE))
        with (
            creditor_scope(tenant_a.creditor),
            pytest.raises(CaseError, match=r"No collection warning .* has expired"),
        ):
            legal_file_payment_claim(case=case, on=FILED)


def test_it_refuses_before_the_warning_deadline(tenant_a):
    with at(WARNED):
        case = file_case(tenant_a.creditor, claim("L-3", "5000.00", DUE))
        with creditor_scope(tenant_a.creditor):
            case_send_warning(case=case, on=WARNED)
            with pytest.raises(CaseError, match=r"its deadline is 2025-02-13"):
                legal_file_payment_claim(case=case, on=WARNED + timedelta(days=10))


def test_filing_moves_the_case_to_legal_and_posts_the_court_fee_explained(tenant_a):
    case = filed(tenant_a)
    assert case.state == CaseState.LEGAL
    with creditor_scope(tenant_a.creditor):
        fee = LedgerEntry.objects.get(case=case, kind=EntryKind.COURT_FEE)
        step = LegalStep.objects.get(case=case)
        event = CaseEvent.objects.get(case=case, code="case.payment_claim_filed")
    assert (fee.amount, fee.posted_on, fee.component) == (Decimal("750.00"), FILED, "costs")
    assert fee.profile == "DK@2024-01-01"
    assert fee.rule == "retsafgiftsloven"
    assert "Court fee for filing a betalingspåkrav: 750.00 DKK" in fee.explanation
    assert fee.created_by == tenant_a.user
    assert (step.kind, step.occurred_on) == (LegalStepKind.PAYMENT_CLAIM_FILED, FILED)
    assert (event.from_state, event.to_state) == ("collection", "legal")


def test_filing_interrupts_limitation_and_endorsement_gives_ten_years(tenant_a):
    case = filed(tenant_a)
    with creditor_scope(tenant_a.creditor):
        events = list(
            LimitationEvent.objects.filter(claim__case=case).values_list("kind", "occurred_on")
        )
        assert events == [("legal_step", FILED)]
        # § 16 and § 19: a new 3-year period from the filing.
        [limitation] = claim_limitations(case, on=FILED)
        assert limitation.figure.dates == (date(2028, 3, 3),)

        endorsed = FILED + timedelta(days=20)
        with at(endorsed):
            legal_record_endorsement(case=case, on=endorsed)
        [limitation] = claim_limitations(case, on=endorsed)
        # § 5: an endorsed betalingspåkrav gives 10 years from its date.
        assert limitation.figure.dates == (date(2035, 3, 23),)
        assert "forældelsesloven § 5" in limitation.figure.explanation
        assert LimitationEvent.objects.filter(claim__case=case, kind="judgment").count() == 1


def test_an_objection_says_the_case_goes_to_a_civil_suit(tenant_a):
    case = filed(tenant_a)
    with creditor_scope(tenant_a.creditor):
        legal_record_objection(case=case, on=FILED + timedelta(days=10), note="Paid in cash")
        event = CaseEvent.objects.get(case=case, code="case.payment_claim_objected")
        assert LegalStep.objects.filter(kind=LegalStepKind.PAYMENT_CLAIM_OBJECTED).count() == 1
    assert "must go to a civil suit" in event.message


def test_an_endorsement_needs_a_filed_payment_claim(tenant_a):
    case = case_in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), pytest.raises(CaseError, match="not on the legal"):
        legal_record_endorsement(case=case, on=FILED)


def test_udlaeg_without_result_moves_the_case_to_monitoring(tenant_a):
    case = filed(tenant_a)
    requested = FILED + timedelta(days=30)
    with at(requested), creditor_scope(tenant_a.creditor):
        legal_request_enforcement(case=case, on=requested)
        legal_record_attachment(
            case=case, on=requested + timedelta(days=14), outcome=AttachmentOutcome.NOTHING_FOUND
        )
        case.refresh_from_db()
        fees = list(
            LedgerEntry.objects.filter(case=case, kind=EntryKind.COURT_FEE)
            .order_by("posted_on")
            .values_list("posted_on", "amount")
        )
        steps = list(LegalStep.objects.filter(case=case).values_list("kind", "outcome"))
    assert case.state == CaseState.MONITORING
    assert case.next_action_at is not None
    assert fees == [(FILED, Decimal("750.00")), (requested, Decimal("750.00"))]
    assert steps == [
        ("payment_claim_filed", ""),
        ("enforcement_requested", ""),
        ("attachment_result", "nothing_found"),
    ]


def test_a_levied_udlaeg_keeps_the_case_on_the_legal_track(tenant_a):
    case = filed(tenant_a)
    with at(FILED), creditor_scope(tenant_a.creditor):
        legal_request_enforcement(case=case, on=FILED)
        legal_record_attachment(case=case, on=FILED, outcome=AttachmentOutcome.LEVIED)
        case.refresh_from_db()
    assert case.state == CaseState.LEGAL


def test_legal_steps_are_scoped_to_their_creditor(tenant_a, tenant_b):
    filed(tenant_a)
    with creditor_scope(tenant_b.creditor):
        assert not LegalStep.objects.exists()
