"""Claims that fell due before 2024 are computed: the Danish profile and the reference-rate
table reach back to 2013-01-01 (the 7-point margin for claims due before 2013-03-01, 8 after),
and a creditor's agreement may set the act/365 day count for real cases."""

from datetime import date
from decimal import Decimal

import pytest

from cases import selectors
from cases.services import lifecycle as lc
from collections_portal.tenancy import creditor_scope

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
TODAY = date(2026, 2, 2)


def accruals(case, up_to=TODAY):
    with creditor_scope(case.creditor):
        return selectors.interest_accruals(case=case, up_to=up_to)


def test_an_old_claim_handed_over_today_gets_its_interest_from_its_due_date(tenant_a):
    with at(TODAY):
        case = file_case(
            tenant_a.creditor, claim("OLD-1", "10000.00", date(2015, 6, 1), due_date_agreed=True)
        )
    (accrual,) = accruals(case)
    first = accrual.figure.parts[0]
    assert accrual.figure.dates == (date(2015, 6, 2), TODAY)
    assert first.dates == (date(2015, 6, 2), date(2015, 6, 30))
    assert "8.20 %" in first.explanation or "8.20%" in first.explanation  # 0.20 + 8 points
    assert "unverified" in first.explanation  # the 2015 rate is not checked at the source
    # Every half-year since has its rate: nothing stops at a missing one.
    assert accrual.figure.parts[-1].dates[1] == TODAY
    with creditor_scope(case.creditor):
        statement = selectors.case_statement(case, on=TODAY)
    assert statement.missing_rates_from is None
    # 10,000 at about 8 % for more than 10 years.
    assert accrual.figure.amount > Decimal("8000.00")


def test_a_claim_due_before_march_2013_has_the_seven_point_margin(tenant_a):
    with at(TODAY):
        case = file_case(
            tenant_a.creditor, claim("OLD-2", "1000.00", date(2013, 2, 1), due_date_agreed=True)
        )
    (accrual,) = accruals(case, up_to=date(2013, 6, 30))
    (part,) = accrual.figure.parts
    assert "7.20" in part.explanation  # 0.20 + 7 points


def test_a_creditors_old_warning_is_checked_by_the_rules_of_its_day(tenant_a):
    with at(TODAY):
        case = file_case(
            tenant_a.creditor,
            claim("OLD-3", "1000.00", date(2019, 1, 10)),
            creditor_warning_sent_on=date(2019, 2, 1),
        )
        with creditor_scope(tenant_a.creditor):
            lc.case_accept_creditor_warning(case=case)
            case.refresh_from_db()
    assert case.warning_deadline == date(2019, 2, 11)


def test_the_creditors_act_365_agreement_reaches_real_cases(tenant_a, tenant_b):
    tenant_b.creditor.interest_day_count = "act/365"
    tenant_b.creditor.save(update_fields=["interest_day_count"])
    due = date(2025, 1, 31)
    with at(TODAY):
        thirty = file_case(tenant_a.creditor, claim("D-1", "10000.00", due, due_date_agreed=True))
        actual = file_case(tenant_b.creditor, claim("D-1", "10000.00", due, due_date_agreed=True))
    (a,) = accruals(thirty, up_to=date(2025, 3, 1))
    (b,) = accruals(actual, up_to=date(2025, 3, 1))
    # 1 February to 1 March: 31 days of 360 by 30/360, 29 of 365 by act/365, at 10.75 %.
    assert a.figure.amount == Decimal("92.57")
    assert b.figure.amount == Decimal("85.41")
    assert "as agreed with the creditor" in b.figure.explanation
    assert "as agreed with the creditor" not in a.figure.explanation
