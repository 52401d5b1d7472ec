"""One sum per notice: the letter's payment section, the e-mail and the SMS name the same
amount (``notices.context.amount_due``), for every kind, each on a case in the state the kind
needs; and the kinds that ask for nothing name no sum in any of the three.

Before the kinds had one declaration, the missed-instalment e-mail and SMS asked for the whole
balance while the letter asked for the unpaid instalment.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.models import PaymentMethod
from cases.services import payment_register
from cases.services.lifecycle import dispute_open, dispute_resolve
from cases.services.plans import plan_activate, plan_propose
from collections_portal.tenancy import creditor_scope
from notices.context import amount_due, case_figures
from notices.delivery.messages import format_amount, notice_text
from notices.kinds import KINDS, PAYMENT_KINDS
from notices.models import Notice, NoticeKind
from notices.rendering import renderer_for
from tests.cases.helpers import at, claim, file_case
from tests.cases.test_credit_bureau import warned

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)

LETTER_AMOUNT = re.compile(
    r'class="label">(?:Beløb|Amount)</td><td><strong>(?:[A-Z]{3} )?([\d.,]+)'
)
TEXT_AMOUNT = re.compile(r"(?:Beløb at betale|Amount to pay): ([\d.,]+)")


def _letter_sum(notice: Notice) -> str | None:
    found = LETTER_AMOUNT.findall(renderer_for(notice).html(notice))
    assert len(found) <= 1, found
    return found[0] if found else None


def _text_sums(notice: Notice) -> tuple[str | None, str | None]:
    text = notice_text(notice)
    email, sms = TEXT_AMOUNT.findall(text.body), TEXT_AMOUNT.findall(text.sms)
    assert len(email) <= 1 and len(sms) <= 1, (email, sms)
    return (email[0] if email else None), (sms[0] if sms else None)


@pytest.fixture
def cases(tenant_a):
    """Claims due today (no interest yet, the sums are round): a case of 1000.00 on a plan of
    2 x 500.00 with 300.00 paid (the first instalment 200.00 short), and a case with a payment
    and a dispute on it."""
    creditor = tenant_a.creditor
    creditor.bank_reg_number, creditor.bank_account_number = "1234", "0012345678"
    creditor.save(update_fields=["bank_reg_number", "bank_account_number"])
    with at(TODAY), creditor_scope(creditor):
        planned = file_case(creditor, claim("A-1", "1000.00", TODAY))
        plan = plan_propose(case=planned, first_due=TODAY + timedelta(days=10), count=2)
        plan_activate(plan=plan, settlement_signed_on=TODAY)
        payment_register(
            case=planned, amount="300.00", received_on=TODAY, method=PaymentMethod.BANK_TRANSFER
        )
        other = file_case(creditor, claim("A-2", "400.00", TODAY))
        payment_register(
            case=other, amount="100.00", received_on=TODAY, method=PaymentMethod.BANK_TRANSFER
        )
        dispute_open(case=other, reason="Not ordered.", on=TODAY)
    return creditor, planned, other


# The case and the day each kind is made on, and the sum it must ask for.
SCENARIOS = {
    NoticeKind.REMINDER: ("planned", 0, "700.00"),
    NoticeKind.WARNING: ("planned", 0, "700.00"),
    NoticeKind.COLLECTION_LETTER: ("planned", 0, "700.00"),
    # The first instalment, less what was paid towards it.
    NoticeKind.PLAN_CONFIRMATION: ("planned", 0, "200.00"),
    # 12 days on, the first instalment is overdue: its unpaid part, not the balance of 700.00.
    NoticeKind.MISSED_INSTALMENT: ("planned", 12, "200.00"),
    # A document to sign: it asks for no sum of its own (the plan confirmation does).
    NoticeKind.ACKNOWLEDGEMENT: ("planned", 0, None),
    NoticeKind.RECEIPT: ("other", 0, None),
    NoticeKind.DISPUTE_ACK: ("other", 0, None),
    NoticeKind.DISPUTE_ANSWER: ("decided", 0, None),
    NoticeKind.CLOSED: ("other", 0, None),
    # The whole balance, interest and collection charges on it: the notice the warning made.
    NoticeKind.CREDIT_BUREAU_WARNING: ("bureau", 0, "balance"),
}


def test_every_kind_has_a_scenario():
    assert set(SCENARIOS) == set(KINDS) == set(NoticeKind.values)
    assert {k for k, (_c, _d, amount) in SCENARIOS.items() if amount} == PAYMENT_KINDS


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_the_letter_the_email_and_the_sms_name_the_same_sum(cases, kind, language):
    creditor, planned, other = cases
    which, days, expected = SCENARIOS[kind]
    if which == "bureau":
        case = warned(creditor)
        with creditor_scope(creditor):
            notice = Notice.objects.get(case=case, kind=kind)
        notice.language = language
        dated = notice.dated
    else:
        case = planned if which == "planned" else other
        if which == "decided":
            with at(TODAY), creditor_scope(creditor):
                case = file_case(creditor, claim("A-3", "300.00", TODAY))
                dispute = dispute_open(case=case, reason="Not ordered.", on=TODAY)
                dispute_resolve(dispute=dispute, outcome="rejected", note="It was.", user=None)
        dated = TODAY + timedelta(days=days)
        notice = Notice(
            creditor=creditor,
            case=case,
            kind=kind,
            sequence=1,
            dated=dated,
            deadline=dated + timedelta(days=7),
            language=language,
        )
    with at(dated), creditor_scope(creditor):
        due = amount_due(notice)
        if expected == "balance":
            expected = str(case_figures(case, on=dated).total)
        letter = _letter_sum(notice)
        email, sms = _text_sums(notice)
    if expected is None:
        assert (due, letter, email, sms) == (None, None, None, None)
        return
    assert due == Decimal(expected)
    written = format_amount(Decimal(expected), language)
    assert letter == email == sms == written, (letter, email, sms)
