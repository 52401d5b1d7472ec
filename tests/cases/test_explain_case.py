"""explain_case prints a case's balance as of a date with every figure's explanation."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from cases.models import ReferenceRate
from cases.services import lifecycle as lc
from collections_portal.tenancy import creditor_scope

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tenant_a):
    case = file_case(
        tenant_a.creditor,
        claim("INV-7", "10000.00", date(2024, 12, 15), invoice=date(2024, 11, 15)),
    )
    with creditor_scope(tenant_a.creditor):
        # The handover fee and collection costs (1,300 for a claim of 10,000), charged as the
        # law allows: after a collection warning whose deadline has passed.
        hand_over(case, warned_on=date(2025, 1, 20), on=date(2025, 2, 1))
    return case


def hand_over(case, *, warned_on: date, on: date) -> None:
    with at(warned_on):
        lc.case_send_warning(case=case, on=warned_on)
    with at(on):
        lc.case_hand_over(case=case, on=on)


def explain(reference: str, on: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("explain_case", reference, "--on", on, stdout=out)
    return out.getvalue()


def test_it_explains_every_figure_as_of_a_date(case):
    text = explain(case.reference, "2025-08-01")
    assert f"Case {case.reference}" in text
    assert "Profile DK@" in text
    assert case.payment_id in text
    # The principal with its invoice, the fee with its rule.
    assert "Invoice INV-7 of 2024-11-15, due 2024-12-15" in text
    assert "handover_fee" in text or "Handover fee" in text
    assert "9 b" in text  # renteloven § 9 b stk. 3
    # Interest split at both half-year boundaries, with each period's rate.
    assert "2024-12-16..2025-08-01" in text
    for rate in ("11.50", "10.75", "9.75"):
        assert rate in text
    assert (
        "the claim: the limitation period ends on 2027-12-15 (time-barred from 2027-12-16)" in text
    )
    assert "total" in text


def test_the_balance_adds_up(case):
    text = explain(case.reference, "2025-08-01")
    lines = {
        line.split()[0]: line.split()[-1]
        for line in text.splitlines()
        if line.startswith("  ") and len(line.split()) >= 2
    }
    principal = Decimal(lines["principal"])
    costs = Decimal(text.split("fees and costs")[1].split()[0])
    accrued = Decimal(text.split("interest accrued ")[1].split()[0])
    total = Decimal(text.split("  total")[1].split()[0])
    assert principal == Decimal("10000.00")
    assert costs == Decimal("1400.00")
    assert accrued > 0
    assert total == principal + costs + accrued


def test_a_missing_half_year_rate_is_named(case):
    ReferenceRate.objects.filter(valid_from=date(2025, 7, 1)).delete()
    text = explain(case.reference, "2025-08-01")
    assert "NOTE: No reference rate is recorded for the half-year from 2025-07-01" in text
    assert "2024-12-16..2025-06-30" in text


def test_an_unknown_reference_is_an_error():
    with pytest.raises(CommandError):
        explain("999999999", "2025-08-01")


def test_a_payment_interrupts_limitation_once_however_it_was_split(tenant_a):
    from cases.models import PaymentMethod
    from cases.selectors import claim_limitations
    from cases.services import payment_register

    case = file_case(tenant_a.creditor, claim("LIM-1", "1000.00", date(2025, 1, 31)))
    with creditor_scope(tenant_a.creditor):
        hand_over(case, warned_on=date(2025, 2, 1), on=date(2025, 2, 12))  # costs 100 + 400
        # One payment split over costs and principal: one acknowledgement.
        payment_register(
            case=case,
            amount="600.00",
            received_on=date(2025, 3, 1),
            method=PaymentMethod.BANK_TRANSFER,
            post_interest=False,
        )
        (limitation,) = claim_limitations(case, on=date(2025, 6, 1))
    assert limitation.figure.dates[0] == date(2028, 3, 1)
    assert limitation.figure.explanation.count("2025-03-01 interrupts") == 1
