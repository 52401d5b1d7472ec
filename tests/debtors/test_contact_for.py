"""Who to write to on which channel: the debtors' selector the delivery asks (the gateways
know no debtor)."""

import pytest

from collections_portal.tenancy import creditor_scope
from debtors.models import ContactKind, DebtorKind
from debtors.selectors import contact_for
from tests.factories import ContactPointFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def test_email_prefers_the_primary_address_then_consent(tenant_a):
    creditor = tenant_a.creditor
    with creditor_scope(creditor):
        debtor = DebtorFactory(creditor=creditor)
        assert contact_for(debtor=debtor, channel="email") is None
        ContactPointFactory(creditor=creditor, debtor=debtor, value="old@example.com")
        ContactPointFactory(
            creditor=creditor,
            debtor=debtor,
            value="ok@example.com",
            consent=True,
            consent_source="agent",
        )
        assert contact_for(debtor=debtor, channel="email").address == "ok@example.com"
        ContactPointFactory(
            creditor=creditor, debtor=debtor, value="main@example.com", is_primary=True
        )
        contact = contact_for(debtor=debtor, channel="email")
    assert (contact.address, contact.label, contact.name) == (
        "main@example.com",
        "main@example.com",
        debtor.name,
    )


def test_sms_only_to_a_mobile_number_with_consent(tenant_a):
    creditor = tenant_a.creditor
    with creditor_scope(creditor):
        debtor = DebtorFactory(creditor=creditor)
        ContactPointFactory(
            creditor=creditor, debtor=debtor, kind=ContactKind.MOBILE, value="+4520000001"
        )
        assert contact_for(debtor=debtor, channel="sms") is None
        ContactPointFactory(
            creditor=creditor,
            debtor=debtor,
            kind=ContactKind.MOBILE,
            value="+4520000002",
            consent=True,
            consent_source="agent",
        )
        assert contact_for(debtor=debtor, channel="sms").address == "+4520000002"


def test_digital_post_goes_by_national_id_shown_masked(tenant_a):
    creditor = tenant_a.creditor
    with creditor_scope(creditor):
        person = DebtorFactory(creditor=creditor)
        company = DebtorFactory(creditor=creditor, kind=DebtorKind.COMPANY)
        nobody = DebtorFactory(creditor=creditor, national_id="")
        contact = contact_for(debtor=person, channel="digital_post")
        assert (contact.address, contact.id_type) == (person.national_id, "CPR")
        assert contact.label == f"CPR {person.masked_national_id}"
        assert person.national_id not in contact.label
        contact = contact_for(debtor=company, channel="digital_post")
        assert (contact.address, contact.id_type) == (company.national_id, "CVR")
        assert contact_for(debtor=nobody, channel="digital_post") is None


def test_print_needs_a_whole_postal_address(tenant_a):
    creditor = tenant_a.creditor
    with creditor_scope(creditor):
        debtor = DebtorFactory(creditor=creditor, address_line="Vej 1", city="Aarhus C")
        assert contact_for(debtor=debtor, channel="print").address == (
            f"{debtor.name}, Vej 1, 8000 Aarhus C"
        )
        debtor.city = ""
        assert contact_for(debtor=debtor, channel="print") is None
    with pytest.raises(ValueError, match="fax"):
        contact_for(debtor=debtor, channel="fax")
