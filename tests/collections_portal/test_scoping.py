"""Tenant data cannot be queried without a scope, and scopes cannot be entered carelessly."""

import pytest
from django.apps import apps
from django.db import models

from collections_portal.tenancy import (
    ScopeError,
    TenantModel,
    agency_scope,
    creditor_scope,
    current_creditor_ids,
)
from creditors.models import ApiKey, Creditor, CreditorEvent, Invitation, Membership
from integrations.bank.models import BankEntry, ReceivedPayment, Reconciliation, Refund

# Models with a creditor key that are not tenant data behind a scope, and why.
UNSCOPED_WITH_CREDITOR = {
    Membership: "read to decide which scope a request gets, before any scope exists",
    ApiKey: "read to decide which scope an API request gets, before any scope exists",
    Invitation: "read by its signed link before the invitee belongs to any creditor; the "
    "settings pages filter by the request's creditor (tests/creditors/test_settings_pages.py)",
    CreditorEvent: "the creditor's audit log of its own settings, written and read by "
    "creditors.services for the request's creditor only, never across creditors",
    # The agency's own money records (integrations.bank): its bank account holds every
    # creditor's money, so they are read across creditors by agency staff and the agency's
    # jobs only, never served to a creditor; ``creditor`` says whose money it is.
    BankEntry: "the agency's bank entries; booked ones name the creditor",
    ReceivedPayment: "the agency's record of money booked for a creditor (settlement follows)",
    Refund: "the agency's refunds to payers; one from a case names its creditor",
    Reconciliation: "the agency's check of its client account; agency staff only",
}


def tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def test_every_model_with_a_creditor_key_is_a_tenant_model():
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.get_fields()}
        field = fields.get("creditor")
        if field is None or not getattr(field, "many_to_one", False) or model is Creditor:
            continue
        if model in UNSCOPED_WITH_CREDITOR:
            continue
        assert issubclass(model, TenantModel), f"{model.__name__} has a creditor but no scope"


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_querying_a_tenant_model_without_a_scope_raises(model):
    with pytest.raises(ScopeError):
        model.objects.count()
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


@pytest.mark.django_db
def test_a_creditor_scope_shows_only_that_creditors_rows(tenant_a, tenant_b):
    from cases.models import Case

    with creditor_scope(tenant_a.creditor):
        assert list(Case.objects.all()) == [tenant_a.case]
        assert current_creditor_ids() == [tenant_a.creditor.pk]
    with agency_scope(reason="test: the agency sees every creditor"):
        assert set(Case.objects.all()) == {tenant_a.case, tenant_b.case}
        assert current_creditor_ids() is None


def test_a_creditor_scope_refuses_none():
    """django-scopes reads scope(creditor=None) as every creditor; ours refuses it."""
    with pytest.raises(ScopeError), creditor_scope(None):
        pass


def test_an_agency_scope_needs_a_reason():
    with pytest.raises(ScopeError), agency_scope(reason=""):
        pass


def test_without_any_scope_current_creditor_ids_raises():
    with pytest.raises(ScopeError):
        current_creditor_ids()


@pytest.mark.django_db
def test_anonymous_requests_get_no_scope(client):
    """The sign-in page renders; a page with tenant data sends the visitor to sign in."""
    assert client.get("/accounts/login/").status_code == 200
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_worker_task_starts_with_no_scope_whatever_was_left_open(tenant_a):
    """In a worker, each task starts from no scope: a scope a failed block left open in the
    process cannot reach the next task. (A task run eagerly keeps its caller's scope.)"""
    from types import SimpleNamespace

    class FakeTask:  # what the signal is sent with: a task whose request says how it runs
        def __init__(self, *, is_eager: bool):
            self.request = SimpleNamespace(is_eager=is_eager)

    from django_scopes import get_scope

    from collections_portal.celery import reset_tenant_scope
    from collections_portal.tenancy import creditor_scope

    leaked = creditor_scope(tenant_a.creditor)
    leaked.__enter__()
    try:
        eager = FakeTask(is_eager=True)
        reset_tenant_scope(sender=eager)  # connected to task_prerun and task_postrun
        assert get_scope().get("creditor") == tenant_a.creditor.pk

        in_worker = FakeTask(is_eager=False)
        reset_tenant_scope(sender=in_worker)
        assert get_scope() == {}
    finally:
        leaked.__exit__(None, None, None)
