"""No tenant scope outlives its request, however the request ends.

An API key's creditor scope is entered inside the view (the key is known only after DRF has
authenticated it). It used to be closed in ``finalize_response``, which DRF skips when an
exception that is not an ``APIException`` escapes; the scope, a context variable, then stayed
set for the next requests of the same thread, and a signed-in user with no creditor read the
key's creditor's data. Each test ends one API-key request one way, then checks that the thread
has no scope and that a user without a creditor is refused on every API list.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import get_scope
from rest_framework.exceptions import ValidationError

from collections_portal.tenancy import ScopeError
from integrations.api import views as api_views
from tests.factories import UserFactory

from .conftest import key_client

pytestmark = pytest.mark.django_db


def api_list_urls() -> list[str]:
    """Every URL under /api/v1/ that takes no argument (the lists and list-level actions)."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if route.startswith("api/v1/") and not entry.pattern.regex.groups:
                    url = reverse(entry.name)
                    if "format" not in url:
                        yield url

    urls = sorted(set(walk(get_resolver().url_patterns)) - {"/api/v1/"})
    assert "/api/v1/cases/" in urls and "/api/v1/debtors/" in urls
    return urls


def assert_no_scope_left_and_creditorless_user_refused():
    assert get_scope() == {}, f"a tenant scope outlived its request: {get_scope()}"
    loner = UserFactory(username="no-creditor")
    client = Client()
    client.force_login(loner)
    for url in api_list_urls():
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code, response.content[:300])


def raising(exc: Exception):
    def handler(self, request, *args, **kwargs):
        raise exc

    return handler


@pytest.mark.parametrize(
    "exc",
    [
        ValidationError("refused"),  # an APIException
        Http404(),
        DjangoPermissionDenied(),
        ScopeError("a query outside the scope"),
        RuntimeError("the broker is down"),
        ConnectionResetError("the database connection dropped"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_a_request_that_raises_leaves_no_scope(tenant_a, monkeypatch, exc):
    monkeypatch.setattr(api_views.CaseViewSet, "list", raising(exc))
    api = key_client(tenant_a.creditor)
    api.raise_request_exception = False
    response = api.get("/api/v1/cases/")
    assert response.status_code in {400, 403, 404, 500}

    assert_no_scope_left_and_creditorless_user_refused()


def test_a_body_over_djangos_limit_leaves_no_scope_and_answers_in_the_api_shape(tenant_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    api = key_client(tenant_a.creditor)
    api.raise_request_exception = False
    body = json.dumps({"creditor_reference": "x" * 5000})
    response = api.post("/api/v1/cases/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert_no_scope_left_and_creditorless_user_refused()


def test_json_nested_too_deeply_is_a_400_and_leaves_no_scope(tenant_a):
    api = key_client(tenant_a.creditor)
    api.raise_request_exception = False
    body = "[" * 100_000 + "]" * 100_000
    response = api.post("/api/v1/cases/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]["message"]
    assert_no_scope_left_and_creditorless_user_refused()


def test_a_request_starts_without_the_scope_a_previous_one_left(tenant_a, tenant_b):
    """Even if some code left a scope open, the next request does not run in it."""
    from collections_portal.tenancy import creditor_scope

    leaked = creditor_scope(tenant_a.creditor)
    leaked.__enter__()  # what a buggy view did: enter and never leave
    try:
        client = Client()
        client.force_login(UserFactory(username="no-creditor"))
        assert client.get("/api/v1/cases/").status_code == 403
        assert client.get("/cases/").status_code in {302, 403}
        member = Client()
        member.force_login(tenant_b.user)
        cases = member.get("/api/v1/cases/").json()["results"]
        assert [c["id"] for c in cases] == [tenant_b.case.pk]
    finally:
        leaked.__exit__(None, None, None)
