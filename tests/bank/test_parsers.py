"""The readers alone: encodings, entities, the CSV export's forms."""

from decimal import Decimal

import pytest

from integrations.bank import parsers

from .conftest import sample

ENTRY = (
    "<Ntry><Amt Ccy='DKK'>10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
    "<BookgDt><Dt>2026-03-10</Dt></BookgDt><AcctSvcrRef>R-1</AcctSvcrRef>"
    "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>"
    "</Ntry>"
)


def camt(entry: str, prolog: str = "<?xml version='1.0' encoding='UTF-8'?>") -> str:
    return (
        f"{prolog}<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.02'>"
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId></GrpHdr><Ntfctn><Id>N</Id>"
        f"<Acct><Id><IBAN>DK5030000001234567</IBAN></Id></Acct>{entry}</Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>"
    )


def test_a_latin1_file_keeps_its_danish_letters():
    data = camt(ENTRY.format(name="Søren Ærø Å"), "<?xml version='1.0' encoding='ISO-8859-1'?>")
    [entry] = parsers.parse(data.encode("latin-1")).entries
    assert entry.debtor_name == "Søren Ærø Å"


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    prolog = f"<?xml version='1.0'?><!DOCTYPE Document [<!ENTITY x SYSTEM 'file://{secret}'>]>"
    data = camt(ENTRY.format(name="&x;"), prolog).encode()
    entries = list(parsers.parse(data).entries)
    assert all("TOPSECRET" not in e.debtor_name for e in entries)


def test_the_csv_export_forms():
    data = sample("bank_export.csv", AMOUNT_A="1.234,50", PID_A="000000000000018")
    first, money_out, bad = parsers.parse(data).entries
    assert (first.amount, first.credit, first.payment_references) == (
        Decimal("1234.50"),
        True,
        ["000000000000018"],
    )
    assert (money_out.amount, money_out.credit) == (Decimal("50.00"), False)
    assert bad.error
    comma = b"reference,date,amount\nX-1,2026-03-10,12.5\n"
    [row] = parsers.parse(comma).entries
    assert row.amount == Decimal("12.5") and row.currency == "DKK"


@pytest.mark.parametrize("amount", ["0.001", "-0", "NaN", "1e3"])
def test_odd_amounts_are_the_entrys_rejection(amount):
    data = camt(ENTRY.replace("10.00", amount).format(name="A"))
    [entry] = parsers.parse(data.encode()).entries
    assert entry.error


@pytest.mark.parametrize(
    ("text", "amount", "credit"),
    [
        ('"1.234,50"', Decimal("1234.50"), True),
        ('"-1.234,50"', Decimal("1234.50"), False),
        ('"1,234.50"', Decimal("1234.50"), True),  # English thousands: the money module's notation
        ('"-1,234.50"', Decimal("1234.50"), False),
        ("+20", Decimal("20.00"), True),
    ],
)
def test_csv_amounts_are_read_by_the_money_module_in_either_notation(text, amount, credit):
    data = f"reference,date,amount\nX-1,2026-03-10,{text}\n".encode()
    [row] = parsers.parse(data).entries
    assert not row.error, row.error
    assert (row.amount, row.credit) == (amount, credit)


@pytest.mark.parametrize("text", ["0", '"-0,00"', "12.345", "1e3", "--5", "abc"])
def test_odd_csv_amounts_are_the_lines_rejection(text):
    [row] = parsers.parse(f"reference,date,amount\nX-1,2026-03-10,{text}\n".encode()).entries
    assert row.error and row.amount is None
