"""The SSRF guard: https only, public addresses only, checked at registration and at send."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from collections_portal.tenancy import creditor_scope
from integrations.webhooks.models import DeliveryStatus, WebhookAttempt
from integrations.webhooks.services import webhook_endpoint_create
from integrations.webhooks.urlguard import UnsafeURL, check_url
from tests.cases.helpers import claim, file_case

from .conftest import send_pending


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://127.0.0.1/hook", "127.0.0.1"),
        ("https://127.8.9.10/hook", "127.8.9.10"),
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://172.16.0.1/hook", "172.16.0.1"),
        ("https://192.168.1.1/hook", "192.168.1.1"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("https://100.64.0.1/hook", "100.64.0.1"),
        ("https://0.0.0.0/hook", "0.0.0.0"),  # noqa: S104 (the address refused)
        ("https://224.0.0.1/hook", "224.0.0.1"),
        ("https://240.0.0.1/hook", "240.0.0.1"),
        ("https://[::1]/hook", "::1"),
        ("https://[fe80::1]/hook", "fe80::1"),
        ("https://[fd00::1]/hook", "fd00::1"),
        ("https://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
        ("https://[::ffff:a9fe:a9fe]/hook", "::ffff:a9fe:a9fe"),
        ("https://localhost/hook", "localhost peger på"),
    ],
)
def test_private_and_loopback_hosts_are_refused(url, why, deny_private):
    with pytest.raises(UnsafeURL) as refused:
        check_url(url)
    assert why in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/hook",  # http
        "ftp://8.8.8.8/hook",
        "https://user:secret@8.8.8.8/hook",
        "https:///hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_http_credentials_and_unresolvable_hosts_are_refused(url, deny_private):
    with pytest.raises(UnsafeURL):
        check_url(url)


def test_a_public_https_address_is_accepted(deny_private):
    target = check_url("https://8.8.8.8:8443/hooks/in?x=1")
    assert (target.host, target.port, target.path, target.addresses) == (
        "8.8.8.8",
        8443,
        "/hooks/in?x=1",
        ("8.8.8.8",),
    )


def test_the_development_setting_allows_http_and_loopback(allow_private):
    target = check_url("http://localhost:8000/hook")
    assert target.scheme == "http"
    assert set(target.addresses) <= {"127.0.0.1", "::1"}


@pytest.mark.django_db
def test_registration_refuses_it_naming_the_field(tenant_a, deny_private):
    with creditor_scope(tenant_a.creditor), pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk,
            url="https://169.254.169.254/latest/meta-data/",
            events=["case.created"],
        )
    assert "url" in refused.value.message_dict


@pytest.mark.django_db
def test_it_is_checked_again_at_send_time(tenant_a, receiver, settings):
    # Registered while allowed (say the DNS answer was public then); refused when sending.
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    with creditor_scope(tenant_a.creditor):
        webhook_endpoint_create(
            creditor_id=tenant_a.creditor.pk, url=receiver.url, events=["case.created"]
        )
    file_case(tenant_a.creditor, claim("S-1", "100.00", date(2025, 3, 3)))
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    [delivery] = send_pending(tenant_a.creditor)
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.PENDING  # retried: DNS may change back
    assert delivery.last_error.startswith("Refused:")
    with creditor_scope(tenant_a.creditor):
        attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.response_code is None and "https" in attempt.error
