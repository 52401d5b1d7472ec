"""debtors.services.debtor_bulk_ids: de-duplication per creditor, and losing a race."""

import pytest

from collections_portal.tenancy import creditor_scope
from debtors import services
from debtors.models import ContactPoint, Debtor
from tests.factories import DebtorFactory, valid_cpr

pytestmark = pytest.mark.django_db


def _row(number: str, name: str = "Jens Hansen") -> dict[str, str]:
    return {
        "kind": "person", "name": name, "national_id": number, "address_line": "Vejen 1",
        "postal_code": "8000", "city": "Aarhus C", "country": "DK", "language": "da",
    }  # fmt: skip


def test_same_number_one_debtor_existing_found_none_without_number_shared(tenant_a, tenant_b):
    existing = DebtorFactory(creditor=tenant_a.creditor, national_id=valid_cpr(77))
    other = DebtorFactory(creditor=tenant_b.creditor, national_id=valid_cpr(88))
    rows = [_row(valid_cpr(88)), _row(valid_cpr(77)), _row(valid_cpr(88), "Other name"),
            _row(""), _row("")]  # fmt: skip
    with creditor_scope(tenant_a.creditor):
        ids, created = services.debtor_bulk_ids(creditor_id=tenant_a.creditor.pk, debtors=rows)
        assert ids[1] == existing.pk
        assert ids[0] == ids[2] != other.pk  # B's debtor is never used for A
        assert Debtor.objects.get(pk=ids[0]).name == "Jens Hansen"  # from the first row
        assert ids[3] != ids[4]
        assert created == {ids[0], ids[3], ids[4]}


def test_a_debtor_made_by_a_concurrent_writer_is_found_not_doubled(tenant_a, monkeypatch):
    creditor = tenant_a.creditor
    racer = DebtorFactory(creditor=creditor, national_id=valid_cpr(99))
    real_lookup = services._debtor_ids_by_number
    calls = []

    def first_lookup_misses_it(creditor_id, numbers):
        # As if the racer's debtor were committed just after our look-up.
        calls.append(numbers)
        found = real_lookup(creditor_id, numbers)
        return {} if len(calls) == 1 else found

    monkeypatch.setattr(services, "_debtor_ids_by_number", first_lookup_misses_it)
    with creditor_scope(creditor):
        ids, created = services.debtor_bulk_ids(
            creditor_id=creditor.pk, debtors=[_row(valid_cpr(99)), _row(valid_cpr(98))]
        )
        assert ids[0] == racer.pk
        assert created == {ids[1]}
        assert Debtor.objects.filter(national_id=valid_cpr(99)).count() == 1


def test_contact_points_are_added_once(tenant_a):
    debtor = tenant_a.debtor
    with creditor_scope(tenant_a.creditor):
        for _ in range(2):
            services.contact_points_bulk_add(
                creditor_id=tenant_a.creditor.pk,
                points=[(debtor.pk, "email", "a@example.dk"), (debtor.pk, "email", "a@example.dk")],
            )
        point = ContactPoint.objects.get(debtor=debtor, value="a@example.dk")
        assert (point.is_primary, point.consent, point.source) == (False, False, "creditor_import")
