"""The demo data command makes what the README promises, and running it twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cases.models import Case
from collections_portal.tenancy import agency_scope
from creditors.management.commands.seed_demo import DEMO_PASSWORD
from creditors.models import Creditor, Membership, Role
from creditors.selectors import user_is_agency_staff
from debtors.models import Debtor

pytestmark = pytest.mark.django_db


def counts():
    with agency_scope(reason="test: count every creditor's rows"):
        return (
            get_user_model().objects.count(),
            Creditor.objects.count(),
            Membership.objects.count(),
            Debtor.objects.count(),
            Case.objects.count(),
        )


def test_seed_demo_is_idempotent_and_prints_how_to_sign_in(capsys):
    call_command("seed_demo")
    first = counts()
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "http://localhost:8000/" in out
    call_command("seed_demo")
    assert counts() == first

    _users, creditors, _memberships, debtors, cases = first
    assert creditors >= 2 and debtors > 0 and cases > 0
    User = get_user_model()
    assert user_is_agency_staff(User.objects.get(username="admin"))
    assert User.objects.get(username="admin").is_staff
    assert user_is_agency_staff(User.objects.get(username="agent"))
    creditor = Creditor.objects.first()
    roles = set(Membership.objects.filter(creditor=creditor).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="agent").check_password(DEMO_PASSWORD)


def test_every_demo_fee_comes_with_the_letter_that_carries_it():
    from cases.models import EntryKind, LedgerEntry
    from notices.models import Notice, NoticeKind

    call_command("seed_demo")
    with agency_scope(reason="test: read every creditor's ledger"):
        fees = list(LedgerEntry.objects.filter(kind=EntryKind.REMINDER_FEE))
        assert fees
        for fee in fees:
            assert Notice.objects.filter(
                case=fee.case, kind=NoticeKind.REMINDER, dated=fee.posted_on
            ).exists(), f"a reminder fee on case {fee.case.reference} without its reminder"
