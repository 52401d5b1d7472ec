"""What a settlement produces: the statement as PDF and CSV, the payout file (pain.001) and the
``settlement.created`` webhook."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from collections_portal.tenancy import creditor_scope
from integrations.bank.payout import NS, pain001
from integrations.bank.statements import statement_csv, statement_pdf
from integrations.webhooks.models import WebhookEvent
from integrations.webhooks.services import webhook_endpoint_create
from tests.factories import CreditorFactory
from tests.notices.pdf import pdf_text

from .settle_helpers import known_case, pay_agency, pay_direct
from .test_settlements import agreement, scenario, settle

pytestmark = pytest.mark.django_db
D = Decimal
N = {"p": NS}


@pytest.fixture
def settlement(tenant_a, agent):
    creditor = agreement(tenant_a.creditor)
    creditor.language = "da"
    creditor.bank_reg_number, creditor.bank_account_number, creditor.iban = "1234", "567890", ""
    creditor.save()
    scenario(creditor, agent)
    return settle(creditor)


def test_the_statement_pdf_shows_the_figures(settlement, tmp_path):
    text = pdf_text(statement_pdf(settlement), tmp_path)
    assert "Afregningsopgørelse" in text
    assert settlement.number in text
    # Danish notation: 1.228,00 to pay out, 1.240,00 the creditor's share, 12,00 owed.
    for figure in ("1.228,00", "1.240,00", "1.600,00", "12,00", "160,00", "484,00"):
        assert figure in text, figure
    assert "Nettoudbetaling til jer" in text


def test_the_statement_pdf_in_english(settlement, tmp_path):
    settlement.creditor.language = "en"
    text = pdf_text(statement_pdf(settlement), tmp_path)
    assert "Settlement statement" in text
    assert "1,228.00" in text


def test_the_statement_csv(settlement):
    rows = list(csv.reader(io.StringIO(statement_csv(settlement)), delimiter=";"))
    header, body = rows[0], rows[1:4]
    assert header[0] == "Sag"
    assert sorted(row[3] for row in body) == ["1000.00", "400.00", "600.00"]
    assert sum(D(row[3]) for row in body) == D("2000.00")
    direct = [row for row in body if row[2] == "ja"]
    assert len(direct) == 1 and direct[0][11:13] == ["388.00", "12.00"]
    totals = {row[0]: row[1] for row in rows[5:]}
    assert totals["Nettoudbetaling til jer"] == "1228.00"
    assert totals["I skylder bureauet for betalinger direkte til jer"] == "12.00"


def test_the_payout_file_structure_and_sums(settlement, tenant_b, agent, settings):
    settings.AGENCY_BANK_REG, settings.AGENCY_BANK_ACCOUNT = "9999", "0001234567"
    other = agreement(tenant_b.creditor, share="0", commission="0")
    other.iban = "DK5000400440116243"
    other.save()
    pay_agency(known_case(other, "1000.00"), "250.50", agent)
    second = settle(other)

    root = etree.fromstring(pain001([settlement, second]))
    assert root.tag == f"{{{NS}}}Document"
    assert root.nsmap[None] == "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", N)
    assert header.findtext("p:NbOfTxs", namespaces=N) == "2"
    assert header.findtext("p:CtrlSum", namespaces=N) == "1478.50"  # 1228.00 + 250.50
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", N)
    assert info.findtext("p:PmtMtd", namespaces=N) == "TRF"
    assert info.findtext("p:NbOfTxs", namespaces=N) == "2"
    assert info.findtext("p:CtrlSum", namespaces=N) == "1478.50"
    assert info.findtext("p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=N) == "99990001234567"
    transfers = info.findall("p:CdtTrfTxInf", N)
    amounts = [D(t.findtext("p:Amt/p:InstdAmt", namespaces=N)) for t in transfers]
    assert sum(amounts) == D(header.findtext("p:CtrlSum", namespaces=N))
    assert all(t.find("p:Amt/p:InstdAmt", N).get("Ccy") == "DKK" for t in transfers)
    first, last = transfers
    assert first.findtext("p:PmtId/p:EndToEndId", namespaces=N) == settlement.number
    # Danish domestic: registration number + account number (padded to 10) as BBAN.
    assert first.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=N) == "12340000567890"
    assert first.findtext("p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Cd", namespaces=N) == "BBAN"
    assert last.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=N) == "DK5000400440116243"
    # Order of the elements as the schema requires them in a transfer.
    assert [etree.QName(child).localname for child in first] == [
        "PmtId",
        "Amt",
        "Cdtr",
        "CdtrAcct",
        "RmtInf",
    ]
    assert [etree.QName(child).localname for child in header] == [
        "MsgId",
        "CreDtTm",
        "NbOfTxs",
        "CtrlSum",
        "InitgPty",
    ]


def test_no_transfer_when_the_creditor_owes_the_agency(tenant_a, agent):
    creditor = agreement(tenant_a.creditor, commission="50")
    pay_direct(known_case(creditor, "1000.00"), "1000.00")  # 500 commission owed
    s = settle(creditor)
    assert s.payout == D("-500.00")
    with pytest.raises(ValidationError):
        pain001([s])


def test_no_transfer_without_an_account(tenant_a, agent):
    creditor = agreement(CreditorFactory(bank_reg_number="", bank_account_number="", iban=""))
    pay_agency(known_case(creditor, "1000.00"), "100.00", agent)
    with pytest.raises(ValidationError):
        pain001([settle(creditor)])


def test_the_webhook_is_recorded_with_the_settlement(tenant_a, agent, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    creditor = agreement(tenant_a.creditor)
    with creditor_scope(creditor):
        webhook_endpoint_create(
            creditor_id=creditor.pk, url="http://127.0.0.1:9/hook", events=["settlement.created"]
        )
    pay_agency(known_case(creditor, "1000.00"), "100.00", agent)
    s = settle(creditor)
    with creditor_scope(creditor):
        event = WebhookEvent.objects.get(type="settlement.created")
    data = event.payload.get("data", event.payload)
    assert data["settlement"]["reference"] == s.number
    assert data["settlement"]["payout"] == "90.00"  # 100 less 10 % commission
    assert data["settlement"]["statement_pdf"].endswith(f"{s.public_id}/statement.pdf")
