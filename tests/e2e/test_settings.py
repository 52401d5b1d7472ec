"""A creditor's settings in a real browser (issue 15): an owner invites a user by e-mail, a real
Celery worker mails the link, the invitee opens it, sets a password, signs in and has the role
(a viewer sees no action buttons); axe-core at 1280 and 390 px on every settings page."""

import email
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import lifecycle
from collections_portal.celery import app
from collections_portal.tenancy import creditor_scope
from creditors.models import Membership, Role
from debtors.services import debtor_reveal_national_id
from tests.cases.helpers import claim, file_case
from tests.conftest import start_celery_worker, stop_celery_worker
from tests.factories import MembershipFactory, UserFactory

from .axe import assert_accessible, check_page_at_widths
from .test_sign_in import page, sign_in  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_worker(transactional_db, tmp_path):
    """A real worker whose mail lands as files in a folder; the portal queues to it."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue, process = start_celery_worker(
        {"EMAIL_BACKEND": "tests.e2e.mail_backend.EmailBackend", "TEST_MAIL_DIR": str(mail_dir)}
    )
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield mail_dir
    finally:
        app.conf.task_default_queue = previous
        stop_celery_worker(queue, process)


def wait_for_mail(mail_dir: Path, timeout: float = 60) -> email.message.Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(mail_dir.glob("*.log"))
        if files and files[0].stat().st_size:
            return email.message_from_bytes(files[0].read_bytes())
        time.sleep(0.25)
    raise AssertionError("no invitation mail arrived")


@pytest.fixture
def owner(tenant_a):
    user = UserFactory(username="alfa-owner")
    MembershipFactory(user=user, creditor=tenant_a.creditor, role=Role.OWNER)
    return user


def test_an_owner_invites_a_viewer_who_joins_and_sees_no_action_buttons(
    page,  # noqa: F811 (the page fixture)
    live_server,
    tenant_a,
    owner,
    mail_worker,
):
    today = timezone.localdate()
    case = file_case(tenant_a.creditor, claim("S-1", "800.00", today - timedelta(days=40)))
    with creditor_scope(tenant_a.creditor):
        lifecycle.case_send_reminder(case=case, on=today)

    sign_in(page, live_server, owner.username)
    page.get_by_role("link", name="Indstillinger").click()
    page.get_by_role("link", name="Brugere").click()
    expect(page.get_by_role("heading", name="Brugere", exact=True)).to_be_visible()
    page.get_by_label("E-mail").fill("ny.laeser@example.com")
    page.locator("#id_role").select_option("viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("En invitation er på vej til ny.laeser@example.com.")).to_be_visible()
    expect(page.locator("#invitation-list")).to_contain_text("ny.laeser@example.com")
    check_page_at_widths(page, page.url)

    message = wait_for_mail(mail_worker)
    assert message["To"] == "ny.laeser@example.com"
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    link = re.search(r"(http://\S+/invitations/\S+/)", body).group(1)
    assert link.startswith(live_server.url)

    page.get_by_role("button", name="Log ud").click()
    page.goto(link)
    expect(
        page.get_by_role("heading", name=f"Bliv bruger hos {tenant_a.creditor.name}")
    ).to_be_visible()
    check_page_at_widths(page, link)
    page.get_by_label("Fornavn").fill("Nanna")
    page.get_by_label("Efternavn").fill("Læser")
    page.locator("#id_password1").fill("123")
    page.locator("#id_password2").fill("123")
    page.get_by_role("button", name="Opret konto og bliv bruger").click()
    expect(page.locator("small[role=alert]").first).to_be_visible()  # too short, at the field
    good = "en lang og god adgangskode 7"
    page.locator("#id_password1").fill(good)
    page.locator("#id_password2").fill(good)
    page.get_by_role("button", name="Opret konto og bliv bruger").click()
    expect(
        page.get_by_text(f"Velkommen til {tenant_a.creditor.name}: du er læser.")
    ).to_be_visible()
    membership = Membership.objects.get(user__email="ny.laeser@example.com")
    assert (membership.creditor, membership.role) == (tenant_a.creditor, Role.VIEWER)

    # The link works once.
    page.goto(link)
    expect(page.locator("#invitation-error")).to_have_text("Invitationen er allerede brugt.")

    # Signing in again with the new password: a viewer reads and sees no action buttons.
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Log ud").click()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Brugernavn").fill("ny.laeser@example.com")
    page.get_by_label("Adgangskode").fill(good)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("link", name="Sager")).to_be_visible()
    expect(page.get_by_role("link", name="Opret sag")).to_have_count(0)
    expect(page.get_by_role("link", name="Indstillinger")).to_have_count(0)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#next-step")).to_be_visible()
    expect(page.locator("details.case-action")).to_have_count(0)
    # Nothing that writes: the only form left is the letter preview (a GET).
    expect(page.locator("main form[method=post]")).to_have_count(0)


def test_every_settings_page_is_accessible_at_both_widths(page, live_server, tenant_a, owner):  # noqa: F811
    with creditor_scope(tenant_a.creditor):
        debtor_reveal_national_id(debtor=tenant_a.debtor, user=tenant_a.user, reason="Opkald")
    admin = UserFactory(username="alfa-admin")
    MembershipFactory(user=admin, creditor=tenant_a.creditor, role=Role.ADMIN)
    sign_in(page, live_server, owner.username)
    for path in ("/settings/", "/settings/users/", "/settings/company/", "/settings/api-keys/",
                 "/settings/cpr-reveals/"):  # fmt: skip
        check_page_at_widths(page, f"{live_server.url}{path}")
    expect(page.locator("#reveal-list")).to_contain_text("Opkald")

    # The company form with errors, named at their fields.
    page.goto(f"{live_server.url}/settings/company/")
    page.get_by_label("FIK-kreditornummer").fill("123")
    page.get_by_label("IBAN").fill("DK00 0000")
    page.get_by_role("button", name="Gem").click()
    expect(page.locator("#id_fik_creditor_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_iban")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "the company form with errors")

    # An owner cannot be demoted by the last owner: the refusal is said on the page.
    own = Membership.objects.get(user=owner)
    page.goto(f"{live_server.url}/settings/users/")
    page.locator(f"#role-{own.pk}").select_option("member")
    page.get_by_role("button", name=f"Skift rollen for {owner.email}").click()
    expect(page.get_by_text("skal beholde en ejer")).to_be_visible()
