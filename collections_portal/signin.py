"""Sign-in throttling: django-axes for the portal's and the admin's sign-in, and a limit on
password-reset mails.

Policy (README.md, "Signing in"): an account is locked after ``AXES_FAILURE_LIMIT`` failed
sign-ins from any address, and an address after as many failures on any accounts, each for
``AXES_COOLOFF_TIME`` after its last failure. Both, not their combination: per account stops
guessing one password from many addresses, per address stops trying one password on many
accounts. A success does not reset the count (else one valid account would let an address
go on guessing others). Failed and successful sign-ins are recorded (axes' AccessFailureLog
and AccessLog), read-only for agency administrators in the admin.

Axes works in the authentication backend and a middleware, not in the login view, so a
second sign-in factor can later wrap or replace Django's LoginView without touching this.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import timedelta

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone

log = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address. Behind the trusted TLS proxy (BEHIND_TLS_PROXY) it is the last
    X-Forwarded-For entry, the one the proxy itself added; earlier entries are the client's
    word and could be forged to dodge the per-address limit."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


def signin_username(request, credentials) -> str | None:
    """The account name an attempt counts against: case and spaces do not make a new one."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return username.strip().lower() if isinstance(username, str) else None


def _minutes_left(until: timedelta) -> int:
    return max(1, math.ceil(until.total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: 429, and when to try again, in the user's language.

    The wait is the whole cool-off: axes counts an attempt during a lockout as a failure
    too, which starts the cool-off again from now.
    """
    cool_off = get_cool_off(request) or timedelta(0)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": _minutes_left(cool_off)},
        status=429,
    )


# --- Password reset: one mail per address per period, and a limit per client address ------


def _reset_settings() -> tuple[int, int, int]:
    return (
        settings.PASSWORD_RESET_MAIL_INTERVAL_MINUTES * 60,
        settings.PASSWORD_RESET_ADDRESS_LIMIT,
        settings.PASSWORD_RESET_ADDRESS_PERIOD_MINUTES * 60,
    )


def reset_mail_allowed(email: str) -> bool:
    """True the first time an address asks within the interval. The address is hashed: the
    cache never holds e-mail addresses. Redis down: allowed (failing open), with a log."""
    interval, _limit, _period = _reset_settings()
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    try:
        return cache.add(f"signin:reset-mail:{digest}", 1, timeout=interval)
    except Exception:
        log.warning("password reset: the cache is unreachable; the per-address mail limit is off")
        return True


def reset_minutes_refused(ip: str | None) -> int:
    """0 if the client address may ask for another reset, else the minutes until it may."""
    _interval, limit, period = _reset_settings()
    if not ip:
        return 0
    key = f"signin:reset-ip:{ip}"
    now = timezone.now().timestamp()
    try:
        cache.add(f"{key}:start", now, timeout=period)
        cache.add(key, 0, timeout=period)
        count = cache.incr(key)
        if count <= limit:
            return 0
        start = cache.get(f"{key}:start") or now
    except Exception:
        log.warning("password reset: the cache is unreachable; the per-client limit is off")
        return 0
    return _minutes_left(timedelta(seconds=start + period - now))


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset with two limits: a client address may ask only so often
    (refused with 429 and when to try again), and an e-mail address gets at most one mail per
    interval (further requests look the same to the asker, so nothing tells whether the
    address has an account or just had a mail)."""

    def form_valid(self, form):
        minutes = reset_minutes_refused(client_ip(self.request))
        if minutes:
            return render(
                self.request,
                "registration/password_reset_throttled.html",
                {"minutes": minutes},
                status=429,
            )
        if not reset_mail_allowed(form.cleaned_data["email"]):
            log.info("password reset: a mail to this address was sent recently; none sent now")
            return super(auth_views.PasswordResetView, self).form_valid(form)  # no mail
        return super().form_valid(form)
