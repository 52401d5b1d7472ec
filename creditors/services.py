"""Changes to creditors and their users."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from collections_portal.models import SettingsChange

from .models import ApiKey, Creditor, Membership, Role
from .policy import POLICY_FIELDS, validate_collection_policy
from .selectors import SESSION_CREDITOR_KEY, creditors_for_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.contrib.sessions.backends.base import SessionBase


def creditor_select(*, user: AbstractBaseUser, session: SessionBase, creditor_id: int) -> Creditor:
    """Make ``creditor_id`` the creditor the user acts for in this session.

    Raises ``Creditor.DoesNotExist`` for a creditor the user may not act for, exactly as for one
    that does not exist, so the answer never tells whether another tenant exists.
    """
    creditor = creditors_for_user(user).get(pk=creditor_id)
    session[SESSION_CREDITOR_KEY] = creditor.pk
    return creditor


def creditor_forget(*, session: SessionBase) -> None:
    """Agency staff go back to working across all creditors (no creditor chosen)."""
    session.pop(SESSION_CREDITOR_KEY, None)


@transaction.atomic
def membership_grant(
    *, user: AbstractBaseUser, creditor: Creditor, role: Role | str = Role.MEMBER
) -> Membership:
    """Give a user access to a creditor with a role, or change the role they have."""
    membership, _created = Membership.objects.update_or_create(
        user=user, creditor=creditor, defaults={"role": role}
    )
    return membership


API_KEY_PREFIX = "ink_"
# last_used_at is written at most this often per key, so a busy client does not turn every
# request into a write.
API_KEY_TOUCH_INTERVAL = timedelta(minutes=1)


def _api_key_hash(raw: str) -> str:
    # The key is 190 random bits: a fast hash is safe here, unlike for passwords.
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, creditor: Creditor, name: str, created_by: AbstractBaseUser | None = None
) -> tuple[ApiKey, str]:
    """Create an API key for ``creditor``; returns the key row and the key itself.

    The key is ``ink_<prefix>_<secret>``. Only its hash is stored, so the returned string is
    the one and only time anyone sees it.
    """
    prefix = secrets.token_hex(6)
    raw = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
    key = ApiKey.objects.create(
        creditor=creditor,
        name=name,
        prefix=prefix,
        key_hash=_api_key_hash(raw),
        created_by=created_by,
    )
    return key, raw


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoke a key; requests with it get 401 from now on. Revoking twice changes nothing."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key ``raw`` is, or None. Constant-time comparison of the hashes."""
    if not raw.startswith(API_KEY_PREFIX):
        return None
    prefix, _sep, _secret = raw[len(API_KEY_PREFIX) :].partition("_")
    key = (
        ApiKey.objects.select_related("creditor")
        .filter(prefix=prefix, revoked_at__isnull=True, creditor__is_active=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _api_key_hash(raw)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > API_KEY_TOUCH_INTERVAL:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# --- Settings changes: the audit log, and the collection policy ------------------------------


def _jsonable(value: object) -> object:
    return value if isinstance(value, bool | int | float | str | type(None)) else str(value)


def settings_change_record(
    *,
    creditor_id: int,
    actor: AbstractBaseUser | None,
    code: str,
    subject: str = "",
    changes: dict | None = None,
) -> SettingsChange:
    """Write one audit row of a settings change (the caller's transaction, its scope)."""
    # Only a person is recorded as the actor (an API key's client is not a user: None).
    person = actor if isinstance(actor, get_user_model()) else None
    return SettingsChange.objects.create(
        creditor_id=creditor_id,
        actor=person,
        code=code,
        subject=subject[:300],
        changes={
            key: [_jsonable(old), _jsonable(new)] for key, (old, new) in (changes or {}).items()
        },
    )


@transaction.atomic
def creditor_policy_update(
    *, creditor: Creditor, actor: AbstractBaseUser | None, values: dict
) -> dict[str, tuple[object, object]]:
    """Set the creditor's collection policy (``creditors.policy.POLICY_FIELDS``) after the one
    check against its jurisdiction profile; ``ValidationError`` by field when a value would
    loosen the law. Returns what changed (field -> (before, after)), audited as
    ``policy.changed``; nothing changed writes nothing."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"Not policy fields: {sorted(unknown)}")
    locked = Creditor.objects.select_for_update().get(pk=creditor.pk)
    validate_collection_policy(
        {field: values.get(field, getattr(locked, field)) for field in POLICY_FIELDS},
        jurisdiction=locked.jurisdiction,
    )
    changed = {
        field: (getattr(locked, field), value)
        for field, value in values.items()
        if getattr(locked, field) != value
    }
    if not changed:
        return {}
    for field, (_old, new) in changed.items():
        setattr(locked, field, new)
    locked.full_clean(exclude=[f.name for f in Creditor._meta.fields if f.name not in changed])
    locked.save(update_fields=list(changed))
    for field in changed:
        setattr(creditor, field, getattr(locked, field))
    settings_change_record(
        creditor_id=creditor.pk, actor=actor, code="policy.changed", changes=changed
    )
    return changed
