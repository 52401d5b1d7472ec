"""Cases and their records cannot be changed in the Django admin: every write goes through the
services, which lock the case and write its timeline. (The admin's case form once let staff move
a case to another creditor, which then saw the first creditor's debtor.)"""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import (
    ApprovalRequest,
    Case,
    CaseDocument,
    CaseEvent,
    CaseFigures,
    CaseMessage,
    Claim,
    ContactLog,
    CreditBureauAttempt,
    CreditBureauRegistration,
    CreditBureauSubmission,
    Dispute,
    Instalment,
    InstalmentPlan,
    LedgerEntry,
    LegalStep,
    LimitationEvent,
    NotificationEmail,
    NotificationSettings,
    Payment,
    PromiseToPay,
    WorkItem,
)
from cases.services.payments import payment_register
from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.agency import AgencyRole
from notices.delivery.models import Delivery, DeliveryAttempt, PrintBatch
from notices.models import Notice
from tests.cases.helpers import claim, file_case
from tests.factories import UserFactory, agency_user

pytestmark = pytest.mark.django_db

WORK_REASON = WorkItem._meta.get_field("reason").choices[0][0]

# Models of these apps that staff do edit in the admin, by design: settings, not records.
# Settings staff edit; the score weights are edited by a supervisor on the workspace's page.
# Settings, not records (teams: the supervisor's /workspace/teams/ page; not in the admin).
EDITABLE = {
    "cases.referencerate",
    "delivery.channelpolicy",
    "cases.workscoreweights",
    "cases.team",
}


def _admin_user(kind: str):
    if kind == "superuser":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    return agency_user(AgencyRole.ADMIN, username="administrator")


@pytest.fixture
def records(tenant_a):
    """One of every record of a case, made the way the services (or their tests) make them."""
    creditor = tenant_a.creditor
    case = file_case(creditor, claim("F-1", "1000.00", date(2026, 1, 10)))
    with creditor_scope(creditor):
        first = case.claims.get()
        payment_register(
            case=case,
            amount=Decimal("100.00"),
            received_on=date(2026, 2, 1),
            method="bank_transfer",
        )
        notice = Notice.objects.create(
            creditor=creditor, case=case, kind="reminder", dated=date(2026, 2, 2)
        )
        batch = PrintBatch.objects.create(creditor=creditor)
        delivery = Delivery.objects.create(
            creditor=creditor, notice=notice, channel="print", print_batch=batch
        )
        DeliveryAttempt.objects.create(creditor=creditor, delivery=delivery, number=1)
        registration = CreditBureauRegistration.objects.create(
            creditor=creditor, case=case, debtor=case.debtor, bureau="rki", currency="DKK",
            data_date=date(2026, 2, 8), data_expires_on=date(2031, 2, 8),
        )  # fmt: skip
        submission = CreditBureauSubmission.objects.create(
            creditor=creditor, registration=registration, action="register"
        )
        plan = InstalmentPlan.objects.create(
            creditor=creditor, case=case, proposed_on=date(2026, 2, 5)
        )
        message = CaseMessage.objects.create(
            creditor=creditor, case=case, side="creditor", author=tenant_a.user,
            author_name="A", body="Hej",
        )  # fmt: skip
        event = CaseEvent.objects.filter(case=case).first()
        return {
            CaseMessage: message,
            NotificationEmail: NotificationEmail.objects.create(
                creditor=creditor, event=event, address="a@example.com"
            ),
            NotificationSettings: NotificationSettings.objects.create(user=tenant_a.user),
            Case: case,
            CaseFigures: CaseFigures.objects.get(case=case),  # made by the database
            Claim: first,
            LedgerEntry: LedgerEntry.objects.filter(case=case).first(),
            Payment: Payment.objects.get(case=case),
            LimitationEvent: LimitationEvent.objects.create(
                creditor=creditor, claim=first, kind="acknowledgement", occurred_on=date(2026, 2, 3)
            ),
            LegalStep: LegalStep.objects.create(
                creditor=creditor, case=case, kind="summary_claim", occurred_on=date(2026, 2, 4)
            ),
            InstalmentPlan: plan,
            Instalment: Instalment.objects.create(
                creditor=creditor, plan=plan, number=1, due_date=date(2026, 3, 1), amount=100
            ),
            PromiseToPay: PromiseToPay.objects.create(
                creditor=creditor,
                case=case,
                promised_on=date(2026, 2, 7),
                pay_by=date(2026, 2, 20),
                amount=50,
            ),
            CaseEvent: CaseEvent.objects.filter(case=case).first(),
            Dispute: Dispute.objects.create(
                creditor=creditor, case=case, opened_on=date(2026, 2, 6), reason="not delivered"
            ),
            CaseDocument: CaseDocument.objects.create(
                creditor=creditor,
                case=case,
                file="x.pdf",
                filename="x.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
            ),
            Notice: notice,
            Delivery: delivery,
            DeliveryAttempt: DeliveryAttempt.objects.get(delivery=delivery),
            PrintBatch: batch,
            CreditBureauRegistration: registration,
            CreditBureauSubmission: submission,
            CreditBureauAttempt: CreditBureauAttempt.objects.create(
                creditor=creditor, submission=submission, adapter="file", started_at=timezone.now()
            ),
            WorkItem: WorkItem.objects.create(
                creditor=creditor,
                case=case,
                reason=WORK_REASON,
                due_at=timezone.now(),
            ),
            ApprovalRequest: ApprovalRequest.objects.create(
                creditor=creditor,
                case=case,
                kind="write_off",
                reason="Goodwill.",
                requested_by=agency_user(username="write-off-asker"),
            ),
            ContactLog: ContactLog.objects.create(
                creditor=creditor,
                case=case,
                channel="phone",
                direction="outbound",
                outcome="reached",
                user=agency_user(username="contact-logger"),
            ),
        }


def _record_models():
    """Every model of cases, notices and delivery but the settings staff edit."""
    for label in ("cases", "notices", "delivery"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in EDITABLE:
                yield model


def test_every_record_model_is_covered(records):
    """A new record model must be added to this file's fixture (and kept read-only)."""
    assert set(_record_models()) == set(records)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


# Every record model, by label: one test each (as an agency admin and as a superuser).
RECORD_MODELS = [
    "cases.case",
    "cases.claim",
    "cases.ledgerentry",
    "cases.payment",
    "cases.limitationevent",
    "cases.legalstep",
    "cases.instalmentplan",
    "cases.instalment",
    "cases.promisetopay",
    "cases.caseevent",
    "cases.dispute",
    "cases.casedocument",
    "notices.notice",
    "delivery.delivery",
    "delivery.deliveryattempt",
    "delivery.printbatch",
    "cases.creditbureauregistration",
    "cases.creditbureausubmission",
    "cases.creditbureauattempt",
    "cases.workitem",
    "cases.contactlog",
    "cases.casemessage",
    "cases.notificationemail",
    "cases.notificationsettings",
    "cases.approvalrequest",
    "cases.casefigures",
]


def test_every_record_model_is_tested(records):
    assert {model._meta.label_lower for model in records} == set(RECORD_MODELS)


@pytest.mark.parametrize("label", RECORD_MODELS)
@pytest.mark.parametrize("kind", ["agency_admin", "superuser"])
def test_the_admin_cannot_add_change_or_delete_a_record(
    client, tenant_a, tenant_b, records, kind, label
):
    client.force_login(_admin_user(kind))
    model = apps.get_model(label)
    obj = records[model]
    info = (model._meta.app_label, model._meta.model_name)
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        # Not in the admin at all: no page to change it from.
        with pytest.raises(NoReverseMatch):
            reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        return
    with agency_scope(reason="test"):
        before = _fields(type(obj).objects.get(pk=obj.pk))
    change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    page = client.get(change)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_save"' not in body
    assert 'name="_continue"' not in body
    # A POST that would move a case to the other creditor (and change every other field the
    # form could name) is refused.
    forged = {k: str(v) for k, v in before.items() if v not in (None, "") and k != "id"}
    forged["creditor"] = tenant_b.creditor.pk
    forged["debtor"] = tenant_b.debtor.pk
    forged["closed_reason"] = "paid"
    assert client.post(change, forged).status_code == 403
    assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
    assert client.post(reverse("admin:{}_{}_add".format(*info)), forged).status_code == 403
    delete = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    with agency_scope(reason="test"):
        assert _fields(type(obj).objects.get(pk=obj.pk)) == before
    for inline in model_admin.get_inline_instances(page.wsgi_request, obj):
        assert not inline.has_add_permission(page.wsgi_request, obj), inline
        assert not inline.has_change_permission(page.wsgi_request, obj), inline
        assert not inline.has_delete_permission(page.wsgi_request, obj), inline


def test_the_case_admin_keeps_its_collection_costs_action(client, tenant_a):
    client.force_login(_admin_user("agency_admin"))
    body = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert 'value="correct_collection_costs"' in body
    assert 'value="delete_selected"' not in body
