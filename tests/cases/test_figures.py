"""Each case's stored figures (``CaseFigures``) follow its claims, ledger and timeline in the
same statement, whatever wrote them: a service, a bulk COPY, a raw insert."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from cases.figures import figures_differing, figures_rebuild
from cases.models import Case, CaseEvent, CaseFigures, Claim, EntryKind
from cases.selectors import case_balance
from cases.services import claim_add, ledger_post, payment_register, payment_reverse
from cases.services.lifecycle import case_pause, case_send_reminder
from cases.timeline import event_record
from collections_portal.tenancy import ScopeError, creditor_scope
from tests.factories import MembershipFactory, UserFactory

from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)


def figures(case) -> CaseFigures:
    with creditor_scope(case.creditor):
        return CaseFigures.objects.get(case=case)


def agree(case) -> None:
    """The stored figures are the sums of the case's rows."""
    stored = figures(case)
    with creditor_scope(case.creditor):
        balance = case_balance(case)
        claims = list(Claim.objects.filter(case=case))
        events = list(CaseEvent.objects.filter(case=case).values_list("occurred_at", flat=True))
    assert (stored.principal, stored.interest, stored.costs) == (
        balance.principal,
        balance.interest,
        balance.costs,
    )
    assert stored.credit == balance.credit
    assert stored.balance == balance.total
    assert stored.original_principal == sum((c.principal for c in claims), Decimal(0))
    assert stored.oldest_due == min((c.due_date for c in claims), default=None)
    assert stored.last_activity_at == max([case.created_at, *events])
    assert figures_differing() == (0, [])


def test_a_new_case_has_its_figures_and_they_follow_every_posting(tenant_a):
    with at(DAY):
        case = file_case(
            tenant_a.creditor,
            claim("F-1", "1000.00", DAY - timedelta(days=40)),
            claim("F-2", "250.50", DAY - timedelta(days=10)),
        )
    agree(case)
    assert figures(case).original_principal == Decimal("1250.50")
    assert figures(case).oldest_due == DAY - timedelta(days=40)

    with at(DAY + timedelta(days=1), 10), creditor_scope(tenant_a.creditor):
        ledger_post(
            case=case,
            kind=EntryKind.REMINDER_FEE,
            amount=Decimal("100.00"),
            posted_on=DAY + timedelta(days=1),
            explanation="reminder fee",
        )
        claim_add(case=case, data=claim("F-3", "99.99", DAY - timedelta(days=90)))
    agree(case)
    assert figures(case).costs == Decimal("100.00")
    assert figures(case).oldest_due == DAY - timedelta(days=90)

    # A payment beyond the balance leaves credit for the debtor; its reversal takes it back.
    with at(DAY + timedelta(days=2), 11), creditor_scope(tenant_a.creditor):
        payment = payment_register(
            case=case,
            amount=Decimal("2000.00"),
            received_on=DAY + timedelta(days=2),
            method="bank_transfer",
            post_interest=False,
        )
    agree(case)
    assert figures(case).balance == Decimal("0.00")
    assert figures(case).credit == Decimal("2000.00") - Decimal("1450.49")
    with at(DAY + timedelta(days=3), 12), creditor_scope(tenant_a.creditor):
        payment_reverse(payment=payment, reason="the bank returned it")
    agree(case)
    assert figures(case).balance == Decimal("1450.49")
    assert figures(case).credit == Decimal("0.00")

    # The case's own columns the dashboard reads follow its transitions and pauses.
    with at(DAY + timedelta(days=4)), creditor_scope(tenant_a.creditor):
        case_pause(case=case, until=DAY + timedelta(days=20), reason="talking to the debtor")
        case_send_reminder(case=Case.objects.get(pk=case.pk), on=DAY + timedelta(days=4))
    agree(case)
    stored = figures(case)
    assert (stored.state, stored.paused_until) == ("reminder", DAY + timedelta(days=20))
    assert (stored.currency, stored.handed_over_at) == ("DKK", case.created_at)


def test_claims_changed_or_removed_outside_the_services_are_summed_again(tenant_a):
    with at(DAY):
        case = file_case(
            tenant_a.creditor,
            claim("G-1", "500.00", DAY - timedelta(days=5)),
            claim("G-2", "700.00", DAY - timedelta(days=50)),
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_claim SET principal = 650.00, due_date = %s, invoice_date = %s"
            " WHERE invoice_number = 'G-2'",
            [DAY - timedelta(days=60), DAY - timedelta(days=60)],
        )
    assert figures(case).original_principal == Decimal("1150.00")
    assert figures(case).oldest_due == DAY - timedelta(days=60)
    # A claim written by hand (no ledger entries, so it may be removed again).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_claim (creditor_id, case_id, invoice_number, description,"
            " invoice_date, due_date, due_date_agreed, principal, debtor_is_consumer, created_at)"
            " VALUES (%s, %s, 'G-3', '', %s, %s, false, 40.00, true, now())",
            [case.creditor_id, case.pk, DAY - timedelta(days=100), DAY - timedelta(days=100)],
        )
    assert figures(case).original_principal == Decimal("1190.00")
    assert figures(case).oldest_due == DAY - timedelta(days=100)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_claim WHERE invoice_number = 'G-3'")
    assert figures(case).original_principal == Decimal("1150.00")
    assert figures(case).oldest_due == DAY - timedelta(days=60)
    agree(case)


def test_the_application_never_writes_them_and_they_are_tenant_data(tenant_a, tenant_b):
    stored = figures(tenant_a.case)
    with pytest.raises(NotImplementedError):
        stored.save()
    with pytest.raises(ScopeError):
        list(CaseFigures.objects.all())
    with creditor_scope(tenant_b.creditor):
        assert not CaseFigures.objects.filter(case=tenant_a.case).exists()


def test_the_command_finds_figures_that_disagree_and_rebuilds_them(tenant_a, tenant_b):
    with at(DAY):
        case = file_case(tenant_a.creditor, claim("H-1", "300.00", DAY - timedelta(days=3)))
    call_command("case_figures", "--check")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_casefigures SET principal = 1,"
            " last_activity_at = now() - interval '9 days' WHERE case_id = %s",
            [case.pk],
        )
        cursor.execute("DELETE FROM cases_casefigures WHERE case_id = %s", [tenant_b.case.pk])
    assert figures_differing() == (2, sorted([case.pk, tenant_b.case.pk]))
    with pytest.raises(CommandError, match="2 case"):
        call_command("case_figures", "--check")
    call_command("case_figures", "--rebuild")
    assert figures_differing() == (0, [])
    assert figures(case).balance == Decimal("300.00")
    assert figures_rebuild() == 0


def test_the_case_list_sorts_by_the_stored_balance_and_activity(client, tenant_a):
    with at(DAY):
        small = file_case(tenant_a.creditor, claim("S-1", "10.00", DAY))
    with at(DAY + timedelta(days=1)):
        large = file_case(tenant_a.creditor, claim("L-1", "9000.00", DAY))
    with at(DAY + timedelta(days=2)):
        middle = file_case(tenant_a.creditor, claim("M-1", "500.00", DAY))
    with at(DAY + timedelta(days=3)), creditor_scope(tenant_a.creditor):
        # The oldest case gets the latest activity: a fee today.
        ledger_post(
            case=small,
            kind=EntryKind.REMINDER_FEE,
            amount=Decimal("5.00"),
            posted_on=DAY + timedelta(days=3),
            explanation="fee",
        )
        event_record(case=small, code="case.needs_attention", message="called the debtor")
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant_a.creditor)
    client.force_login(user)

    def order(sort):
        response = client.get(reverse("case_list"), {"sort": sort})
        return [row["case"].pk for row in response.context["rows"]]

    assert order("-balance")[:3] == [large.pk, middle.pk, small.pk]
    assert order("balance")[-3:] == [small.pk, middle.pk, large.pk]
    assert order("-activity")[0] == small.pk
    response = client.get(reverse("case_list"), {"balance_min": "400", "balance_max": "600"})
    assert [row["case"].pk for row in response.context["rows"]] == [middle.pk]
