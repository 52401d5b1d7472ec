"""Sign-in throttling (django-axes) on the portal and the admin, the password-reset limits,
and the record of sign-ins."""

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from creditors.agency import AgencyRole
from tests.factories import TEST_PASSWORD, UserFactory, agency_user

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, url="login", **extra):
    return client.post(reverse(url), {"username": username, "password": password}, **extra)


def test_120_wrong_passwords_then_the_right_one_is_still_refused(client, tenant_a):
    for _ in range(120):
        sign_in(client, tenant_a.user.username, "wrong")
    response = sign_in(client, tenant_a.user.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The page says what happened and when to try again, in Danish by default.
    body = response.content.decode()
    assert "For mange forsøg" in body
    assert "prøv igen om 15 minutter" in body.lower()


def test_the_lockout_message_in_english(client, tenant_a):
    for _ in range(10):
        sign_in(client, tenant_a.user.username, "wrong")
    response = sign_in(client, tenant_a.user.username, TEST_PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Try again in 15 minutes." in response.content.decode()


def test_below_the_limit_the_right_password_signs_in(client, tenant_a):
    for _ in range(9):
        assert sign_in(client, tenant_a.user.username, "wrong").status_code == 200
    assert sign_in(client, tenant_a.user.username, TEST_PASSWORD).status_code == 302


def test_the_lockout_expires(client, tenant_a):
    for _ in range(10):
        sign_in(client, tenant_a.user.username, "wrong")
    assert sign_in(client, tenant_a.user.username, TEST_PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert sign_in(client, tenant_a.user.username, TEST_PASSWORD).status_code == 302


def test_an_attempt_during_the_lockout_starts_it_again_and_the_page_says_so(client, tenant_a):
    for _ in range(10):
        sign_in(client, tenant_a.user.username, "wrong")
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        response = sign_in(client, tenant_a.user.username, TEST_PASSWORD)
        assert "Prøv igen om 15 minutter." in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=28, seconds=30), tick=False):
        response = sign_in(client, tenant_a.user.username, "wrong", HTTP_ACCEPT_LANGUAGE="en")
        assert "Try again in 15 minutes." in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=44), tick=False):
        assert sign_in(client, tenant_a.user.username, TEST_PASSWORD).status_code == 302


def test_the_account_is_locked_from_any_address_and_whatever_its_case(client, tenant_a):
    for n in range(10):
        sign_in(client, tenant_a.user.username.upper(), "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    response = sign_in(client, tenant_a.user.username, TEST_PASSWORD, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429


def test_an_address_trying_many_accounts_is_locked(client, tenant_a):
    for n in range(10):
        sign_in(client, f"someone-{n}", "guess", REMOTE_ADDR="192.0.2.7")
    response = sign_in(client, tenant_a.user.username, TEST_PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429
    # Another address is not locked, and the account was never guessed at.
    response = sign_in(client, tenant_a.user.username, TEST_PASSWORD, REMOTE_ADDR="192.0.2.8")
    assert response.status_code == 302


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, tenant_a):
    """A client cannot dodge the address limit with a forged X-Forwarded-For of its own."""
    for n in range(10):
        sign_in(
            client,
            f"someone-{n}",
            "guess",
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.9",
        )
    response = sign_in(
        client,
        tenant_a.user.username,
        TEST_PASSWORD,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 429


def test_the_admin_sign_in_is_throttled_too(client):
    user = agency_user(AgencyRole.ADMIN)
    for _ in range(10):
        sign_in(client, user.username, "wrong", url="admin:login")
    response = sign_in(client, user.username, TEST_PASSWORD, url="admin:login")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_ins_are_recorded(client, tenant_a):
    sign_in(client, tenant_a.user.username, "wrong", REMOTE_ADDR="192.0.2.1")
    assert sign_in(client, tenant_a.user.username, TEST_PASSWORD).status_code == 302
    failure = AccessFailureLog.objects.get()
    assert failure.username == tenant_a.user.username
    assert failure.ip_address == "192.0.2.1"
    success = AccessLog.objects.get()
    assert success.username == tenant_a.user.username
    assert success.path_info == reverse("login")


def test_agency_admins_read_the_records_in_the_admin_and_cannot_change_them(client, tenant_a):
    sign_in(client, tenant_a.user.username, "wrong")
    sign_in(client, tenant_a.user.username, TEST_PASSWORD)
    client.logout()
    client.force_login(agency_user(AgencyRole.ADMIN))
    for model in ("accessfailurelog", "accesslog", "accessattempt"):
        page = client.get(reverse(f"admin:axes_{model}_changelist"))
        assert page.status_code == 200, model
        assert tenant_a.user.username in page.content.decode(), model
        assert client.get(reverse(f"admin:axes_{model}_add")).status_code == 403, model
    log = AccessLog.objects.get(username=tenant_a.user.username)
    response = client.post(
        reverse("admin:axes_accesslog_change", args=[log.pk]), {"username": "someone-else"}
    )
    assert response.status_code == 403
    assert client.post(reverse("admin:axes_accesslog_delete", args=[log.pk])).status_code == 403
    assert AccessLog.objects.filter(pk=log.pk, username=tenant_a.user.username).exists()
    # An administrator lifts a lockout by deleting the count.
    attempt = AccessAttempt.objects.get()
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.exists()


def test_supervisors_do_not_see_the_records(client, tenant_a):
    user = agency_user(AgencyRole.SUPERVISOR)
    assert not user.has_perm("axes.view_accesslog")
    assert Permission.objects.filter(content_type__app_label="axes").exists()


def test_one_reset_mail_per_address_per_period(client):
    UserFactory(email="bente@example.com")
    for _ in range(3):
        response = client.post(reverse("password_reset"), {"email": "Bente@example.com"})
        # The asker sees the same answer every time: nothing tells a mail was held back.
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/reset/\S+/", mail.outbox[0].body)
    # The limit is per address: another address gets its mail.
    UserFactory(email="carl@example.com")
    client.post(reverse("password_reset"), {"email": "carl@example.com"})
    assert len(mail.outbox) == 2


def test_an_address_asking_for_many_resets_is_refused(client):
    for n in range(10):
        response = client.post(reverse("password_reset"), {"email": f"x{n}@example.com"})
        assert response.status_code == 302
    response = client.post(reverse("password_reset"), {"email": "y@example.com"})
    assert response.status_code == 429
    assert "Prøv igen om 60 minutter" in response.content.decode()
    # Another address is not limited.
    response = client.post(
        reverse("password_reset"), {"email": "y@example.com"}, REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 302


def test_reset_limits_fail_open_when_the_cache_is_down(client, monkeypatch, caplog):
    from django.core.cache.backends.redis import RedisCache

    from collections_portal import signin

    # Nothing listens on port 1: every cache call fails as with Redis down.
    monkeypatch.setattr(signin, "cache", RedisCache("redis://127.0.0.1:1/0", {}))
    UserFactory(email="bente@example.com")
    response = client.post(reverse("password_reset"), {"email": "bente@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert "cache is unreachable" in caplog.text
