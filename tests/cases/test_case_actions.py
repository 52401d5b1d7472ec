"""Acting on a case from its page (issue 15, item 5): each action through its service, role-gated
on the server (a viewer's forged POST is 403; another creditor's case is 404), refusals named
in words next to the field."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    CaseDocument,
    CaseEvent,
    CaseState,
    ClosedReason,
    Dispute,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
)
from cases.selectors import case_balance
from cases.services import lifecycle
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole
from creditors.models import Role
from notices.models import Notice, NoticeKind
from tests.factories import MembershipFactory, UserFactory, agency_user

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows program's first bytes
ACTIONS = [
    "case_payment",
    "case_write_down",
    "case_pause",
    "case_resume",
    "case_withdraw",
    "case_dispute",
    "case_document_upload",
]


def today():
    return timezone.localdate()


@pytest.fixture
def case(tenant_a):
    case = file_case(tenant_a.creditor, claim("A-1", "1000.00", today() - timedelta(days=40)))
    with creditor_scope(tenant_a.creditor):
        yield case


def user_with(role, tenant):
    user = UserFactory()
    MembershipFactory(user=user, creditor=tenant.creditor, role=role)
    return user


def post(client, name, case, data=None, **extra):
    return client.post(reverse(name, args=[case.pk]), data or {}, **HTMX, **extra)


def events(case, code):
    return CaseEvent.objects.filter(case=case, code=code).count()


# --- Who may act ---------------------------------------------------------------------------


def test_a_viewer_reads_the_case_and_sees_no_action(client, tenant_a, case):
    client.force_login(user_with(Role.VIEWER, tenant_a))
    body = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert case.reference in body
    assert "case-actions-title" not in body
    for name in ACTIONS:
        assert reverse(name, args=[case.pk]) not in body


@pytest.mark.parametrize("name", ACTIONS)
def test_a_viewers_forged_post_is_403_and_changes_nothing(client, tenant_a, case, name):
    client.force_login(user_with(Role.VIEWER, tenant_a))
    before = CaseEvent.objects.filter(case=case).count()
    data = {
        "payment-amount": "100",
        "payment-received_on": today().isoformat(),
        "withdraw-reason": "x",
        "withdraw-confirm": "on",
        "pause-until": (today() + timedelta(days=5)).isoformat(),
        "dispute-reason": "x",
        "write_down-amount": "10",
        "write_down-reason": "x",
    }
    assert post(client, name, case, data).status_code == 403
    assert CaseEvent.objects.filter(case=case).count() == before


@pytest.mark.parametrize("name", ACTIONS)
def test_another_creditors_case_is_404_on_every_action(client, tenant_a, tenant_b, name):
    client.force_login(tenant_a.user)
    assert post(client, name, tenant_b.case).status_code == 404


@pytest.mark.parametrize(
    "make_user",
    [
        lambda t: user_with(Role.OWNER, t),
        lambda t: user_with(Role.ADMIN, t),
        lambda t: user_with(Role.MEMBER, t),
        lambda t: agency_user(AgencyRole.AGENT),
        lambda t: agency_user(AgencyRole.SUPERVISOR),
    ],
    ids=["owner", "admin", "member", "agency-agent", "agency-supervisor"],
)
def test_owners_admins_members_and_agency_staff_act(client, tenant_a, case, make_user):
    client.force_login(make_user(tenant_a))
    until = today() + timedelta(days=10)
    response = post(client, "case_pause", case, {"pause-until": until.isoformat()})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.paused_until == until
    assert events(case, "case.paused") == 1


# --- Direct payment ------------------------------------------------------------------------


def test_a_direct_payment_is_registered_with_its_reference_and_a_receipt(client, tenant_a, case):
    lifecycle.case_send_reminder(case=case, on=today())  # the debtor has had a letter
    client.force_login(tenant_a.user)
    response = post(
        client,
        "case_payment",
        case,
        {
            "payment-amount": "200,00",
            "payment-received_on": today().isoformat(),
            "payment-reference": "Bank 4711",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="action-result"' in body
    assert 'hx-swap-oob="true"' in body  # the ledger, letters and timeline follow
    payment = Payment.objects.get(case=case)
    assert payment.amount == Decimal("200.00")
    assert payment.method == PaymentMethod.DIRECT_TO_CREDITOR
    assert payment.payer_reference == "Bank 4711"
    assert Notice.objects.filter(case=case, kind=NoticeKind.RECEIPT).exists()
    assert events(case, "payment.received") == 1


def test_an_overpayment_needs_the_confirmation(client, tenant_a, case):
    client.force_login(tenant_a.user)
    data = {"payment-amount": "5000", "payment-received_on": today().isoformat()}
    body = post(client, "case_payment", case, data).content.decode()
    assert "more than the balance" in body or "mere end saldoen" in body
    assert 'id="id_payment-confirm_overpayment_error"' in body  # the error names its field
    assert not Payment.objects.filter(case=case).exists()

    post(client, "case_payment", case, data | {"payment-confirm_overpayment": "on"})
    assert Payment.objects.get(case=case).amount == Decimal("5000.00")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED  # paid in full; the rest is a credit for the debtor
    assert case_balance(case).credit > 0


@pytest.mark.parametrize("reason", [ClosedReason.WITHDRAWN, ClosedReason.PAID])
def test_a_closed_case_refuses_a_payment_in_words(client, tenant_a, case, reason):
    lifecycle.case_close(case=case, reason=reason)
    client.force_login(tenant_a.user)
    data = {"payment-amount": "100", "payment-received_on": today().isoformat()}
    body = post(client, "case_payment", case, data).content.decode()
    assert 'id="action-error"' in body
    assert not Payment.objects.filter(case=case).exists()


def test_a_payment_in_the_future_is_refused_on_its_field(client, tenant_a, case):
    client.force_login(tenant_a.user)
    tomorrow = today() + timedelta(days=1)
    data = {"payment-amount": "100", "payment-received_on": tomorrow.isoformat()}
    body = post(client, "case_payment", case, data).content.decode()
    assert 'id="id_payment-received_on_error"' in body
    assert not Payment.objects.filter(case=case).exists()


# --- Write-down (credit note) --------------------------------------------------------------


def test_a_write_down_posts_a_write_off_with_its_reason(client, tenant_a, case):
    client.force_login(tenant_a.user)
    data = {"write_down-amount": "250", "write_down-reason": "Credit note 88: damaged goods"}
    assert post(client, "case_write_down", case, data).status_code == 200
    entry = LedgerEntry.objects.get(case=case, kind=EntryKind.WRITE_OFF)
    assert entry.amount == Decimal("-250.00")
    assert entry.explanation == "Credit note 88: damaged goods"
    assert case_balance(case).principal == Decimal("750.00")
    assert events(case, "case.written_down") == 1


def test_a_write_down_needs_a_reason_and_at_most_the_principal(client, tenant_a, case):
    client.force_login(tenant_a.user)
    body = post(client, "case_write_down", case, {"write_down-amount": "10"}).content.decode()
    assert 'id="id_write_down-reason_error"' in body
    data = {"write_down-amount": "1000.01", "write_down-reason": "too much"}
    body = post(client, "case_write_down", case, data).content.decode()
    assert 'id="id_write_down-amount_error"' in body
    assert not LedgerEntry.objects.filter(case=case, kind=EntryKind.WRITE_OFF).exists()


def test_writing_down_the_whole_balance_closes_the_case(client, tenant_a):
    fresh = file_case(tenant_a.creditor, claim("A-2", "400.00", today()))  # no interest yet
    client.force_login(tenant_a.user)
    data = {"write_down-amount": "400", "write_down-reason": "Settled by credit note"}
    post(client, "case_write_down", fresh, data)
    fresh.refresh_from_db()
    assert (fresh.state, fresh.closed_reason) == (CaseState.CLOSED, ClosedReason.PAID)


# --- Pause and resume ----------------------------------------------------------------------


def test_pause_then_resume(client, tenant_a, case):
    client.force_login(tenant_a.user)
    until = today() + timedelta(days=14)
    body = post(client, "case_pause", case, {"pause-until": until.isoformat()}).content.decode()
    assert reverse("case_resume", args=[case.pk]) in body  # the panel now offers to resume
    assert post(client, "case_resume", case).status_code == 200
    case.refresh_from_db()
    assert case.paused_until is None
    assert case.next_action_at is not None
    assert events(case, "case.resumed") == 1


def test_a_pause_in_the_past_and_a_resume_without_a_pause_are_refused(client, tenant_a, case):
    client.force_login(tenant_a.user)
    body = post(client, "case_pause", case, {"pause-until": today().isoformat()}).content
    assert b'id="id_pause-until_error"' in body
    body = post(client, "case_resume", case).content.decode()
    assert "not paused" in body or "ikke sat i bero" in body
    assert events(case, "case.resumed") == 0


def test_a_closed_case_refuses_a_pause_in_words(client, tenant_a, case):
    lifecycle.case_withdraw(case=case)
    client.force_login(tenant_a.user)
    until = today() + timedelta(days=5)
    body = post(client, "case_pause", case, {"pause-until": until.isoformat()}).content.decode()
    assert 'id="action-error"' in body
    assert "at sætte sagen i bero" in body
    case.refresh_from_db()
    assert case.paused_until is None


# --- Withdraw ------------------------------------------------------------------------------


def test_withdraw_needs_a_reason_and_the_confirmation(client, tenant_a, case):
    client.force_login(tenant_a.user)
    body = post(client, "case_withdraw", case, {"withdraw-reason": "Paid us"}).content.decode()
    assert 'id="id_withdraw-confirm_error"' in body
    case.refresh_from_db()
    assert case.state != CaseState.CLOSED


def test_withdraw_once_and_a_second_time_is_a_clear_error(client, tenant_a, case):
    client.force_login(tenant_a.user)
    data = {"withdraw-reason": "Settled with us", "withdraw-confirm": "on"}
    post(client, "case_withdraw", case, data)
    case.refresh_from_db()
    assert (case.state, case.closed_reason) == (CaseState.CLOSED, ClosedReason.WITHDRAWN)
    body = post(client, "case_withdraw", case, data).content.decode()
    assert 'id="action-error"' in body
    assert events(case, "case.closed") == 1


def test_withdraw_without_htmx_redirects_to_the_case_page(client, tenant_a, case):
    client.force_login(tenant_a.user)
    response = client.post(
        reverse("case_withdraw", args=[case.pk]),
        {"withdraw-reason": "Settled", "withdraw-confirm": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.pk])


# --- Dispute -------------------------------------------------------------------------------


def test_a_dispute_with_documentation(client, tenant_a, case):
    client.force_login(tenant_a.user)
    upload = ContentFile(PDF, name="complaint.pdf")
    data = {"dispute-reason": "Goods never delivered", "dispute-files": [upload]}
    assert post(client, "case_dispute", case, data).status_code == 200
    dispute = Dispute.objects.get(case=case)
    assert dispute.reason == "Goods never delivered"
    assert CaseDocument.objects.get(case=case).filename == "complaint.pdf"
    assert events(case, "case.dispute_opened") == 1


def test_a_dispute_with_a_refused_file_registers_nothing(client, tenant_a, case):
    client.force_login(tenant_a.user)
    data = {"dispute-reason": "x", "dispute-files": [ContentFile(EXE, name="proof.pdf")]}
    body = post(client, "case_dispute", case, data).content.decode()
    assert 'id="id_dispute-files_error"' in body
    assert "proof.pdf" in body
    assert not Dispute.objects.filter(case=case).exists()
    assert not CaseDocument.objects.filter(case=case).exists()


# --- Documents -----------------------------------------------------------------------------


def office_zip(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        elif kind == "docx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        elif kind == "xlsx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
        else:
            archive.writestr("notes.txt", "just an archive")
    return buffer.getvalue()


def test_upload_lists_who_and_when_and_downloads_the_same_bytes(client, tenant_a, case):
    client.force_login(tenant_a.user)
    upload = ContentFile(PDF, name="contract.pdf")
    data = {"document-file": upload, "document-description": "Signed contract"}
    body = post(client, "case_document_upload", case, data).content.decode()
    document = CaseDocument.objects.get(case=case)
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == tenant_a.user
    assert "contract.pdf" in body and tenant_a.user.username in body
    assert events(case, "case.document_added") == 1

    # A viewer reads: the list and the download.
    client.force_login(user_with(Role.VIEWER, tenant_a))
    response = client.get(reverse("case_document_download", args=[case.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert "contract.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("letter.docx", office_zip("docx"), "application/vnd.openxmlformats-officedocument"),
        ("sheet.xlsx", office_zip("xlsx"), "application/vnd.openxmlformats-officedocument"),
        ("letter.odt", office_zip("odt"), "application/vnd.oasis.opendocument.text"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "application/msword"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "application/vnd.ms-excel"),
    ],
)
def test_allowed_types_by_content(client, tenant_a, case, name, content, content_type):
    client.force_login(tenant_a.user)
    post(client, "case_document_upload", case, {"document-file": ContentFile(content, name=name)})
    assert CaseDocument.objects.get(case=case).content_type.startswith(content_type)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", EXE),  # a program renamed .pdf
        ("notes.txt", b"plain text"),
        ("archive.docx", office_zip("plain")),  # a zip that is no office document
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),  # a PNG named .pdf
    ],
)
def test_other_files_are_refused_in_words(client, tenant_a, case, name, content):
    client.force_login(tenant_a.user)
    data = {"document-file": ContentFile(content, name=name)}
    body = post(client, "case_document_upload", case, data).content.decode()
    assert 'id="id_document-file_error"' in body
    assert not CaseDocument.objects.filter(case=case).exists()


def test_the_size_limit_applies(client, tenant_a, case, settings):
    settings.CASE_DOCUMENT_MAX_BYTES = 100
    client.force_login(tenant_a.user)
    data = {"document-file": ContentFile(PDF + b"x" * 200, name="big.pdf")}
    body = post(client, "case_document_upload", case, data).content.decode()
    assert 'id="id_document-file_error"' in body
    assert not CaseDocument.objects.filter(case=case).exists()


def test_another_creditors_document_is_404(client, tenant_a, tenant_b):
    from cases.services.documents import case_document_add

    with creditor_scope(tenant_b.creditor):
        document = case_document_add(case=tenant_b.case, file=ContentFile(PDF, name="b.pdf"))
    client.force_login(tenant_a.user)
    url = reverse("case_document_download", args=[tenant_b.case.pk, document.pk])
    assert client.get(url).status_code == 404
    # Nor through one's own case.
    url = reverse("case_document_download", args=[tenant_a.case.pk, document.pk])
    assert client.get(url).status_code == 404


# --- The header ----------------------------------------------------------------------------


def test_the_header_says_the_next_step_in_words_with_its_date(client, tenant_a, case):
    client.force_login(tenant_a.user)
    until = today() + timedelta(days=14)
    lifecycle.case_pause(case=case, until=until)
    body = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="next-step"' in body
    from django.utils.formats import date_format

    assert date_format(until, "j. F") in body
