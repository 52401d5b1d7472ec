"""Filing a case is a case service, shared by the API, the portal and the import."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases.services import DuplicateClaimError, case_file
from collections_portal.tenancy import creditor_scope
from debtors.models import Debtor
from tests.cases.helpers import claim
from tests.factories import valid_cpr

pytestmark = pytest.mark.django_db


def _details(name="Jens Jensen", national_id=None):
    return {
        "kind": "person",
        "name": name,
        "national_id": national_id or valid_cpr(7),
        "address_line": "Vestergade 1",
        "postal_code": "8000",
        "city": "Aarhus C",
    }


def test_the_api_files_through_the_case_service():
    from integrations.api import services as api_services

    assert api_services.case_file is case_file
    assert api_services.DuplicateClaimError is DuplicateClaimError


def test_a_case_is_filed_for_a_debtor_given_by_its_details(tenant_a):
    with creditor_scope(tenant_a.creditor):
        case = case_file(
            creditor=tenant_a.creditor,
            claims=[claim("F-100", "500.00", date(2026, 1, 5))],
            debtor_details=_details(),
        )
        assert case.debtor.name == "Jens Jensen"
        assert [c.invoice_number for c in case.claims.all()] == ["F-100"]


def test_an_invoice_handed_over_before_is_a_conflict_and_leaves_no_debtor(tenant_a):
    with creditor_scope(tenant_a.creditor):
        case_file(
            creditor=tenant_a.creditor,
            claims=[claim("F-200", "500.00", date(2026, 1, 5))],
            debtor=tenant_a.debtor,
        )
        debtors = Debtor.objects.count()
        with pytest.raises(DuplicateClaimError) as refused:
            case_file(
                creditor=tenant_a.creditor,
                claims=[claim("F-200", "500.00", date(2026, 1, 5))],
                debtor_details=_details("Other Person", valid_cpr(8)),
            )
        assert list(refused.value.duplicates) == [0]
        assert Debtor.objects.count() == debtors


def test_a_refused_claim_is_named_as_in_the_request(tenant_a):
    with creditor_scope(tenant_a.creditor), pytest.raises(ValidationError) as refused:
        case_file(
            creditor=tenant_a.creditor,
            claims=[claim("F-300", "0.00", date(2026, 1, 5))],
            debtor=tenant_a.debtor,
        )
    assert any(key.startswith("claims[0].") for key in refused.value.error_dict)


def test_the_import_and_the_api_ask_the_same_question_about_old_invoices(tenant_a):
    from cases.services.filing import invoice_numbers_handed_over

    with creditor_scope(tenant_a.creditor):
        case_file(
            creditor=tenant_a.creditor,
            claims=[claim("F-400", "500.00", date(2026, 1, 5))],
            debtor=tenant_a.debtor,
        )
    assert invoice_numbers_handed_over(
        creditor_id=tenant_a.creditor.pk, numbers=["F-400", "F-401"]
    ) == {"F-400"}


def test_filing_refuses_an_invoice_dated_after_tomorrow_naming_the_field(tenant_a):
    """The portal and the API file through case_file: it refuses a date in the future by the
    rule the import applies (cases/claim_dates.py)."""
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.localdate() + timedelta(days=2)
    with creditor_scope(tenant_a.creditor), pytest.raises(ValidationError) as caught:
        case_file(
            creditor=tenant_a.creditor,
            claims=[claim("F-FUT", "500.00", later + timedelta(days=14), invoice=later)],
            debtor_details=_details(),
        )
    assert [e.code for e in caught.value.error_dict["claims[0].invoice_date"]] == ["future"]


def test_filing_refuses_a_due_date_more_than_a_year_after_the_invoice(tenant_a):
    with creditor_scope(tenant_a.creditor), pytest.raises(ValidationError) as caught:
        case_file(
            creditor=tenant_a.creditor,
            claims=[claim("F-LATE", "500.00", date(2027, 1, 2), invoice=date(2025, 12, 31))],
            debtor_details=_details(),
        )
    assert [e.code for e in caught.value.error_dict["claims[0].due_date"]] == ["too_late"]
