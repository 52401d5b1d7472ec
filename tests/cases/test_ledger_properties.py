"""Property tests: for random sequences of postings, payments and reversals, the ledger holds.

- a balance always equals the sum of its entries;
- no owed component (per claim) ever goes negative;
- each payment's allocation plus credit equals the payment;
- reversing every payment restores the balances from before any payment.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import CaseFigures, Component, EntryKind, LedgerEntry, Payment, PaymentMethod
from cases.selectors import case_balance, component_balances
from cases.services import case_create, ledger_post, payment_register, payment_reverse
from collections_portal.tenancy import creditor_scope
from tests.factories import CreditorFactory, DebtorFactory

from .helpers import claim

pytestmark = pytest.mark.django_db
FUTURE = date(2099, 1, 1)  # no interest accrues on claims due in the future
ON = date(2026, 1, 15)

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
FEES = [EntryKind.REMINDER_FEE, EntryKind.COLLECTION_COSTS, EntryKind.COMPENSATION]
operation = st.one_of(
    st.tuples(st.just("fee"), st.sampled_from(FEES), st.integers(0, 2), money),
    st.tuples(st.just("pay"), money, st.one_of(st.none(), st.integers(0, 2))),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
)


def check_invariants(case) -> None:
    entries = list(LedgerEntry.objects.filter(case=case))
    balance = case_balance(case)
    by_component = {
        c: sum((e.amount for e in entries if e.component == c), Decimal(0)) for c in Component
    }
    assert balance.principal == by_component[Component.PRINCIPAL]
    assert balance.interest == by_component[Component.INTEREST]
    assert balance.costs == by_component[Component.COSTS]
    assert balance.credit == -by_component[Component.CREDIT]
    # The stored figures (kept by the database's triggers) say the same.
    stored = CaseFigures.objects.get(case=case)
    assert (stored.principal, stored.interest, stored.costs, stored.credit) == (
        balance.principal,
        balance.interest,
        balance.costs,
        balance.credit,
    )
    assert stored.balance == balance.total
    for (claim_id, component), amount in component_balances(case).items():
        if component == Component.CREDIT:
            assert amount <= 0
        else:
            assert amount >= 0, (claim_id, component, amount)
    for payment in Payment.objects.filter(case=case, reversed_at__isnull=True):
        allocated = sum(
            e.amount for e in entries if e.payment_id == payment.pk and e.kind == "payment"
        )
        assert -allocated == payment.amount


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    principals=st.lists(money, min_size=1, max_size=3),
    operations=st.lists(operation, max_size=10),
)
def test_the_ledger_holds_for_any_sequence(principals, operations):
    with transaction.atomic():
        creditor = CreditorFactory()
        with creditor_scope(creditor):
            case = case_create(
                creditor=creditor,
                debtor=DebtorFactory(creditor=creditor),
                claims=[claim(f"P{i}", str(p), FUTURE) for i, p in enumerate(principals)],
            )
            claims = list(case.claims.order_by("pk"))
            charges = dict(component_balances(case))
            payments = []
            for op in operations:
                if op[0] == "fee":
                    _, kind, index, amount = op
                    target = claims[index % len(claims)]
                    ledger_post(case=case, claim=target, kind=kind, amount=amount, posted_on=ON)
                    key = (target.pk, Component.COSTS)
                    charges[key] = charges.get(key, Decimal(0)) + amount
                elif op[0] == "pay":
                    _, amount, designated = op
                    payments.append(
                        payment_register(
                            case=case,
                            amount=amount,
                            received_on=ON,
                            method=PaymentMethod.FIK,
                            designated_claim=None
                            if designated is None
                            else claims[designated % len(claims)],
                        )
                    )
                elif payments:
                    payment_reverse(payment=payments[op[1] % len(payments)], reason="property test")
                check_invariants(case)
            for payment in payments:
                payment_reverse(payment=payment, reason="undo all")
            restored = {k: v for k, v in component_balances(case).items() if v}
            assert restored == {k: v for k, v in charges.items() if v}
        transaction.set_rollback(True)
