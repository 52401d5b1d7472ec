"""One debtor per CPR/CVR number within a creditor, never across creditors."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from collections_portal.tenancy import ScopeError, creditor_scope
from debtors import services
from debtors.models import Debtor, DebtorKind
from debtors.services import debtor_bulk_get_or_create, debtor_get_or_create
from tests.factories import CreditorFactory, valid_cpr


def details(national_id: str = "0101901234", **overrides) -> dict:
    fields = {
        "kind": DebtorKind.PERSON,
        "name": "Mette Jensen",
        "national_id": national_id,
        "address_line": "Elmevej 4",
        "postal_code": "2500",
        "city": "Valby",
    }
    fields.update(overrides)
    return fields


def get_or_create(creditor, **fields):
    with creditor_scope(creditor):
        return debtor_get_or_create(creditor=creditor, **fields)


def count(creditor) -> int:
    with creditor_scope(creditor):
        return Debtor.objects.count()


@pytest.fixture
def creditor(db):
    return CreditorFactory()


def test_the_same_cpr_twice_is_one_debtor(creditor):
    first, created = get_or_create(creditor, **details())
    again, created_again = get_or_create(creditor, **details(name="M. Jensen"))
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.name == "Mette Jensen"  # the existing debtor, unchanged
    assert count(creditor) == 1


def test_a_formatted_and_a_compact_cpr_are_one_debtor(creditor):
    first, _ = get_or_create(creditor, **details("010190-1234"))
    again, created = get_or_create(creditor, **details("0101901234"))
    assert (again.pk, created) == (first.pk, False)


def test_a_cvr_typed_with_its_country_prefix_finds_the_company(creditor):
    company = details("18340003", kind=DebtorKind.COMPANY, name="Kaffebar Kronen ApS")
    first, _ = get_or_create(creditor, **company)
    again, created = get_or_create(creditor, **{**company, "national_id": "DK 18 34 00 03"})
    assert (again.pk, created) == (first.pk, False)


def test_the_same_cpr_at_another_creditor_is_another_debtor(creditor):
    other = CreditorFactory()
    mine, _ = get_or_create(creditor, **details())
    theirs, created = get_or_create(other, **details())
    assert created
    assert theirs.pk != mine.pk
    assert (theirs.creditor_id, mine.creditor_id) == (other.pk, creditor.pk)


def test_debtors_without_a_number_are_never_merged(creditor):
    first, _ = get_or_create(creditor, **details(""))
    second, created = get_or_create(creditor, **details(""))
    assert created
    assert second.pk != first.pk


def test_it_refuses_a_creditor_outside_the_active_scope(creditor):
    other = CreditorFactory()
    with creditor_scope(other), pytest.raises(ScopeError):
        debtor_get_or_create(creditor=creditor, **details())


def test_losing_the_race_returns_the_winners_debtor(creditor, monkeypatch):
    """The look-up misses a debtor created meanwhile: the insert fails, the retry finds it."""
    winner, _ = get_or_create(creditor, **details())
    real_lookup = services._debtors_by_national_id
    lookups = []

    def stale_first_lookup(creditor, numbers):
        lookups.append(list(numbers))
        return {} if len(lookups) == 1 else real_lookup(creditor, numbers)

    monkeypatch.setattr(services, "_debtors_by_national_id", stale_first_lookup)
    debtor, created = get_or_create(creditor, **details())
    assert (debtor.pk, created) == (winner.pk, False)
    assert len(lookups) == 2
    assert count(creditor) == 1  # and the outer transaction is still usable


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_calls_make_one_debtor():
    """The second call cannot see the first's uncommitted debtor; it waits, then finds it."""
    creditor = CreditorFactory()
    inserted, release = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with creditor_scope(creditor), transaction.atomic():
                results["first"] = debtor_get_or_create(creditor=creditor, **details())
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inserted.wait(10)
    timer = threading.Timer(0.5, release.set)  # commit while the second insert waits on it
    timer.start()
    try:
        results["second"] = get_or_create(creditor, **details())
    finally:
        release.set()
        thread.join(10)
        timer.cancel()
    (first_debtor, first_created), (second_debtor, second_created) = (
        results["first"],
        results["second"],
    )
    assert (first_created, second_created) == (True, False)
    assert second_debtor.pk == first_debtor.pk
    assert count(creditor) == 1


# Bulk


def bulk(creditor, rows):
    with creditor_scope(creditor):
        return debtor_bulk_get_or_create(creditor=creditor, rows=rows)


def test_bulk_returns_one_debtor_per_row_in_row_order(creditor):
    existing, _ = get_or_create(creditor, **details(valid_cpr(5), name="Existing"))
    rows = [
        details(valid_cpr(1), name="First"),
        details("", name="No number"),
        details(valid_cpr(5), name="Existing again"),
        details(valid_cpr(2), name="Second"),
    ]
    debtors = bulk(creditor, rows)
    assert [d.name for d in debtors] == ["First", "No number", "Existing", "Second"]
    assert all(d.pk for d in debtors)
    assert debtors[2].pk == existing.pk
    assert count(creditor) == 4


def test_bulk_collapses_duplicates_within_the_batch(creditor):
    rows = [
        details("010190-1234", name="First spelling"),
        details(valid_cpr(9), name="Someone else"),
        details("0101901234", name="Second spelling"),
    ]
    debtors = bulk(creditor, rows)
    assert debtors[0].pk == debtors[2].pk
    assert debtors[0].name == "First spelling"
    assert count(creditor) == 2


def test_bulk_never_merges_rows_without_a_number(creditor):
    debtors = bulk(creditor, [details(""), details("")])
    assert debtors[0].pk != debtors[1].pk


def test_bulk_keeps_creditors_apart(creditor):
    other = CreditorFactory()
    [theirs] = bulk(other, [details()])
    [mine] = bulk(creditor, [details()])
    assert mine.pk != theirs.pk
    assert mine.creditor_id == creditor.pk


def test_bulk_runs_a_fixed_number_of_queries(creditor, django_assert_max_num_queries):
    get_or_create(creditor, **details(valid_cpr(0)))
    rows = [details(valid_cpr(n % 150), name=f"Row {n}") for n in range(300)]  # 150 numbers
    rows += [details("", name=f"Unnumbered {n}") for n in range(20)]
    # look-up, savepoint, insert, read back, insert without numbers, release
    with django_assert_max_num_queries(6):
        debtors = bulk(creditor, rows)
    assert len(debtors) == 320
    assert count(creditor) == 150 + 20
    assert debtors[0].pk == debtors[150].pk


def test_bulk_run_twice_creates_nothing_more(creditor):
    rows = [details(valid_cpr(n)) for n in range(10)]
    first = bulk(creditor, rows)
    again = bulk(creditor, rows)
    assert [d.pk for d in again] == [d.pk for d in first]
    assert count(creditor) == 10


def test_bulk_names_the_row_and_field_of_every_error_and_saves_nothing(creditor):
    rows = [
        details(valid_cpr(1)),
        details("320190-1234"),
        details(valid_cpr(2), name=""),
        {"kind": DebtorKind.COMPANY, "name": "No address ApS", "national_id": "18340003"},
    ]
    with pytest.raises(ValidationError) as caught:
        bulk(creditor, rows)
    errors = caught.value.message_dict
    assert set(errors) == {
        "rows[1].national_id",
        "rows[2].name",
        "rows[3].address_line",
        "rows[3].postal_code",
        "rows[3].city",
    }
    assert count(creditor) == 0


def test_bulk_refuses_an_unknown_field(creditor):
    with pytest.raises(TypeError, match="cpr"):
        bulk(creditor, [{**details(), "cpr": "0101901234"}])


def test_refuse_different_raises_a_conflict_naming_the_fields(tenant_a):
    from debtors.services import DebtorConflict

    creditor = tenant_a.creditor
    first, _ = get_or_create(creditor, **details())
    with creditor_scope(creditor), pytest.raises(DebtorConflict) as caught:
        debtor_get_or_create(creditor=creditor, refuse_different=True, **details(name="M. J."))
    assert caught.value.existing == first
    assert list(caught.value.differences) == ["name"]
    # Without the option (the bulk import's plain find) it is returned as it was.
    again, created = get_or_create(creditor, **details(name="M. J."))
    assert (again, created) == (first, False)
