"""Redis down: the API keeps serving (rate limits counted per process meanwhile), sign-in
works (sessions are in PostgreSQL), and the letter preview, which needs the broker, answers
503 saying so."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from integrations.api import throttling
from integrations.api.throttling import ApiKeyRateThrottle
from tests.faults import broker_unreachable, cache_unreachable

pytestmark = pytest.mark.django_db
DEBTORS = "/api/v1/debtors/"


@pytest.fixture
def fallback_counts(monkeypatch):
    throttling.FALLBACK_CACHE.clear()
    monkeypatch.setattr(throttling, "_last_warning", 0.0)
    yield throttling.FALLBACK_CACHE
    throttling.FALLBACK_CACHE.clear()


def test_the_api_serves_reads_and_writes_with_the_cache_down(api_a, fallback_counts, caplog):
    with cache_unreachable(), caplog.at_level(logging.WARNING):
        assert api_a.get("/api/v1/cases/").status_code == 200
        assert api_a.get(DEBTORS).status_code == 200
        response = api_a.post(
            "/api/v1/cases/", {"debtor": {}}, format="json", HTTP_IDEMPOTENCY_KEY="x"
        )
    assert response.status_code == 400  # the API's own answer, not a 500
    warnings = [r.getMessage() for r in caplog.records if r.name == throttling.__name__]
    assert len(warnings) == 1  # once a minute per process, not once a request
    assert "cache is unreachable" in warnings[0]


def test_the_rate_limit_still_holds_per_process_with_the_cache_down(
    api_a, fallback_counts, monkeypatch
):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    with cache_unreachable():
        assert [api_a.get(DEBTORS).status_code for _ in range(3)] == [200] * 3
        limited = api_a.get(DEBTORS)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0


def test_sign_in_works_with_the_cache_down(client, tenant_a):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    user = tenant_a.user
    user.set_password("a long and good password")
    user.save()
    with cache_unreachable():
        response = client.post(
            reverse("login"), {"username": user.username, "password": "a long and good password"}
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_the_letter_preview_says_the_letter_service_is_down(client, tenant_a):
    client.force_login(tenant_a.user)
    url = reverse("notice_preview", kwargs={"case_id": tenant_a.case.pk})
    with cache_unreachable(), broker_unreachable(result_store=True):
        response = client.get(url, {"kind": "reminder", "language": "da"})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "Brevtjenesten er ikke tilgængelig lige nu" in text


def test_the_letter_preview_says_so_in_english_too(client, tenant_a):
    client.force_login(tenant_a.user)
    url = reverse("notice_preview", kwargs={"case_id": tenant_a.case.pk})
    with broker_unreachable():  # the result store is up; publishing fails
        response = client.get(
            url, {"kind": "reminder", "language": "da"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 503
    assert "The letter service is unavailable right now" in response.content.decode()
