"""Changes to creditors and their users."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_portal.celery import enqueue_on_commit

from .models import ApiKey, Creditor, CreditorEvent, Invitation, Membership, Role
from .policy import POLICY_FIELDS, validate_collection_policy
from .selectors import SESSION_CREDITOR_KEY, creditors_for_user, membership_for
from .validators import logo_kind

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


# --- Users, invitations and company details (issue 15) -----------------------------------
#
# The rules, checked here and nowhere else (the pages only hide what a role cannot do):
# - owners and administrators of a creditor manage its users; members and viewers do not;
# - only owners manage owners: an administrator cannot invite an owner, make anyone an owner,
#   or change or remove an owner's membership;
# - a creditor always keeps at least one owner: the last one cannot be demoted or removed;
# - every change is one ``CreditorEvent`` (who, what, when), in the same transaction.

INVITATION_SALT = "creditors.invitation"


def invitation_valid_days() -> int:
    return getattr(settings, "INVITATION_VALID_DAYS", 7)


class MembershipError(Exception):
    """A refused change of a creditor's users; ``field`` names the input it is about."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class InvitationError(MembershipError):
    """An invitation link that cannot be used: forged, expired, used or withdrawn."""


def _event(
    *,
    creditor: Creditor,
    actor: AbstractBaseUser | None,
    code: str,
    subject_user: AbstractBaseUser | None = None,
    subject_email: str = "",
    **data,
) -> CreditorEvent:
    return CreditorEvent.objects.create(
        creditor=creditor,
        actor=actor,
        code=code,
        subject_user=subject_user,
        subject_email=subject_email or (getattr(subject_user, "email", "") or ""),
        data=data,
    )


def _lock_creditor(creditor: Creditor) -> Creditor:
    """Lock the creditor's row: changes to its owners are serialised, so two owners removing
    each other at once cannot leave it with none."""
    return Creditor.objects.select_for_update().get(pk=creditor.pk)


def _manager(actor: AbstractBaseUser, creditor: Creditor) -> Membership:
    membership = membership_for(actor, creditor)
    if membership is None or not membership.can_manage:
        raise PermissionDenied(_("Only owners and administrators manage the users."))
    return membership


def _owners_only(actor_membership: Membership, message: str) -> None:
    if actor_membership.role != Role.OWNER:
        raise MembershipError(message, field="role", code="owners_only")


def _owner_count(creditor: Creditor) -> int:
    return Membership.objects.filter(creditor=creditor, role=Role.OWNER).count()


@transaction.atomic
def membership_invite(
    *, creditor: Creditor, actor: AbstractBaseUser, email: str, role: Role | str, base_url: str
) -> Invitation:
    """Invite ``email`` to the creditor with ``role``; the mail with the signed link is sent by
    a Celery task once this commits. A pending invitation to the same address is withdrawn."""
    from .tasks import send_invitation

    creditor = _lock_creditor(creditor)
    acting = _manager(actor, creditor)
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise MembershipError(_("Choose a role."), field="role")
    if role == Role.OWNER:
        _owners_only(acting, _("Only an owner can invite an owner."))
    if Membership.objects.filter(creditor=creditor, user__email__iexact=email).exists():
        raise MembershipError(
            _("%(email)s is already a user of %(creditor)s.")
            % {"email": email, "creditor": creditor.name},
            field="email",
            code="already_member",
        )
    now = timezone.now()
    for old in Invitation.objects.filter(
        creditor=creditor, email__iexact=email, accepted_at=None, revoked_at=None
    ):
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        _event(creditor=creditor, actor=actor, code="invitation.revoked", subject_email=email,
               invitation=old.pk, replaced=True)  # fmt: skip
    invitation = Invitation.objects.create(
        creditor=creditor,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + timedelta(days=invitation_valid_days()),
    )
    _event(creditor=creditor, actor=actor, code="invitation.sent", subject_email=email,
           invitation=invitation.pk, role=str(role))  # fmt: skip
    enqueue_on_commit(send_invitation, invitation.pk, base_url=base_url)
    return invitation


def invitation_token(invitation: Invitation) -> str:
    """The signed token of the invitation's link: its id and address, with the signing time."""
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names, or ``InvitationError`` saying why it cannot be
    used. The signature proves we made the link; the row says whether it is still good."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=timedelta(days=invitation_valid_days())
        )
    except signing.SignatureExpired as exc:
        raise InvitationError(_("This invitation has expired."), code="expired") from exc
    except signing.BadSignature as exc:
        raise InvitationError(_("This invitation link is not valid."), code="forged") from exc
    invitation = (
        Invitation.objects.select_related("creditor")
        .filter(pk=payload.get("i"), email=payload.get("e"))
        .first()
    )
    if invitation is None or not invitation.creditor.is_active:
        raise InvitationError(_("This invitation link is not valid."), code="forged")
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation has been withdrawn."), code="revoked")
    if invitation.is_expired:
        raise InvitationError(_("This invitation has expired."), code="expired")
    return invitation


def invitation_existing_user(invitation: Invitation) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(email__iexact=invitation.email).order_by("pk").first()


def _accept(*, token: str, user: AbstractBaseUser, created: bool) -> Membership:
    invitation = invitation_from_token(token)
    # Lock the invitation: a link used twice at once still makes one membership.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used."), code="used")
    creditor = _lock_creditor(invitation.creditor)
    if Membership.objects.filter(creditor=creditor, user=user).exists():
        raise InvitationError(
            _("You are already a user of %(creditor)s.") % {"creditor": creditor.name},
            code="already_member",
        )
    membership = Membership.objects.create(user=user, creditor=creditor, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _event(creditor=creditor, actor=user, code="invitation.accepted", subject_user=user,
           invitation=invitation.pk, role=invitation.role, new_user=created)  # fmt: skip
    return membership


@transaction.atomic
def invitation_accept_new_user(
    *, token: str, first_name: str, last_name: str, password: str
) -> Membership:
    """Accept an invitation to an address with no account: the account is made, with the
    password the invitee chose (Django's password validators apply, as field ``password``)."""
    invitation = invitation_from_token(token)
    if invitation_existing_user(invitation) is not None:
        raise InvitationError(
            _("An account with this e-mail address exists: sign in to accept the invitation."),
            code="existing_user",
        )
    User = get_user_model()
    user = User(
        username=invitation.email[:150],
        email=invitation.email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )
    if User.objects.filter(username=user.username).exists():
        raise InvitationError(
            _("An account with this e-mail address exists: sign in to accept the invitation."),
            code="existing_user",
        )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise MembershipError(" ".join(exc.messages), field="password", code="password") from exc
    user.set_password(password)
    user.save()
    return _accept(token=token, user=user, created=True)


@transaction.atomic
def invitation_accept_existing_user(*, token: str, user: AbstractBaseUser) -> Membership:
    """Accept an invitation as the signed-in user, whose e-mail address it must be."""
    invitation = invitation_from_token(token)
    if (user.email or "").lower() != invitation.email.lower():
        raise InvitationError(
            _("This invitation is for %(email)s: sign in as that user to accept it.")
            % {"email": invitation.email},
            code="other_user",
        )
    return _accept(token=token, user=user, created=False)


@transaction.atomic
def invitation_revoke(*, actor: AbstractBaseUser, invitation: Invitation) -> Invitation:
    creditor = _lock_creditor(invitation.creditor)
    acting = _manager(actor, creditor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.role == Role.OWNER:
        _owners_only(acting, _("Only an owner can withdraw an invitation for an owner."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _event(creditor=creditor, actor=actor, code="invitation.revoked",
               subject_email=invitation.email, invitation=invitation.pk)  # fmt: skip
    return invitation


@transaction.atomic
def membership_role_change(
    *, actor: AbstractBaseUser, membership: Membership, role: Role | str
) -> Membership:
    """Give a member another role. Only owners make owners or change an owner's role; the last
    owner keeps the role."""
    creditor = _lock_creditor(membership.creditor)
    acting = _manager(actor, creditor)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role not in Role.values:
        raise MembershipError(_("Choose a role."), field="role")
    old = membership.role
    if old == role:
        return membership
    if Role.OWNER in (old, role):
        _owners_only(acting, _("Only an owner can make an owner or change an owner's role."))
    if old == Role.OWNER and _owner_count(creditor) <= 1:
        raise MembershipError(
            _("%(creditor)s must keep an owner: make another user an owner first.")
            % {"creditor": creditor.name},
            field="role",
            code="last_owner",
        )
    membership.role = role
    membership.save(update_fields=["role"])
    _event(creditor=creditor, actor=actor, code="membership.role_changed",
           subject_user=membership.user, old_role=old, new_role=str(role))  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, actor: AbstractBaseUser, membership: Membership) -> None:
    """Take a user's access to the creditor away (the account itself stays, for the logs and
    the user's other creditors). Only owners remove owners; the last owner stays."""
    creditor = _lock_creditor(membership.creditor)
    acting = _manager(actor, creditor)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.role == Role.OWNER:
        _owners_only(acting, _("Only an owner can remove an owner."))
        if _owner_count(creditor) <= 1:
            raise MembershipError(
                _("%(creditor)s must keep an owner: make another user an owner first.")
                % {"creditor": creditor.name},
                field="membership",
                code="last_owner",
            )
    _event(creditor=creditor, actor=actor, code="membership.removed",
           subject_user=membership.user, role=membership.role)  # fmt: skip
    membership.delete()


# The company details a creditor's owners and administrators edit themselves; the CVR number
# only while it is empty (it is the creditor's identity once set).
CREDITOR_DETAIL_FIELDS = (
    "name",
    "address_line",
    "postal_code",
    "city",
    "email",
    "phone",
    "bank_reg_number",
    "bank_account_number",
    "iban",
    "bic",
    "fik_creditor_number",
)


@transaction.atomic
def creditor_details_update(
    *,
    actor: AbstractBaseUser,
    creditor: Creditor,
    values: dict,
    logo=None,
    remove_logo: bool = False,
) -> Creditor:
    """Change the creditor's company details (they appear on its letters). ``values`` maps
    fields of ``CREDITOR_DETAIL_FIELDS`` (and ``cvr`` while it is empty) to new values; a
    ``ValidationError`` names each field that is wrong. ``logo`` is an uploaded file, checked
    by its content and stored under the type it is."""
    creditor = _lock_creditor(creditor)
    _manager(actor, creditor)
    allowed = set(CREDITOR_DETAIL_FIELDS) | ({"cvr"} if not creditor.cvr else set())
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    changed = [f for f, v in values.items() if getattr(creditor, f) != v]
    for field, value in values.items():
        setattr(creditor, field, value)
    creditor.full_clean(exclude=["logo"])
    if logo is not None:
        data = logo.read()
        try:
            kind = logo_kind(data)
        except ValidationError as exc:
            raise ValidationError({"logo": exc.error_list}) from exc
        creditor.logo.save(f"creditor-{creditor.pk}.{kind}", ContentFile(data), save=False)
        changed.append("logo")
    elif remove_logo and creditor.logo:
        creditor.logo = ""
        changed.append("logo")
    if changed:
        creditor.save()
        _event(creditor=creditor, actor=actor, code="creditor.details_changed",
               fields=sorted(set(changed)))  # fmt: skip
    return creditor


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
) -> CreditorEvent:
    """Write one row of the creditor's audit log (``CreditorEvent``) for a settings change
    (webhooks, collection and channel policy): ``data`` holds the ``subject`` (the endpoint's
    URL, the letter kind) and ``changes`` (field -> [before, after]), never a secret."""
    # Only a person is recorded as the actor (an API key's client is not a user: None).
    person = actor if isinstance(actor, get_user_model()) else None
    return CreditorEvent.objects.create(
        creditor_id=creditor_id,
        actor=person,
        code=code,
        data={
            "subject": subject[:300],
            "changes": {
                key: [_jsonable(old), _jsonable(new)] for key, (old, new) in (changes or {}).items()
            },
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
