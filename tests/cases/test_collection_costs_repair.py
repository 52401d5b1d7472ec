"""The repair of cases charged collection costs under the old rule (the band sized from the
balance with the fees on it): a correcting ledger entry with its explanation, the timeline,
payments allocated again, a report; run twice, nothing changes the second time."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import selectors
from cases.models import CaseEvent, CaseState, ClosedReason, EntryKind, LedgerEntry, PaymentMethod
from cases.rules import costs as cost_rules
from cases.services import lifecycle as lc
from cases.services import payment_register
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from tests.factories import agency_user

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)
HANDOVER = date(2025, 4, 14)


def old_rule(monkeypatch):
    """The handover as it was: the claim sized with the three reminder fees (300) and the
    handover fee (100) on it."""
    real = cost_rules.collection_claim_size
    monkeypatch.setattr(
        cost_rules, "collection_claim_size", lambda claims: real(claims) + Decimal("400.00")
    )


def case_charged_under_the_old_rule(tenant, monkeypatch, principal="999.00"):
    case = file_case(tenant.creditor, claim("INV-1", principal, DUE))
    with creditor_scope(tenant.creditor):
        day = DUE + timedelta(days=1)
        for _ in range(3):
            with at(day):
                lc.case_send_reminder(case=case, on=day)
            day += timedelta(days=10)
        with at(day):
            lc.case_send_warning(case=case, on=day)
        with monkeypatch.context() as patch:
            old_rule(patch)
            with at(HANDOVER):
                lc.case_hand_over(case=case, on=HANDOVER)
        assert costs_charged(case) == Decimal("700.00")  # the 2,500 band: too much
    return case


def costs_charged(case) -> Decimal:
    return sum(
        LedgerEntry.objects.filter(case=case, kind__in=[EntryKind.COLLECTION_COSTS])
        .exclude(reversed_by__isnull=False)
        .values_list("amount", flat=True),
        Decimal("0.00"),
    )


def repair() -> str:
    out = StringIO()
    with at(date(2025, 6, 2)):
        call_command("repair_collection_costs", stdout=out)
    return out.getvalue()


def test_an_overcharged_case_is_corrected_once(tenant_a, tenant_b, monkeypatch):
    case = case_charged_under_the_old_rule(tenant_a, monkeypatch)
    right = file_case(tenant_b.creditor, claim("INV-9", "5000.00", DUE))  # nothing to correct

    report = repair()
    assert f"Case {case.reference}: collection costs 700.00 -> 400.00" in report
    assert "1 case(s) corrected; 300.00 in all." in report
    assert right.reference not in report

    with creditor_scope(tenant_a.creditor):
        assert costs_charged(case) == Decimal("400.00")
        balance = selectors.case_balance(case)
        assert balance.costs == Decimal("800.00")  # 3 x 100 reminders, 100 handover, 400
        corrected = LedgerEntry.objects.filter(
            case=case, kind=EntryKind.COLLECTION_COSTS, reversed_by__isnull=True
        ).get()
        assert corrected.posted_on == HANDOVER
        assert "for a claim of 999.00 DKK" in corrected.explanation
        assert "Corrected on 2025-06-02" in corrected.explanation
        reversal = LedgerEntry.objects.get(case=case, kind=EntryKind.REVERSAL)
        assert reversal.amount == Decimal("-700.00")
        event = CaseEvent.objects.get(case=case, code="case.collection_costs_corrected")
        assert event.data["charged"] == "700.00" and event.data["cap"] == "400.00"
        entries = LedgerEntry.objects.filter(case=case).count()

    again = repair()
    assert "0 case(s) corrected" in again
    with creditor_scope(tenant_a.creditor):
        assert LedgerEntry.objects.filter(case=case).count() == entries
        assert (
            CaseEvent.objects.filter(case=case, code="case.collection_costs_corrected").count() == 1
        )


def test_a_payment_that_paid_the_excess_goes_to_interest_and_principal(tenant_a, monkeypatch):
    case = case_charged_under_the_old_rule(tenant_a, monkeypatch)
    with creditor_scope(tenant_a.creditor), at(date(2025, 5, 1)):
        payment_register(
            case=case,
            amount="1000.00",
            received_on=date(2025, 5, 1),
            method=PaymentMethod.BANK_TRANSFER,
        )
        before = selectors.case_balance(case)
        assert before.costs == Decimal("100.00")  # 1,100 of costs, 1,000 paid to them
        assert before.principal == Decimal("999.00")

    repair()

    with creditor_scope(tenant_a.creditor):
        after = selectors.case_balance(case)
        # Costs are 800 now: the payment of 1,000 meets them, then the interest up to its day
        # (17.30, the same as before: the principal had not changed by then), then 182.70 of
        # the principal. The debtor owes exactly the 300 less.
        assert before.interest == Decimal("17.30")
        assert (after.costs, after.interest, after.principal) == (
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("816.30"),
        )
        assert after.total == before.total - Decimal("300.00")


def test_a_case_paid_in_full_leaves_the_debtor_a_credit(tenant_a, monkeypatch):
    case = case_charged_under_the_old_rule(tenant_a, monkeypatch)
    with creditor_scope(tenant_a.creditor), at(date(2025, 5, 1)):
        lc_balance = selectors.case_balance(case)
        from cases.services.ledger import interest_post

        interest_post(case=case, up_to=date(2025, 5, 1))
        owed = selectors.case_balance(case).total
        assert owed > lc_balance.principal
        payment_register(
            case=case, amount=owed, received_on=date(2025, 5, 1), method=PaymentMethod.BANK_TRANSFER
        )
        case.refresh_from_db()
        assert (case.state, case.closed_reason) == (CaseState.CLOSED, ClosedReason.PAID)

    report = repair()

    assert "the debtor now has a credit of 300.00 to refund" in report
    with creditor_scope(tenant_a.creditor):
        balance = selectors.case_balance(case)
        assert balance.total == Decimal("0.00")
        assert balance.credit == Decimal("300.00")
        case.refresh_from_db()
        assert case.state == CaseState.CLOSED


def test_agency_admins_correct_from_the_admin_and_agents_cannot(tenant_a, monkeypatch, client):
    case = case_charged_under_the_old_rule(tenant_a, monkeypatch)
    changelist = reverse("admin:cases_case_changelist")
    action = {"action": "correct_collection_costs", "_selected_action": [case.pk]}

    client.force_login(agency_user(AgencyRole.SUPERVISOR, username="supervisor"))
    client.post(changelist, action)
    with creditor_scope(tenant_a.creditor):
        assert costs_charged(case) == Decimal("700.00")

    client.force_login(agency_user(AgencyRole.ADMIN, username="administrator"))
    response = client.post(changelist, action, follow=True)
    assert response.status_code == 200
    with creditor_scope(tenant_a.creditor):
        assert costs_charged(case) == Decimal("400.00")
