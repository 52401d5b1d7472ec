"""Creditor identifiers and bank details are validated."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from creditors.models import Creditor
from tests.factories import CreditorFactory

pytestmark = pytest.mark.django_db


def test_a_valid_cvr_with_spaces_and_prefix_is_normalised():
    creditor = CreditorFactory.build(cvr="DK 1358 5628", iban="dk50 0040 0440 1162 43")
    creditor.full_clean()
    assert creditor.cvr == "13585628"
    assert creditor.iban == "DK5000400440116243"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cvr", "13585627"),  # wrong check digit
        ("iban", "DK5000400440116244"),
        ("fik_creditor_number", "1234567"),
        ("bank_reg_number", "12a4"),
    ],
)
def test_an_invalid_identifier_names_its_field(field, value):
    creditor = CreditorFactory.build(**{field: value})
    with pytest.raises(ValidationError) as excinfo:
        creditor.full_clean()
    assert field in excinfo.value.message_dict


def test_the_database_refuses_a_cvr_that_is_not_eight_digits():
    with pytest.raises(IntegrityError):
        Creditor.objects.create(
            name="X", cvr="1234", address_line="Vej 1", postal_code="1000", city="København K"
        )
