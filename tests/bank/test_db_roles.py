"""Bank entries and received payments are append-only for the application role: the
services' own updates (what became of an entry, the settlement mark once) pass, anything
else is refused."""

# ruff: noqa: S608 (the statements name row ids the test made, never input)

from __future__ import annotations

from decimal import Decimal

from integrations.bank.models import BankEntry, EntryStatus, ReceivedPayment, UnmatchedPayment
from integrations.bank.services import Share, unmatched_book
from tests.collections_portal.test_db_roles import (  # noqa: F401 (app_role is a fixture)
    REFUSED,
    app_connection,
    app_role,
    current_user,
    django_as,
    refused,
)

from .conftest import debt_case, read_file, sample


def test_the_bank_services_run_as_the_application_role(app_role, tenant_a, agent):  # noqa: F811
    case = debt_case(tenant_a.creditor)
    other = debt_case(tenant_a.creditor)
    with django_as(app_role):
        assert current_user() == app_role["USER"]
        values = {"TOTAL": "300.00", "AMOUNT_A": "200.00", "AMOUNT_B": "100.00"}
        read_file(sample("danske_camt054_v02.xml", PID_A=case.payment_id, CASE_B="1", **values))
        item = UnmatchedPayment.objects.get()
        unmatched_book(item=item, shares=[Share(other, Decimal("100.00"))], user=agent)
        read_file(sample("return_camt054_v02.xml", AMOUNT_A="200.00"))
    statuses = dict(BankEntry.objects.values_list("reference", "status"))
    assert statuses["DB2026031000001/DB-TX-1"] == EntryStatus.RETURNED
    assert statuses["DB2026031000001/DB-TX-2"] == EntryStatus.RESOLVED
    entry = BankEntry.objects.get(reference="DB-RET-1")
    received = ReceivedPayment.objects.first()
    with app_connection(app_role) as conn:
        assert refused(conn, f"UPDATE bank_bankentry SET amount = 1 WHERE id = {entry.pk}") in (
            REFUSED
        )
        assert refused(conn, f"DELETE FROM bank_bankentry WHERE id = {entry.pk}") in REFUSED
        assert (
            refused(conn, f"UPDATE bank_receivedpayment SET amount = 1 WHERE id = {received.pk}")
            in REFUSED
        )
        conn.execute(
            "UPDATE bank_receivedpayment SET settled_at = now(), settlement_reference = 'S-1' "
            f"WHERE id = {received.pk}"
        )
        assert (
            refused(
                conn,
                f"UPDATE bank_receivedpayment SET settled_at = NULL WHERE id = {received.pk}",
            )
            in REFUSED
        )
