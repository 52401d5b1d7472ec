"""Bank files in: camt.054, camt.053 and CSV from several banks, each matching rule, returns,
duplicates and broken files."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.models import CaseState, EntryKind, LedgerEntry, Payment, PaymentMethod
from cases.selectors import case_balance
from collections_portal.tenancy import agency_scope, creditor_scope
from integrations.bank.models import (
    BankEntry,
    BankFileStatus,
    EntryStatus,
    PaymentSource,
    ReceivedPayment,
    UnmatchedPayment,
)
from integrations.bank.services import BankFileError, bank_file_receive

from .conftest import debt_case, fresh, read_file, sample

pytestmark = pytest.mark.django_db

CAMT054_02 = b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.02'>"


def payments(case) -> list[Payment]:
    with creditor_scope(case.creditor_id):
        return list(Payment.objects.filter(case=case, reversed_at__isnull=True))


def allocated(payment: Payment) -> Decimal:
    with creditor_scope(payment.creditor_id):
        return -sum(
            e.amount for e in LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT)
        )


def test_danske_batch_entry_books_by_payment_id_and_by_case_number(tenant_a, tenant_b):
    case_a = debt_case(tenant_a.creditor, name="Søren Ærø Åberg")
    case_b = debt_case(tenant_b.creditor)
    data = sample(
        "danske_camt054_v02.xml",
        TOTAL="700.00",
        AMOUNT_A="400.00",
        AMOUNT_B="300.00",
        PID_A=case_a.payment_id,
        CASE_B=case_b.number,
    )
    bank_file = read_file(data, "danske.xml")
    assert bank_file.status == BankFileStatus.FINISHED, bank_file.error
    assert (bank_file.format, bank_file.message_id) == ("camt054", "DB-20260310-0001")
    assert (bank_file.entries_total, bank_file.booked, bank_file.unmatched) == (2, 2, 0)
    [pay_a] = payments(case_a)
    [pay_b] = payments(case_b)
    assert (pay_a.amount, pay_a.method) == (Decimal("400.00"), PaymentMethod.FIK)
    assert (pay_b.amount, pay_b.method) == (Decimal("300.00"), PaymentMethod.BANK_TRANSFER)
    assert allocated(pay_a) == Decimal("400.00")  # allocated in full by the payment service
    entry_a = BankEntry.objects.get(reference="DB2026031000001/DB-TX-1")
    assert entry_a.debtor_name == "Søren Ærø Åberg"
    assert (entry_a.match_rule, entry_a.creditor_id) == ("fik", tenant_a.creditor.pk)
    booked = ReceivedPayment.objects.get(payment=pay_b)
    assert (booked.creditor_id, booked.source, booked.settled_at) == (
        tenant_b.creditor.pk,
        PaymentSource.BANK,
        None,
    )
    assert booked.entry.match_rule == "case_number"
    assert not booked.entry.settled


def test_a_payment_that_covers_the_balance_closes_the_case(tenant_a):
    case = debt_case(tenant_a.creditor, "500.00")
    data = sample(
        "danske_camt054_v02.xml",
        TOTAL="5001.00",
        AMOUNT_A="5000.00",
        AMOUNT_B="1.00",
        PID_A=case.payment_id,
        CASE_B="1",
    )
    read_file(data)
    case = fresh(case)
    assert case.state == CaseState.CLOSED
    with creditor_scope(case.creditor_id):
        assert case_balance(case).total == 0
        assert case_balance(case).credit > 0
        assert case.events.filter(code="payment.received").exists()


def test_the_same_file_twice_is_refused_and_the_same_entries_are_booked_once(tenant_a):
    case = debt_case(tenant_a.creditor)
    values = {
        "TOTAL": "300.00",
        "AMOUNT_A": "200.00",
        "AMOUNT_B": "100.00",
        "PID_A": case.payment_id,
        "CASE_B": "1",
    }
    read_file(sample("danske_camt054_v02.xml", **values))
    with pytest.raises(BankFileError) as refused:
        bank_file_receive(data=sample("danske_camt054_v02.xml", **values), source="test")
    assert refused.value.code == "duplicate_file"
    # The same entries in another file (a resend with a new header) book nothing again.
    again = sample("danske_camt054_v02.xml", **values).replace(b"DB-20260310-0001", b"RESEND-1")
    second = read_file(again)
    assert second.status == BankFileStatus.FINISHED
    assert (second.duplicates, second.booked) == (2, 0)
    assert len(payments(case)) == 1
    assert "Seen before" in second.entries.first().reason


def test_nordea_v08_leading_zeros_dropped_pending_and_a_bad_entry(tenant_a, tenant_b):
    case_a = debt_case(tenant_a.creditor)
    case_b = debt_case(tenant_b.creditor, "750.00", name="Bente Kjær")
    with creditor_scope(case_b.creditor_id):
        balance_b = case_balance(case_b).total
    data = sample(
        "nordea_camt054_v08.xml",
        AMOUNT_A="123.45",
        PID_A_SHORT=case_a.payment_id.lstrip("0"),
        AMOUNT_B=balance_b,
        NAME_B="bente  kjær",
    )
    bank_file = read_file(data, "nordea.xml")
    assert bank_file.status == BankFileStatus.FINISHED
    assert bank_file.account == "20001234567890"
    assert (bank_file.booked, bank_file.unmatched, bank_file.ignored, bank_file.rejected) == (
        1,
        1,
        1,
        1,
    )
    [pay_a] = payments(case_a)
    assert pay_a.amount == Decimal("123.45")
    assert BankEntry.objects.get(reference="NDEA-E-1").debtor_name == "Åse Østergård"
    # No reference: suggested by name and amount, never booked by itself.
    item = UnmatchedPayment.objects.get(entry__reference="NDEA-E-2")
    assert payments(case_b) == []
    assert item.suggestions[0]["case"] == case_b.pk
    assert "balance" in item.suggestions[0]["why"]
    rejected = BankEntry.objects.get(status=EntryStatus.REJECTED)
    assert "cannot be read" in rejected.reason
    assert BankEntry.objects.get(reference="NDEA-E-3").status == EntryStatus.IGNORED


def test_jyske_statement_code_line_creditor_reference_and_money_out(tenant_a):
    case_a = debt_case(tenant_a.creditor)
    case_b = debt_case(tenant_a.creditor, creditor_reference="KUNDE-4711")
    data = sample(
        "jyske_camt053_v02.xml",
        AMOUNT_A="100.00",
        PID_A=case_a.payment_id,
        AMOUNT_B="200.00",
        CREDITOR_REF_B="KUNDE-4711",
    )
    bank_file = read_file(data, "jyske.xml")
    assert (bank_file.format, bank_file.booked, bank_file.ignored) == ("camt053", 2, 1)
    assert payments(case_a)[0].method == PaymentMethod.FIK
    assert payments(case_b)[0].amount == Decimal("200.00")
    assert BankEntry.objects.get(reference="JB-REF-2").match_rule == "creditor_reference"
    assert BankEntry.objects.get(reference="JB-REF-3").reason == "Money out of the account."


def test_a_returned_payment_reverses_what_it_booked(tenant_a):
    case = debt_case(tenant_a.creditor)
    values = {
        "TOTAL": "300.00",
        "AMOUNT_A": "200.00",
        "AMOUNT_B": "100.00",
        "PID_A": case.payment_id,
    }
    read_file(sample("danske_camt054_v02.xml", CASE_B="1", **values))
    [payment] = payments(case)
    returned = read_file(sample("return_camt054_v02.xml", AMOUNT_A="200.00"), "return.xml")
    assert returned.returned == 1
    with creditor_scope(case.creditor_id):
        payment.refresh_from_db()
        assert payment.reversed_at is not None
        assert "AC04" in payment.reversal_reason and "Konto lukket" in payment.reversal_reason
        assert (
            allocated(payment) == 0
            or LedgerEntry.objects.filter(payment=payment, kind=EntryKind.REVERSAL).exists()
        )
    original = BankEntry.objects.get(end_to_end_id="E2E-DB-1", credit=True)
    assert original.status == EntryStatus.RETURNED
    assert original.returned_by.get().status == EntryStatus.RETURN


def test_a_reversal_entry_reverses_by_payment_id_and_amount(tenant_a):
    case = debt_case(tenant_a.creditor)
    values = {"AMOUNT_A": "100.00", "PID_A": case.payment_id}
    read_file(sample("jyske_camt053_v02.xml", AMOUNT_B="1.00", CREDITOR_REF_B="x", **values))
    read_file(sample("reversal_camt053_v02.xml", **values))
    assert payments(case) == []
    assert BankEntry.objects.get(reference="JB-REF-1").status == EntryStatus.RETURNED


def test_a_return_of_an_unmatched_payment_closes_the_item(tenant_a):
    read_file(
        sample(
            "danske_camt054_v02.xml",
            TOTAL="300.00",
            AMOUNT_A="200.00",
            AMOUNT_B="100.00",
            PID_A="000000000000000",  # no such case
            CASE_B="1",
        )
    )
    item = UnmatchedPayment.objects.get(entry__end_to_end_id="E2E-DB-1")
    read_file(sample("return_camt054_v02.xml", AMOUNT_A="200.00"))
    item.refresh_from_db()
    assert item.status == "returned"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "GrpHdr/MsgId"),
        (
            b"<?xml version='1.0'?>"
            + CAMT054_02
            + b"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>1</MsgId>",
            "well-formed",
        ),
        (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.01'/>", "version 01"),
        (
            CAMT054_02 + b"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>1</MsgId></GrpHdr>"
            b"<Ntfctn><Id>1</Id></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>",
            "Acct/Id",
        ),
        (b"reference;amount\nX;1\n", "date"),
    ],
)
def test_a_file_with_a_bad_structure_is_refused_whole(tenant_a, data, reason):
    data = data or sample("broken_no_msgid.xml")
    bank_file = read_file(data)
    assert bank_file.status == BankFileStatus.FAILED
    assert reason in bank_file.error
    assert bank_file.entries.count() == 0


def test_xml_that_is_no_camt_message_is_refused_at_upload():
    with pytest.raises(BankFileError, match="camt"):
        bank_file_receive(data=b"<pain.001/>", source="test")
    with pytest.raises(BankFileError, match="empty"):
        bank_file_receive(data=b"  \n", source="test")


def test_csv_export(tenant_a):
    case = debt_case(tenant_a.creditor)
    bank_file = read_file(sample("bank_export.csv", AMOUNT_A="1.234,50", PID_A=case.payment_id))
    assert bank_file.format == "csv"
    assert (bank_file.booked, bank_file.ignored, bank_file.rejected) == (1, 1, 1)
    assert payments(case)[0].amount == Decimal("1234.50")
    assert BankEntry.objects.get(reference="CSV-1").debtor_name == "Bjørn Æbelø"


def test_unsure_matches_are_left_for_an_agent(tenant_a, tenant_b):
    closed = debt_case(tenant_a.creditor, "100.00")
    read_file(
        sample(
            "danske_camt054_v02.xml",
            TOTAL="1000.00",
            AMOUNT_A="500.00",
            AMOUNT_B="500.00",
            PID_A=closed.payment_id,
            CASE_B="1",
        )
    )
    assert fresh(closed).state == CaseState.CLOSED
    wrong_digit = closed.payment_id[:-1] + str((int(closed.payment_id[-1]) + 1) % 10)
    other = debt_case(tenant_b.creditor)
    bank_file = read_file(
        sample(
            "danske_camt054_v02.xml",
            TOTAL="30.00",
            AMOUNT_A="10.00",
            AMOUNT_B="20.00",
            PID_A=wrong_digit,
            CASE_B=f"{closed.number} og {other.number}",
        ).replace(b"DB-TX-", b"DB-TY-")
    )
    assert bank_file.unmatched == 2 and bank_file.booked == 0
    by_digit = UnmatchedPayment.objects.get(amount=Decimal("10.00"))
    assert "wrong check digit" in by_digit.reason
    two_cases = UnmatchedPayment.objects.get(amount=Decimal("20.00"))
    # The text names two cases (one open, one closed): not sure which, so both are suggested.
    assert "several cases" in two_cases.reason
    assert {s["case"] for s in two_cases.suggestions} <= {closed.pk, other.pk}
    with agency_scope(reason="test"):
        assert not Payment.objects.filter(case=other).exists()
