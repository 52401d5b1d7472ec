"""The settings pages: who may open them, forged POSTs, another creditor's rows, the forms."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collections_portal.tenancy import creditor_scope
from creditors.models import Creditor, CreditorEvent, Invitation, Membership, Role
from creditors.services import invitation_token, membership_invite
from creditors.tasks import send_invitation
from debtors.services import debtor_reveal_national_id
from tests.factories import DebtorFactory, MembershipFactory, UserFactory, valid_cpr

pytestmark = pytest.mark.django_db

MANAGER_PAGES = ["settings", "settings_users", "settings_company", "api_keys"]
WRITES = [
    ("settings_users", {"email": "x@example.com", "role": "member"}),
    ("settings_user_role", {"membership": "{target}", "role": "admin"}),
    ("settings_user_remove", {"membership": "{target}"}),
    ("settings_invitation_revoke", {"invitation": "{invitation}"}),
    ("settings_company", {"name": "Hijacked ApS"}),
]


def member(tenant, role, **kwargs):
    user = UserFactory(**kwargs)
    return MembershipFactory(user=user, creditor=tenant.creditor, role=role)


@pytest.fixture
def world(tenant_a):
    owner = member(tenant_a, Role.OWNER)
    target = member(tenant_a, Role.VIEWER)
    invitation = membership_invite(
        creditor=tenant_a.creditor,
        actor=owner.user,
        email="pending@example.com",
        role=Role.MEMBER,
        base_url="http://testserver/",
    )
    return {"owner": owner, "target": target, "invitation": invitation}


def _fill(data, world):
    return {
        k: v.format(target=world["target"].pk, invitation=world["invitation"].pk)
        for k, v in data.items()
    }


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_get_403_on_every_page_and_forged_post(client, tenant_a, world, role):
    client.force_login(member(tenant_a, role).user)
    for name in [*MANAGER_PAGES, "settings_cpr_reveals"]:
        assert client.get(reverse(name)).status_code == 403, name
    for name, data in WRITES:
        assert client.post(reverse(name), _fill(data, world)).status_code == 403, name
    assert Membership.objects.filter(pk=world["target"].pk, role=Role.VIEWER).exists()
    assert Invitation.objects.get(pk=world["invitation"].pk).revoked_at is None
    assert Creditor.objects.get(pk=tenant_a.creditor.pk).name == tenant_a.creditor.name
    assert not Invitation.objects.filter(email="x@example.com").exists()


def test_the_main_menu_shows_settings_to_managers_only(client, tenant_a, world):
    client.force_login(tenant_a.user)  # a member
    assert reverse("settings") not in client.get(reverse("home")).content.decode()
    client.force_login(world["owner"].user)
    assert reverse("settings") in client.get(reverse("home")).content.decode()


def test_an_admin_opens_settings_but_not_the_cpr_reveal_log(client, tenant_a, world):
    client.force_login(member(tenant_a, Role.ADMIN).user)
    for name in MANAGER_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    response = client.get(reverse("settings_cpr_reveals"))
    assert response.status_code == 403
    assert reverse("settings_cpr_reveals") not in client.get(reverse("settings")).content.decode()


def test_another_creditors_memberships_and_invitations_are_404(client, tenant_b, world):
    client.force_login(member(tenant_b, Role.OWNER).user)
    assert client.post(reverse("settings_user_role"), _fill(WRITES[1][1], world)).status_code == 404
    assert (
        client.post(reverse("settings_user_remove"), _fill(WRITES[2][1], world)).status_code == 404
    )
    response = client.post(reverse("settings_invitation_revoke"), _fill(WRITES[3][1], world))
    assert response.status_code == 404
    assert client.post(reverse("settings_user_remove"), {"membership": "x"}).status_code == 404
    assert Membership.objects.filter(pk=world["target"].pk, role=Role.VIEWER).exists()
    # The list shows the own creditor's users only.
    body = client.get(reverse("settings_users")).content.decode()
    assert world["target"].user.email not in body and "pending@example.com" not in body


def test_an_owner_lists_invites_changes_and_removes(
    client, tenant_a, world, django_capture_on_commit_callbacks
):
    owner, target = world["owner"], world["target"]
    client.force_login(owner.user)
    body = client.get(reverse("settings_users")).content.decode()
    assert target.user.email in body and "pending@example.com" in body

    with django_capture_on_commit_callbacks() as hooks:
        response = client.post(
            reverse("settings_users"), {"email": "ny@example.com", "role": "viewer"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="ny@example.com")
    assert invitation.role == Role.VIEWER and invitation.creditor == tenant_a.creditor
    (hook,) = hooks
    assert hook.kwargs == {"base_url": "http://testserver/"}

    response = client.post(
        reverse("settings_user_role"), {"membership": target.pk, "role": "admin"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.ADMIN
    assert (
        client.post(reverse("settings_user_remove"), {"membership": target.pk}).status_code == 302
    )
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_refusals_are_shown_with_the_reason(client, tenant_a, world):
    owner = world["owner"]
    client.force_login(owner.user)
    response = client.post(
        reverse("settings_user_role"), {"membership": owner.pk, "role": "member"}, follow=True
    )
    assert "skal beholde en ejer" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    # A bad address in the invite form is named at the field.
    response = client.post(reverse("settings_users"), {"email": "nope", "role": "member"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"email"}
    response = client.post(
        reverse("settings_users"), {"email": tenant_a.user.email, "role": "member"}
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_an_admin_is_not_offered_the_owner_role_and_a_forged_one_is_refused(
    client, tenant_a, world
):
    client.force_login(member(tenant_a, Role.ADMIN).user)
    response = client.get(reverse("settings_users"))
    assert ("owner", "Ejer") not in [tuple(r) for r in response.context["roles"]]
    response = client.post(
        reverse("settings_users"), {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    response = client.post(
        reverse("settings_user_role"), {"membership": world["target"].pk, "role": "owner"}
    )
    assert response.status_code == 302
    world["target"].refresh_from_db()
    assert world["target"].role == Role.VIEWER
    response = client.post(reverse("settings_user_remove"), {"membership": world["owner"].pk})
    assert Membership.objects.filter(pk=world["owner"].pk).exists()


# --- Accepting an invitation ---------------------------------------------------------------


def _link(invitation) -> str:
    return reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})


def test_the_mailed_link_opens_the_page_and_a_new_user_joins(client, tenant_a, world):
    send_invitation.apply(args=[world["invitation"].pk], kwargs={"base_url": "http://testserver/"})
    (message,) = mail.outbox
    path = next(line for line in message.body.splitlines() if line.startswith("http://testserver/"))
    path = path.removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    response = client.post(path, {"first_name": "Per", "last_name": "Hansen",
                                  "password1": "x", "password2": "y"})  # fmt: skip
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"password2"}
    response = client.post(path, {"first_name": "Per", "last_name": "Hansen",
                                  "password1": "123", "password2": "123"})  # fmt: skip
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"password1"}
    good = "correct horse battery staple"
    response = client.post(path, {"first_name": "Per", "last_name": "Hansen",
                                  "password1": good, "password2": good})  # fmt: skip
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="pending@example.com")
    assert membership.role == Role.MEMBER and membership.creditor == tenant_a.creditor
    assert client.get(reverse("home")).status_code == 200  # signed in, working for creditor A
    # The link works once.
    again = client.get(path)
    assert again.status_code == 400 and "allerede brugt" in again.content.decode()


def test_a_forged_link_is_a_clear_400(client, world):
    response = client.get(reverse("invitation_accept", kwargs={"token": "forged:token"}))
    assert response.status_code == 400
    assert "ikke gyldigt" in response.content.decode()


def test_an_existing_user_signs_in_and_accepts(client, tenant_a, tenant_b, world):
    invitation = membership_invite(
        creditor=tenant_a.creditor, actor=world["owner"].user, email=tenant_b.user.email,
        role=Role.VIEWER, base_url="http://testserver/",
    )  # fmt: skip
    path = _link(invitation)
    response = client.post(path)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(world["owner"].user)  # someone else
    assert client.post(path).status_code == 400
    client.force_login(tenant_b.user)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=tenant_b.user, creditor=tenant_a.creditor).role == "viewer"


# --- Company details -----------------------------------------------------------------------


def _company_data(creditor, **changes):
    data = {
        "name": creditor.name,
        "address_line": creditor.address_line,
        "postal_code": creditor.postal_code,
        "city": creditor.city,
        "email": creditor.email,
        "phone": creditor.phone,
        "bank_reg_number": creditor.bank_reg_number,
        "bank_account_number": creditor.bank_account_number,
        "iban": creditor.iban,
        "bic": creditor.bic,
        "fik_creditor_number": creditor.fik_creditor_number,
    }
    return {**data, **changes}


def test_company_details_are_saved_and_bad_ones_named(client, tenant_a, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    creditor = tenant_a.creditor
    client.force_login(world["owner"].user)
    body = client.get(reverse("settings_company")).content.decode()
    assert 'id="cvr-readonly"' in body and creditor.cvr in body and 'name="cvr"' not in body

    response = client.post(
        reverse("settings_company"),
        _company_data(creditor, fik_creditor_number="123", iban="DK00 1234", cvr="13585628"),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"fik_creditor_number", "iban"}
    response = client.post(
        reverse("settings_company"),
        {**_company_data(creditor), "logo_file": SimpleUploadedFile("l.png", b"GIF89a....")},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"logo_file"}

    png = SimpleUploadedFile("l.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    response = client.post(
        reverse("settings_company"),
        {**_company_data(creditor, phone="+45 11 22 33 44", fik_creditor_number="87654321",
                         cvr="13585628"), "logo_file": png},
    )  # fmt: skip
    assert response.status_code == 302
    saved = Creditor.objects.get(pk=creditor.pk)
    assert saved.phone == "+45 11 22 33 44" and saved.fik_creditor_number == "87654321"
    assert saved.cvr == creditor.cvr  # a smuggled CVR number changes nothing
    assert saved.logo.name.endswith(".png")
    assert CreditorEvent.objects.filter(code="creditor.details_changed").exists()


# --- The CPR-reveal log --------------------------------------------------------------------


def test_the_owner_reads_the_own_creditors_reveals_paged(client, tenant_a, tenant_b, world):
    with creditor_scope(tenant_a.creditor):
        debtor = DebtorFactory(
            creditor=tenant_a.creditor, name="Ole Olsen", national_id=valid_cpr(3)
        )
        for i in range(51):
            debtor_reveal_national_id(debtor=debtor, user=tenant_a.user, reason=f"call {i}")
    with creditor_scope(tenant_b.creditor):
        other = DebtorFactory(creditor=tenant_b.creditor, name="Bo Beta", national_id=valid_cpr(4))
        debtor_reveal_national_id(debtor=other, user=tenant_b.user, reason="beta reason")
    client.force_login(world["owner"].user)
    response = client.get(reverse("settings_cpr_reveals"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ole Olsen" in body and "call 50" in body and "call 0<" not in body
    assert "Bo Beta" not in body and "beta reason" not in body
    assert response.context["page"].paginator.count == 51
    page2 = client.get(reverse("settings_cpr_reveals") + "?page=2").content.decode()
    assert "call 0<" in page2
    assert valid_cpr(3) not in body  # the log says who saw it, never the number
