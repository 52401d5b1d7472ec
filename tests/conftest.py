"""Fixtures shared by every app's tests. Every world has two creditors, A and B."""

from dataclasses import dataclass

import pytest

from creditors.models import Creditor, Role

from .factories import CaseFactory, CreditorFactory, DebtorFactory, MembershipFactory, UserFactory


@dataclass
class Tenant:
    creditor: Creditor
    user: object  # a member of this creditor
    debtor: object
    case: object


def make_tenant(name: str) -> Tenant:
    creditor = CreditorFactory(name=name)
    user = UserFactory(username=f"{name.split()[0].lower()}-member")
    MembershipFactory(user=user, creditor=creditor, role=Role.MEMBER)
    debtor = DebtorFactory(creditor=creditor)
    case = CaseFactory(creditor=creditor, debtor=debtor)
    return Tenant(creditor=creditor, user=user, debtor=debtor, case=case)


@pytest.fixture
def tenant_a(db) -> Tenant:
    return make_tenant("Alfa Byg A/S")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return make_tenant("Beta Data ApS")


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    """pytest-django's live server, stopped before the test database is dropped.

    Depending on ``django_db_setup`` orders the teardowns: the server thread lets go of the
    database first, so it can be dropped at the end of the run.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests hash many passwords; the production hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
