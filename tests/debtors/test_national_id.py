"""CPR and CVR numbers: validated for the debtor's kind, stored compact, CPR shown masked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from collections_portal.tenancy import creditor_scope
from debtors.models import DebtorKind
from debtors.services import debtor_build, debtor_get_or_create
from tests.factories import CompanyDebtorFactory, CreditorFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def build(creditor, **overrides):
    fields = {
        "kind": DebtorKind.PERSON,
        "name": "Mette Jensen",
        "national_id": "010190-1234",
        "address_line": "Elmevej 4",
        "postal_code": "2500",
        "city": "Valby",
    }
    fields.update(overrides)
    return debtor_build(creditor=creditor, **fields)


def errors_of(creditor, **overrides) -> dict[str, list[str]]:
    """The error codes by field (codes, as the messages are translated)."""
    with pytest.raises(ValidationError) as caught:
        build(creditor, **overrides)
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


@pytest.fixture
def creditor():
    return CreditorFactory()


@pytest.mark.parametrize("typed", ["010190-1234", "0101901234", " 010190 1234 "])
def test_a_valid_cpr_number_is_stored_as_ten_digits(creditor, typed):
    assert build(creditor, national_id=typed).national_id == "0101901234"


def test_a_cpr_number_with_an_impossible_date_names_the_field(creditor):
    assert errors_of(creditor, national_id="320190-1234") == {"national_id": ["invalid_cpr_date"]}


def test_a_cpr_number_born_in_the_future_is_refused(creditor):
    # A 7th digit of 4-9 with year 30 means 2030.
    assert errors_of(creditor, national_id="010130-4000") == {"national_id": ["invalid_cpr_date"]}


@pytest.mark.parametrize("typed", ["010190-123", "010190-12345", "18340003"])
def test_a_cpr_number_of_the_wrong_length_names_the_field(creditor, typed):
    assert errors_of(creditor, national_id=typed) == {"national_id": ["invalid_cpr_length"]}


def test_a_cpr_number_with_letters_names_the_field(creditor):
    assert errors_of(creditor, national_id="0101AB-1234") == {"national_id": ["invalid_cpr_format"]}


def test_cpr_numbers_need_not_pass_the_old_modulus_11_check(creditor):
    # 0101901234 fails modulus 11, as numbers issued since 2007 may.
    assert build(creditor, national_id="0101901234").national_id == "0101901234"


@pytest.mark.parametrize("typed", ["18340003", "DK 1834 0003", "18 34 00 03"])
def test_a_valid_cvr_number_is_stored_as_eight_digits(creditor, typed):
    assert build(creditor, kind=DebtorKind.COMPANY, national_id=typed).national_id == "18340003"


def test_a_cvr_number_with_a_wrong_check_digit_names_the_field(creditor):
    errors = errors_of(creditor, kind=DebtorKind.COMPANY, national_id="18340004")
    assert errors == {"national_id": ["invalid_cvr"]}


def test_a_company_given_a_cpr_number_is_refused(creditor):
    errors = errors_of(creditor, kind=DebtorKind.COMPANY, national_id="0101901234")
    assert errors == {"national_id": ["invalid_cvr"]}


def test_a_debtor_may_have_no_number(creditor):
    assert build(creditor, national_id="").national_id == ""


def test_missing_name_and_a_bad_danish_postal_code_name_their_fields(creditor):
    errors = errors_of(creditor, name="  ", postal_code="25000")
    assert set(errors) == {"name", "postal_code"}


def test_a_foreign_address_keeps_its_own_postal_code(creditor):
    debtor = build(creditor, country="se", postal_code="114 55", city="Stockholm")
    assert (debtor.country, debtor.postal_code) == ("SE", "114 55")


def test_the_service_refuses_an_invalid_number_before_writing(creditor):
    with creditor_scope(creditor), pytest.raises(ValidationError) as caught:
        debtor_get_or_create(
            creditor=creditor,
            kind=DebtorKind.PERSON,
            name="Mette Jensen",
            national_id="999999-9999",
            address_line="Elmevej 4",
            postal_code="2500",
            city="Valby",
        )
    assert "national_id" in caught.value.message_dict


def test_a_cpr_number_is_masked_after_the_date_of_birth():
    debtor = DebtorFactory.build(national_id="0101901234")
    assert debtor.masked_national_id == "010190-XXXX"
    assert debtor.national_id_is_secret


def test_a_cvr_number_is_public_and_shown_in_full():
    debtor = CompanyDebtorFactory.build(national_id="18340003")
    assert debtor.masked_national_id == "18340003"
    assert not debtor.national_id_is_secret


def test_no_number_masks_to_nothing():
    assert DebtorFactory.build(national_id="").masked_national_id == ""


def test_the_database_refuses_a_formatted_number(creditor):
    with creditor_scope(creditor), pytest.raises(IntegrityError), transaction.atomic():
        DebtorFactory(creditor=creditor, national_id="010190-1234")
