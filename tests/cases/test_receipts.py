"""A payment on a case the debtor has had a letter on gets a receipt for that very payment;
a payment that settles the case gets the closing letter instead; the creditor can turn
receipts off."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cases.models import CaseState, PaymentMethod
from cases.selectors import case_balance
from cases.services import lifecycle, payment_register
from collections_portal.tenancy import creditor_scope
from notices.context import notice_context
from notices.models import Notice, NoticeKind
from notices.services import notice_render
from tests.notices.pdf import pdf_text

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
DUE = date(2025, 3, 3)
REMINDED = date(2025, 3, 10)
PAID = date(2025, 3, 14)


@pytest.fixture
def case(tenant_a):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("K-1", "1000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        yield case


def remind(case):
    with at(REMINDED):
        lifecycle.case_send_reminder(case=case, on=REMINDED)


def pay(case, amount: str, on: date = PAID):
    with at(on):
        return payment_register(
            case=case, amount=Decimal(amount), received_on=on, method=PaymentMethod.FIK
        )


def receipts(case):
    return list(Notice.objects.filter(case=case, kind=NoticeKind.RECEIPT).order_by("pk"))


def test_each_payment_gets_a_receipt_that_names_that_payment_and_what_is_left(case, tmp_path):
    remind(case)
    first = pay(case, "300.00")
    second = pay(case, "200.00")  # the same day: each receipt still names its own payment

    one, two = receipts(case)
    assert (one.payment, one.sequence, one.dated) == (first, 1, PAID)
    assert (two.payment, two.sequence) == (second, 2)
    assert notice_context(one, preview=False)["received"] == first
    assert notice_context(two, preview=False)["received"] == second

    with at(PAID):
        text = pdf_text(notice_render(notice=two).pdf.read(), tmp_path)
    assert "Kvittering for din betaling" in text
    assert "200,00 DKK" in text  # the payment
    assert "14. marts 2025" in text  # the day it was received
    # 1,000 + the 100 reminder fee + interest 3-14 March (1,000 x 10.75% x 11/360 = 3.28,
    # posted before each payment) - 500 paid: the ledger's balance that day.
    assert case_balance(case).total == Decimal("603.28")
    assert "Restgælden er herefter 603,28 DKK" in text


def test_a_payment_that_settles_the_case_gets_the_closing_letter_not_a_receipt(case):
    remind(case)
    pay(case, "1103.28")  # the invoice, the reminder fee and interest to the day

    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert receipts(case) == []
    assert Notice.objects.filter(case=case, kind=NoticeKind.CLOSED).count() == 1


def test_no_receipt_before_any_letter_has_gone_out(case):
    pay(case, "100.00")
    assert receipts(case) == []


def test_no_receipt_when_the_creditor_has_turned_receipts_off(case):
    case.creditor.policy_payment_receipts = False
    case.creditor.save(update_fields=["policy_payment_receipts"])
    remind(case)
    pay(case, "100.00")
    assert receipts(case) == []


def test_a_payment_has_one_receipt_at_most(case):
    remind(case)
    payment = pay(case, "100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        lifecycle._notice(case, NoticeKind.RECEIPT, dated=PAID, payment=payment)
