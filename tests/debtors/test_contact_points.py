"""E-mail addresses and phone numbers of debtors: normalised, one per value, one primary."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from collections_portal.tenancy import creditor_scope
from debtors.models import ContactKind, ContactPoint, ContactSource
from debtors.services import contact_point_add
from tests.factories import ContactPointFactory, DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor(tenant_a):
    return tenant_a.debtor


def add(debtor, **fields):
    with creditor_scope(debtor.creditor_id):
        return contact_point_add(debtor=debtor, **fields)


def points(debtor):
    with creditor_scope(debtor.creditor_id):
        return list(
            ContactPoint.objects.filter(debtor=debtor).values_list("kind", "value", "is_primary")
        )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("20 12 34 56", "+4520123456"),
        ("20123456", "+4520123456"),
        ("+45 20 12 34 56", "+4520123456"),
        ("0045 2012 3456", "+4520123456"),
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_a_mobile_number_is_stored_in_e164_with_45_for_a_danish_one(debtor, typed, stored):
    assert add(debtor, kind=ContactKind.MOBILE, value=typed).value == stored


def test_a_landline_is_stored_in_e164(debtor):
    assert add(debtor, kind=ContactKind.PHONE, value="33 12 34 56").value == "+4533123456"


@pytest.mark.parametrize("typed", ["12345", "2012345", "not a number", ""])
def test_an_invalid_number_names_the_field(debtor, typed):
    with pytest.raises(ValidationError) as caught:
        add(debtor, kind=ContactKind.MOBILE, value=typed)
    assert list(caught.value.message_dict) == ["value"]
    assert points(debtor) == []


def test_a_toll_free_number_cannot_take_text_messages(debtor):
    with pytest.raises(ValidationError) as caught:
        add(debtor, kind=ContactKind.MOBILE, value="80 20 20 20")
    assert [e.code for e in caught.value.error_dict["value"]] == ["not_mobile"]
    assert add(debtor, kind=ContactKind.PHONE, value="80 20 20 20").value == "+4580202020"


def test_an_email_address_is_validated(debtor):
    with pytest.raises(ValidationError) as caught:
        add(debtor, kind=ContactKind.EMAIL, value="mette.jensen@")
    assert list(caught.value.message_dict) == ["value"]


def test_an_email_address_keeps_its_local_part_and_lowers_its_domain(debtor):
    contact = add(debtor, kind=ContactKind.EMAIL, value=" Mette.Jensen@Example.DK ")
    assert contact.value == "Mette.Jensen@example.dk"


def test_the_same_number_typed_twice_is_one_contact_point(debtor):
    first = add(debtor, kind=ContactKind.MOBILE, value="20 12 34 56")
    again = add(debtor, kind=ContactKind.MOBILE, value="+4520123456")
    assert again.pk == first.pk
    assert points(debtor) == [("mobile", "+4520123456", False)]


def test_consent_needs_a_source_and_is_recorded_when_given_later(debtor):
    with pytest.raises(ValidationError) as caught:
        add(debtor, kind=ContactKind.EMAIL, value="m@example.dk", consent=True)
    assert list(caught.value.message_dict) == ["consent_source"]
    first = add(debtor, kind=ContactKind.EMAIL, value="m@example.dk")
    assert not first.consent
    again = add(
        debtor,
        kind=ContactKind.EMAIL,
        value="m@example.dk",
        consent=True,
        consent_source=ContactSource.DEBTOR_PORTAL,
    )
    assert (again.pk, again.consent, again.consent_source) == (first.pk, True, "debtor_portal")
    # Adding it again without consent does not withdraw it.
    assert add(debtor, kind=ContactKind.EMAIL, value="m@example.dk").consent


def test_making_a_point_primary_demotes_the_other_of_its_kind(debtor):
    add(debtor, kind=ContactKind.MOBILE, value="20123456", is_primary=True)
    add(debtor, kind=ContactKind.EMAIL, value="m@example.dk", is_primary=True)
    add(debtor, kind=ContactKind.MOBILE, value="30123456", is_primary=True)
    assert points(debtor) == [
        ("email", "m@example.dk", True),
        ("mobile", "+4530123456", True),
        ("mobile", "+4520123456", False),
    ]


def test_the_database_allows_one_primary_per_kind(debtor):
    ContactPointFactory(creditor=debtor.creditor, debtor=debtor, is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPointFactory(creditor=debtor.creditor, debtor=debtor, is_primary=True)


def test_another_debtor_may_share_a_number(tenant_a, debtor):
    other = DebtorFactory(creditor=tenant_a.creditor)
    first = add(debtor, kind=ContactKind.PHONE, value="33123456")
    second = add(other, kind=ContactKind.PHONE, value="33123456")
    assert first.pk != second.pk


def test_the_debtor_page_lists_its_contact_points(client, tenant_a, debtor):
    add(debtor, kind=ContactKind.MOBILE, value="20 12 34 56", is_primary=True)
    client.force_login(tenant_a.user)
    body = client.get(f"/debtors/{debtor.pk}/").content.decode()
    assert "+4520123456" in body
