"""The receiver's helper: verify(secret, header, body, tolerance=300)."""

import hashlib
import hmac
import time

from integrations.webhooks.signing import signature_header, verify

SECRET = "whsec_test-secret"
BODY = b'{"id":"e1","type":"case.created","data":{"amount":"12.50"}}'


def header_for(secret: str, t: int, body: bytes = BODY) -> str:
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def test_a_genuine_signature_verifies():
    now = int(time.time())
    assert signature_header([SECRET], now, BODY) == header_for(SECRET, now)
    assert verify(SECRET, header_for(SECRET, now), BODY)
    assert verify(SECRET, header_for(SECRET, now), BODY.decode())  # str is taken as UTF-8


def test_a_changed_body_wrong_secret_or_garbage_does_not():
    now = int(time.time())
    assert not verify(SECRET, header_for(SECRET, now), BODY.replace(b"12.50", b"99.50"))
    assert not verify("whsec_other", header_for(SECRET, now), BODY)
    assert not verify(SECRET, "", BODY)
    assert not verify(SECRET, "t=abc,v1=00", BODY)
    assert not verify(SECRET, f"t={now}", BODY)


def test_an_old_or_future_timestamp_is_refused_outside_the_tolerance():
    now = int(time.time())
    assert verify(SECRET, header_for(SECRET, now - 299), BODY)
    assert not verify(SECRET, header_for(SECRET, now - 301), BODY)
    assert not verify(SECRET, header_for(SECRET, now + 301), BODY)
    assert verify(SECRET, header_for(SECRET, now - 3000), BODY, tolerance=3600)


def test_any_of_several_v1_signatures_is_enough():
    now = int(time.time())
    header = signature_header(["whsec_new", SECRET], now, BODY)
    assert header.count("v1=") == 2
    assert verify(SECRET, header, BODY)
    assert verify("whsec_new", header, BODY)
