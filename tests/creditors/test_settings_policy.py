"""The collection policy and the channel policy pages: what the law refuses, and why.

Each refusal names the field and the rule with its source (the provision the jurisdiction
profile cites and the profile's version); the same check runs in the admin (the creditor's
form, ``ChannelPolicy.clean()``) and in the services.
"""

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from collections_portal.tenancy import creditor_scope
from creditors.admin import CreditorAdminForm
from creditors.models import Creditor, CreditorEvent, Role
from creditors.policy import POLICY_FIELDS, collection_policy_errors
from creditors.services import creditor_policy_update
from notices.delivery.models import ChannelPolicy
from notices.delivery.services import channel_policy_for, channel_policy_set
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in this thread (the locale middleware does
    not switch back): the tests after this one expect the default, Danish."""
    yield
    translation.deactivate()


def manager(tenant, role=Role.ADMIN):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


def policy_post(creditor, **changes) -> dict:
    data = {name: getattr(creditor, name) for name in POLICY_FIELDS}
    data.update(changes)
    # Unchecked checkboxes are simply absent from a browser's POST.
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


@pytest.fixture
def admin_client(client, tenant_a):
    client.force_login(manager(tenant_a))
    return client


# --- The collection policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "rule", "words"),
    [
        ("policy_reminders", 4, "renteloven § 9 b, DK@2024-01-01", "At most 3 reminders"),
        ("policy_reminder_interval_days", 7, "renteloven § 9 b, DK@2024-01-01", "at least 10 days"),
    ],
)
def test_the_form_refuses_a_policy_looser_than_danish_law_and_says_why(
    admin_client, tenant_a, field, value, rule, words
):
    creditor = tenant_a.creditor
    response = admin_client.post(
        reverse("collection_policy"), policy_post(creditor, **{field: value}), **ENGLISH
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    [message] = errors[field]
    assert rule in message and words in message
    page = response.content.decode()
    # The page names the field beside the reason.
    label = str(Creditor._meta.get_field(field).verbose_name)
    assert f"<strong>{label.capitalize()}:</strong>" in page or f"<strong>{label}:</strong>" in page
    creditor.refresh_from_db()
    assert getattr(creditor, field) != value
    with creditor_scope(creditor):
        assert not CreditorEvent.objects.filter(creditor=creditor).exists()


def test_the_refusal_is_in_danish_on_a_danish_page(admin_client, tenant_a):
    response = admin_client.post(
        reverse("collection_policy"), policy_post(tenant_a.creditor, policy_reminders=4)
    )
    [message] = response.context["form"].errors["policy_reminders"]
    assert "Højst 3 rykkere" in message and "renteloven § 9 b" in message


def test_a_norwegian_creditor_gets_the_norwegian_limits(admin_client, tenant_a):
    creditor = tenant_a.creditor
    Creditor.objects.filter(pk=creditor.pk).update(
        jurisdiction="NO", policy_reminder_interval_days=14
    )
    creditor.refresh_from_db()
    response = admin_client.post(
        reverse("collection_policy"),
        policy_post(creditor, policy_reminders=3, policy_first_reminder_days=7),
        **ENGLISH,
    )
    errors = response.context["form"].errors
    assert set(errors) == {"policy_reminders", "policy_first_reminder_days"}
    assert "At most 2 reminders" in errors["policy_reminders"][0]
    assert "14 days after the due date" in errors["policy_first_reminder_days"][0]
    assert "NO purregebyr, NO@" in errors["policy_first_reminder_days"][0]


def test_a_policy_within_the_law_is_saved_and_audited(admin_client, tenant_a):
    creditor = tenant_a.creditor
    response = admin_client.post(
        reverse("collection_policy"),
        policy_post(
            creditor,
            policy_reminders=3,
            policy_reminder_interval_days=14,
            policy_group_invoices_per_debtor=True,
        ),
    )
    assert response.status_code == 302
    creditor.refresh_from_db()
    assert creditor.policy_reminders == 3
    assert creditor.policy_reminder_interval_days == 14
    assert creditor.policy_group_invoices_per_debtor is True
    with creditor_scope(creditor):
        [entry] = CreditorEvent.objects.filter(creditor=creditor)
    assert entry.code == "policy.changed"
    assert entry.data["changes"] == {
        "policy_reminders": [1, 3],
        "policy_reminder_interval_days": [10, 14],
        "policy_group_invoices_per_debtor": [False, True],
    }
    assert entry.actor is not None
    # The page shows the change in words.
    page = admin_client.get(reverse("collection_policy")).content.decode()
    assert "dage mellem rykkere: 10 → 14" in page.lower()


def test_the_same_check_guards_the_admin_and_the_service(tenant_a):
    creditor = tenant_a.creditor
    data = {k: v for k, v in model_to_dict(creditor).items() if k != "logo" and v is not None}
    data["policy_reminder_interval_days"] = 3
    with translation.override("en"):
        form = CreditorAdminForm(data=data, instance=creditor)
        assert not form.is_valid()
    assert list(form.errors) == ["policy_reminder_interval_days"]
    assert "renteloven § 9 b" in form.errors["policy_reminder_interval_days"][0]
    creditor.refresh_from_db()
    with creditor_scope(creditor), pytest.raises(ValidationError) as refused:
        creditor_policy_update(creditor=creditor, actor=None, values={"policy_reminders": 5})
    assert "policy_reminders" in refused.value.message_dict
    creditor.refresh_from_db()
    assert creditor.policy_reminders == 1


def test_the_check_reports_every_field_at_once():
    with translation.override("en"):
        errors = collection_policy_errors(
            {
                "policy_reminders": 9,
                "policy_reminder_interval_days": 1,
                "policy_collection_days": 0,
            },
            jurisdiction="DK",
        )
    assert set(errors) == {
        "policy_reminders",
        "policy_reminder_interval_days",
        "policy_collection_days",
    }


# --- The channel policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "channels", ["email", "email > digital_post", "digital_post", "email > print"]
)
def test_the_warning_must_reach_the_registered_address(admin_client, tenant_a, channels):
    response = admin_client.post(
        reverse("channel_policies"), {"kind": "warning", "channels": channels}, **ENGLISH
    )
    assert response.status_code == 400
    [row] = [r for r in response.context["rows"] if r["kind"] == "warning"]
    [message] = row["errors"]
    assert "registered address" in message and "inkassoloven § 10, DK@2024-01-01" in message
    with creditor_scope(tenant_a.creditor):
        assert not ChannelPolicy.objects.exists()
    assert "<strong>Channels:</strong>" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "channels", "stored"),
    [
        ("warning", "digital_post > print + email", "digital_post > print + email"),
        ("credit_bureau_warning", " PRINT ", "print"),
        ("reminder", "email > sms", "email > sms"),
        ("receipt", "email", "email"),
    ],
)
def test_a_valid_and_legal_chain_is_saved_and_audited(
    admin_client, tenant_a, kind, channels, stored
):
    response = admin_client.post(reverse("channel_policies"), {"kind": kind, "channels": channels})
    assert response.status_code == 302
    creditor = tenant_a.creditor
    with creditor_scope(creditor):
        assert ChannelPolicy.objects.get(kind=kind).channels == stored
        [entry] = CreditorEvent.objects.filter(creditor=creditor)
    assert entry.code == "channel_policy.changed" and entry.data["subject"] == kind
    assert entry.data["changes"] == {"channels": ["", stored]}


@pytest.mark.parametrize(
    ("channels", "words"),
    [("email > fax", "Unknown channel"), ("email > email", "appears twice"), ("email >", "Empty")],
)
def test_a_broken_chain_is_refused(admin_client, tenant_a, channels, words):
    response = admin_client.post(
        reverse("channel_policies"), {"kind": "reminder", "channels": channels}, **ENGLISH
    )
    assert response.status_code == 400
    [row] = [r for r in response.context["rows"] if r["kind"] == "reminder"]
    assert words in row["errors"][0]


def test_the_page_shows_each_kind_by_title_with_its_default(admin_client, tenant_a):
    page = admin_client.get(reverse("channel_policies"), **ENGLISH).content.decode()
    assert "Collection warning" in page and "Payment receipt" in page
    # The default in words, and in the chain syntax.
    assert "Letter (print) and E-mail" in page and "print + email" in page
    assert "E-mail, else Digital post, else Letter (print)" in page


def test_use_the_default_removes_the_creditors_policy(admin_client, tenant_a):
    creditor = tenant_a.creditor
    with creditor_scope(creditor):
        channel_policy_set(creditor=creditor, kind="reminder", channels="print")
    response = admin_client.post(
        reverse("channel_policies"), {"kind": "reminder", "channels": "print", "default": "1"}
    )
    assert response.status_code == 302
    with creditor_scope(creditor):
        assert not ChannelPolicy.objects.exists()
        assert channel_policy_for(creditor_id=creditor.pk, kind="reminder") == [
            ["email", "digital_post", "print"]
        ]
        logged = list(
            CreditorEvent.objects.filter(creditor=creditor).values_list("data", flat=True)
        )
    assert {"subject": "reminder", "changes": {"channels": ["print", ""]}} in logged


def test_the_admin_runs_the_same_channel_check(tenant_a):
    policy = ChannelPolicy(creditor=tenant_a.creditor, kind="credit_bureau_warning", channels="sms")
    with (
        creditor_scope(tenant_a.creditor),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        policy.full_clean()
    assert "databeskyttelsesloven § 20" in refused.value.message_dict["channels"][0]


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
@pytest.mark.parametrize("name", ["collection_policy", "channel_policies"])
def test_members_and_viewers_get_403_reading_and_posting(client, tenant_a, role, name):
    client.force_login(manager(tenant_a, role))
    assert client.get(reverse(name)).status_code == 403
    forged = {"kind": "warning", "channels": "print", **policy_post(tenant_a.creditor)}
    forged["policy_reminders"] = 3
    assert client.post(reverse(name), forged).status_code == 403
    tenant_a.creditor.refresh_from_db()
    assert tenant_a.creditor.policy_reminders == 1
    with creditor_scope(tenant_a.creditor):
        assert not ChannelPolicy.objects.exists()


def test_an_owner_changes_only_their_own_creditor(client, tenant_a, tenant_b):
    client.force_login(manager(tenant_a, Role.OWNER))
    data = policy_post(tenant_a.creditor, policy_reminders=2)
    data["creditor"] = tenant_b.creditor.pk  # smuggled: the request's creditor decides
    assert client.post(reverse("collection_policy"), data).status_code == 302
    tenant_a.creditor.refresh_from_db()
    tenant_b.creditor.refresh_from_db()
    assert (tenant_a.creditor.policy_reminders, tenant_b.creditor.policy_reminders) == (2, 1)
