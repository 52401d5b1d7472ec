"""The rules of a creditor's users, invitations and company details (creditors/services.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from creditors.models import CreditorEvent, Invitation, Membership, Role
from creditors.services import (
    INVITATION_SALT,
    InvitationError,
    MembershipError,
    creditor_details_update,
    invitation_accept_existing_user,
    invitation_accept_new_user,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    membership_invite,
    membership_remove,
    membership_role_change,
)
from creditors.tasks import send_invitation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in their source language (a page test may leave Danish on)."""
    with translation.override("en"):
        yield


BASE = "https://portal.example/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


def member(tenant, role, **kwargs):
    user = UserFactory(**kwargs)
    return MembershipFactory(user=user, creditor=tenant.creditor, role=role)


def invite(tenant, actor, email="new.person@example.com", role=Role.MEMBER):
    return membership_invite(
        creditor=tenant.creditor, actor=actor, email=email, role=role, base_url=BASE
    )


# --- Invitations ---------------------------------------------------------------------------


def test_an_invitation_is_mailed_on_commit_with_a_signed_link_naming_the_role(
    tenant_a, django_capture_on_commit_callbacks
):
    owner = member(tenant_a, Role.OWNER).user
    with django_capture_on_commit_callbacks() as hooks:
        invitation = invite(tenant_a, owner, email="New.Person@Example.com", role=Role.VIEWER)
    assert invitation.email == "new.person@example.com"
    assert invitation.role == Role.VIEWER
    assert [h.task.name for h in hooks] == ["creditors.send_invitation"]  # after commit, by Celery
    assert not mail.outbox  # the request itself sends nothing

    assert send_invitation.apply(args=[invitation.pk], kwargs={"base_url": BASE}).get() is True
    (message,) = mail.outbox
    assert message.to == ["new.person@example.com"]
    assert tenant_a.creditor.name in message.subject
    assert "læser" in message.body  # the role, in the creditor's language (Danish)
    link = next(line for line in message.body.splitlines() if line.startswith(BASE))
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation_from_token(token) == invitation

    event = CreditorEvent.objects.get(code="invitation.sent")
    assert (event.creditor, event.actor, event.subject_email) == (
        tenant_a.creditor,
        owner,
        "new.person@example.com",
    )
    assert event.data["role"] == "viewer"


def test_a_new_user_accepts_sets_a_password_and_gets_the_role(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    invitation = invite(tenant_a, owner, role=Role.ADMIN)
    membership = invitation_accept_new_user(
        token=invitation_token(invitation),
        first_name="Nina",
        last_name="Ny",
        password="a long enough pass phrase 42",
    )
    assert membership.creditor == tenant_a.creditor and membership.role == Role.ADMIN
    user = membership.user
    assert user.email == "new.person@example.com" and user.check_password(
        "a long enough pass phrase 42"
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    assert CreditorEvent.objects.filter(code="invitation.accepted", subject_user=user).exists()


def test_a_weak_password_is_refused_naming_the_field(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    invitation = invite(tenant_a, owner)
    with pytest.raises(MembershipError) as exc:
        invitation_accept_new_user(
            token=invitation_token(invitation), first_name="N", last_name="N", password="123"
        )
    assert exc.value.field == "password"
    assert not Membership.objects.filter(user__email="new.person@example.com").exists()


def test_an_existing_user_accepts_only_as_themselves(tenant_a, tenant_b):
    owner = member(tenant_a, Role.OWNER).user
    # A user of creditor B joins creditor A: one account, two memberships.
    invitation = invite(tenant_a, owner, email=tenant_b.user.email, role=Role.MEMBER)
    token = invitation_token(invitation)
    with pytest.raises(InvitationError) as exc:
        invitation_accept_existing_user(token=token, user=owner)
    assert exc.value.code == "other_user"
    with pytest.raises(InvitationError) as exc:  # no second account for the same address
        invitation_accept_new_user(token=token, first_name="X", last_name="Y", password="x" * 20)
    assert exc.value.code == "existing_user"
    membership = invitation_accept_existing_user(token=token, user=tenant_b.user)
    assert membership.creditor == tenant_a.creditor and membership.role == Role.MEMBER
    assert tenant_b.user.memberships.count() == 2


def test_a_used_link_is_refused(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    invitation = invite(tenant_a, owner)
    token = invitation_token(invitation)
    invitation_accept_new_user(token=token, first_name="A", last_name="B", password="x7" * 10)
    with pytest.raises(InvitationError) as exc:
        invitation_from_token(token)
    assert exc.value.code == "used"


def test_an_expired_link_is_refused(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    invitation = invite(tenant_a, owner)
    token = invitation_token(invitation)
    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(InvitationError) as exc,
    ):
        invitation_from_token(token)
    assert exc.value.code == "expired"
    assert str(exc.value) == "This invitation has expired."


def test_an_invitation_past_its_stored_expiry_is_refused_even_with_a_fresh_signature(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    invitation = invite(tenant_a, owner)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(InvitationError) as exc:
        invitation_from_token(invitation_token(invitation))
    assert exc.value.code == "expired"


@pytest.mark.parametrize(
    "forge",
    [
        lambda t, inv: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # a changed signature
        lambda t, inv: signing.dumps({"i": inv.pk, "e": inv.email}, salt="another.salt"),
        lambda t, inv: signing.dumps({"i": inv.pk, "e": "evil@example.com"}, salt=INVITATION_SALT),
        lambda t, inv: "not-a-token",
    ],
    ids=["tampered", "other-salt", "other-address", "garbage"],
)
def test_a_forged_link_is_refused(tenant_a, forge):
    owner = member(tenant_a, Role.OWNER).user
    invitation = invite(tenant_a, owner)
    with pytest.raises(InvitationError) as exc:
        invitation_from_token(forge(invitation_token(invitation), invitation))
    assert exc.value.code == "forged"


def test_a_withdrawn_invitation_is_refused_and_a_new_one_replaces_the_old(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    first = invite(tenant_a, owner)
    second = invite(tenant_a, owner, role=Role.VIEWER)
    with pytest.raises(InvitationError) as exc:
        invitation_from_token(invitation_token(first))
    assert exc.value.code == "revoked"
    invitation_revoke(actor=owner, invitation=second)
    with pytest.raises(InvitationError):
        invitation_from_token(invitation_token(second))
    assert CreditorEvent.objects.filter(code="invitation.revoked").count() == 2


def test_an_existing_member_is_not_invited_again_naming_the_field(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    with pytest.raises(MembershipError) as exc:
        invite(tenant_a, owner, email=tenant_a.user.email.upper())
    assert exc.value.field == "email"


# --- Who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_manage_nobody(tenant_a, role):
    acting = member(tenant_a, role).user
    target = member(tenant_a, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        invite(tenant_a, acting)
    with pytest.raises(PermissionDenied):
        membership_role_change(actor=acting, membership=target, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=acting, membership=target)


def test_another_creditors_owner_manages_nobody_here(tenant_a, tenant_b):
    stranger = member(tenant_b, Role.OWNER).user
    target = member(tenant_a, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        membership_role_change(actor=stranger, membership=target, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=stranger, membership=target)
    with pytest.raises(PermissionDenied):
        invite(tenant_a, stranger)


def test_an_admin_manages_non_owners_but_never_owners(tenant_a):
    member(tenant_a, Role.OWNER)
    admin = member(tenant_a, Role.ADMIN).user
    owner = Membership.objects.get(creditor=tenant_a.creditor, role=Role.OWNER)
    viewer = member(tenant_a, Role.VIEWER)

    assert membership_role_change(actor=admin, membership=viewer, role=Role.ADMIN).role == "admin"
    with pytest.raises(MembershipError) as exc:
        membership_role_change(actor=admin, membership=viewer, role=Role.OWNER)
    assert exc.value.code == "owners_only" and exc.value.field == "role"
    with pytest.raises(MembershipError):
        membership_role_change(actor=admin, membership=owner, role=Role.MEMBER)
    with pytest.raises(MembershipError):
        membership_remove(actor=admin, membership=owner)
    with pytest.raises(MembershipError):
        invite(tenant_a, admin, role=Role.OWNER)
    owner_invitation = invite(tenant_a, owner.user, email="o@example.com", role=Role.OWNER)
    with pytest.raises(MembershipError):
        invitation_revoke(actor=admin, invitation=owner_invitation)
    membership_remove(actor=admin, membership=viewer)
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_the_last_owner_is_neither_demoted_nor_removed(tenant_a):
    owner = member(tenant_a, Role.OWNER)
    with pytest.raises(MembershipError) as exc:
        membership_role_change(actor=owner.user, membership=owner, role=Role.ADMIN)
    assert exc.value.code == "last_owner"
    assert "must keep an owner" in exc.value.message
    with pytest.raises(MembershipError) as exc:
        membership_remove(actor=owner.user, membership=owner)
    assert exc.value.code == "last_owner"
    owner.refresh_from_db()
    assert owner.role == Role.OWNER

    # With a second owner, either may step down; then the other is the last one again.
    second = member(tenant_a, Role.ADMIN)
    membership_role_change(actor=owner.user, membership=second, role=Role.OWNER)
    membership_role_change(actor=owner.user, membership=owner, role=Role.MEMBER)
    with pytest.raises(MembershipError):
        membership_remove(actor=second.user, membership=second)
    events = list(
        CreditorEvent.objects.filter(code="membership.role_changed").values_list("data", flat=True)
    )
    assert {"old_role": "admin", "new_role": "owner"} in events
    assert {"old_role": "owner", "new_role": "member"} in events


def test_a_removal_is_audited_and_the_account_stays(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    target = member(tenant_a, Role.MEMBER)
    membership_remove(actor=owner, membership=target)
    event = CreditorEvent.objects.get(code="membership.removed")
    assert (event.actor, event.subject_user, event.data) == (owner, target.user, {"role": "member"})
    target.user.refresh_from_db()  # the account (and what it did) is kept


def test_the_audit_log_is_append_only_for_the_application():
    from collections_portal.dbroles import APPEND_ONLY

    assert "creditors.CreditorEvent" in {a.model for a in APPEND_ONLY}


# --- Company details -----------------------------------------------------------------------


def test_details_are_saved_and_audited(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    creditor = creditor_details_update(
        actor=owner,
        creditor=tenant_a.creditor,
        values={
            "phone": "+45 70 20 30 40",
            "fik_creditor_number": "12345678",
            "iban": "DK50 0040 0440 1162 43",
        },
    )
    creditor.refresh_from_db()
    assert creditor.iban == "DK5000400440116243" and creditor.fik_creditor_number == "12345678"
    event = CreditorEvent.objects.get(code="creditor.details_changed")
    assert event.data == {"fields": ["fik_creditor_number", "iban", "phone"]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fik_creditor_number", "1234567"),
        ("fik_creditor_number", "12345678a"),
        ("iban", "DK50 0040 0440 1162 44"),
        ("bank_reg_number", "12"),
        ("email", "not-an-address"),
        ("name", ""),
    ],
)
def test_bad_details_are_refused_naming_the_field(tenant_a, field, value):
    owner = member(tenant_a, Role.OWNER).user
    before = tenant_a.creditor.__class__.objects.get(pk=tenant_a.creditor.pk)
    with pytest.raises(ValidationError) as exc:
        creditor_details_update(actor=owner, creditor=tenant_a.creditor, values={field: value})
    assert field in exc.value.message_dict
    after = tenant_a.creditor.__class__.objects.get(pk=tenant_a.creditor.pk)
    assert getattr(after, field) == getattr(before, field)


def test_the_cvr_number_is_not_changed_once_set(tenant_a):
    owner = member(tenant_a, Role.OWNER).user
    with pytest.raises(ValidationError) as exc:
        creditor_details_update(actor=owner, creditor=tenant_a.creditor, values={"cvr": "13585628"})
    assert "cvr" in exc.value.message_dict


def test_a_member_cannot_change_the_details(tenant_a):
    with pytest.raises(PermissionDenied):
        creditor_details_update(actor=tenant_a.user, creditor=tenant_a.creditor, values={})


@pytest.mark.parametrize(("data", "kind"), [(PNG, "png"), (JPEG, "jpg"), (SVG, "svg")])
def test_a_logo_is_stored_under_the_type_its_content_is(tenant_a, settings, tmp_path, data, kind):
    settings.MEDIA_ROOT = tmp_path
    owner = member(tenant_a, Role.OWNER).user
    upload = SimpleUploadedFile("logo.gif", data)  # the name's extension is not trusted
    creditor = creditor_details_update(
        actor=owner, creditor=tenant_a.creditor, values={}, logo=upload
    )
    assert creditor.logo.name.endswith(f".{kind}")
    assert creditor.logo.read() == data


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\x00" * 20,
        b"%PDF-1.4",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="http://169.254.169.254/x.png"/></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        b"<html><body>not a logo</body></html>",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024),  # over the size limit
    ],
    ids=["gif", "pdf", "svg-script", "svg-onload", "svg-external", "svg-entity", "html", "big"],
)
def test_a_bad_logo_is_refused_naming_the_field(tenant_a, settings, tmp_path, data):
    settings.MEDIA_ROOT = tmp_path
    owner = member(tenant_a, Role.OWNER).user
    with pytest.raises(ValidationError) as exc:
        creditor_details_update(
            actor=owner,
            creditor=tenant_a.creditor,
            values={},
            logo=SimpleUploadedFile("logo.png", data),
        )
    assert list(exc.value.message_dict) == ["logo"]
    tenant_a.creditor.refresh_from_db()
    assert not tenant_a.creditor.logo


def test_an_uploaded_svg_logo_reaches_the_letters(tenant_a, settings, tmp_path):
    from notices.context import creditor_party

    settings.MEDIA_ROOT = tmp_path
    owner = member(tenant_a, Role.OWNER).user
    creditor_details_update(
        actor=owner,
        creditor=tenant_a.creditor,
        values={"phone": "+45 33 33 33 33"},
        logo=SimpleUploadedFile("logo", SVG),
    )
    case = tenant_a.case
    case.creditor.refresh_from_db()
    party = creditor_party(case)
    assert party.logo_uri.startswith("data:image/svg+xml;base64,")
    assert party.phone == "+45 33 33 33 33"
