"""The texts that announce a letter: every kind in both languages, none saying "inkasso"."""

from datetime import date
from decimal import Decimal

import pytest

from collections_portal.tenancy import creditor_scope
from notices.delivery.messages import PAYMENT_KINDS, format_amount, notice_text
from notices.models import Notice, NoticeKind

from .pdfs import DUE, case_owing

pytestmark = pytest.mark.django_db


def test_amounts_are_written_the_danish_and_the_english_way():
    assert format_amount(Decimal("1234567.5"), "da") == "1.234.567,50"
    assert format_amount(Decimal("1234567.5"), "en") == "1,234,567.50"
    assert format_amount(Decimal("0"), "da") == "0,00"


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_kind_has_a_discreet_subject_sms_and_title(tenant_a, language):
    creditor = tenant_a.creditor
    creditor.bank_reg_number, creditor.bank_account_number = "1234", "0012345678"
    creditor.save(update_fields=["bank_reg_number", "bank_account_number"])
    case = case_owing(creditor, amount="2500.00")
    with creditor_scope(creditor):
        # The plan's kinds need a plan: tests/notices/test_amount_due.py has them.
        plan_kinds = {NoticeKind.PLAN_CONFIRMATION, NoticeKind.MISSED_INSTALMENT}
        for kind in set(NoticeKind.values) - plan_kinds:
            notice = Notice(
                creditor=creditor, case=case, kind=kind, dated=DUE, deadline=date(2025, 3, 11),
                language=language,
            )  # fmt: skip
            text = notice_text(notice)
            for part in (text.subject, text.sms, text.title, text.body):
                assert part
                assert "inkasso" not in part.lower(), (kind, part)
            assert str(case.number) in text.subject
            assert str(case.number) in text.sms
            amount = "2.500,00" if language == "da" else "2,500.00"
            if kind in PAYMENT_KINDS:
                # How much, by when and how: from the ledger, the notice and the creditor.
                assert amount in text.sms and case.payment_id in text.sms
                assert "1234" in text.sms and "0012345678" in text.sms
            else:
                assert amount not in text.sms
