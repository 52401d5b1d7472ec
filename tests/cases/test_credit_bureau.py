"""Credit-bureau registration on whole cases: each precondition refused with its reason, the
warning letter, the agent's decision, each deregistration trigger with its record at the
(fake) bureau, and idempotency of every step."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases import selectors
from cases.models import (
    AttemptOutcome,
    CaseEvent,
    CaseState,
    ClosedReason,
    CreditBureauAttempt,
    CreditBureauRegistration,
    CreditBureauSubmission,
    EndReason,
    RegistrationStatus,
    SubmissionStatus,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
)
from cases.rules import get_profile
from cases.rules.credit_bureau import credit_bureau_verdict
from cases.services import CaseError, lifecycle
from cases.services.credit_bureau import (
    credit_bureau_decide,
    credit_bureau_deregister,
    credit_bureau_register,
    credit_bureau_sweep,
    credit_bureau_warn,
    submission_send,
)
from cases.services.payments import payment_register
from cases.services.work_items import work_item_close, work_item_open
from collections_portal.tenancy import creditor_scope
from integrations.credit_bureau.file import read_record
from notices.models import Notice, NoticeKind
from tests.factories import DebtorFactory, agency_user

from .fake_bureau import RunningBureau, run_queued
from .helpers import at, claim, file_case

pytestmark = pytest.mark.django_db
# The bureau's own work items (a case in collection has others too, e.g. "new in collection").
BUREAU = "credit_bureau"

DUE = date(2025, 1, 10)
HANDED_OVER = date(2025, 2, 1)
WARNED = date(2025, 2, 2)
ELIGIBLE = date(2025, 2, 12)  # 10 days after the warning letter
DK = get_profile("DK", date(2025, 1, 1))


@pytest.fixture
def outbox(settings, tmp_path):
    settings.CREDIT_BUREAU_URL = ""
    settings.CREDIT_BUREAU_OUTBOX = str(tmp_path / "outbox")
    return tmp_path / "outbox"


@pytest.fixture
def bureau(settings):
    with RunningBureau() as fake:
        settings.CREDIT_BUREAU_URL = fake.url
        settings.CREDIT_BUREAU_TOKEN = fake.token
        settings.CREDIT_BUREAU_OUTBOX = ""
        yield fake


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_collection(creditor, principal="5000.00", due=DUE, *, number="CB-1"):
    """A consumer case through the collection warning into collection (the ordinary path)."""
    debtor = DebtorFactory(creditor=creditor)
    with at(due):
        case = file_case(creditor, claim(number, principal, due), debtor=debtor)
    with creditor_scope(creditor):
        with at(due + timedelta(days=10)):
            lifecycle.case_send_warning(case=case, on=due + timedelta(days=10))
        handover = due + timedelta(days=22)
        with at(handover):
            lifecycle.case_hand_over(case=case, on=handover)
    case.refresh_from_db()
    return case


def warned(creditor, **kwargs):
    case = in_collection(creditor, **kwargs)
    with creditor_scope(creditor), at(WARNED):
        credit_bureau_warn(case=case, bureau="rki", on=WARNED)
    return case


def registered(creditor, captured, **kwargs):
    """A case registered with RKI on ELIGIBLE, its submission sent to the bureau."""
    case = warned(creditor, **kwargs)
    with creditor_scope(creditor), at(ELIGIBLE), captured(execute=False) as hooks:
        credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
    assert run_queued(hooks, creditor) == [SubmissionStatus.SENT]
    return case


def registration(case) -> CreditBureauRegistration:
    with creditor_scope(case.creditor_id):
        return CreditBureauRegistration.objects.get(case=case)


# --- The rules, from plain data ---------------------------------------------------------------


def verdict(**facts):
    base = {
        "bureau": "rki",
        "on": ELIGIBLE,
        "amount": Decimal("5000.00"),
        "oldest_due_date": DUE,
        "disputed": False,
        "in_collection": True,
        "warned_on": WARNED,
    }
    return credit_bureau_verdict(DK, **(base | facts))


def test_the_rules_allow_a_warned_undisputed_recent_claim_above_the_minimum():
    allowed = verdict()
    assert allowed.allowed and allowed.reasons == ()
    assert allowed.register == "open"
    assert allowed.eligible_from == ELIGIBLE
    assert allowed.data_expires_on == date(2030, 1, 10)
    assert "databeskyttelsesloven § 20" in allowed.explanation and DK.label in allowed.explanation


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"disputed": True}, "disputed"),
        ({"oldest_due_date": date(2020, 2, 12)}, "older than 5 years"),
        ({"in_collection": False}, "not in collection"),
        ({"amount": Decimal("200.00")}, "minimum of 200.00 DKK"),
        ({"warned_on": None}, "has not been warned"),
        ({"on": ELIGIBLE - timedelta(days=1)}, "allows a registration from 2025-02-12"),
        ({"identified": False}, "CPR/CVR number is not known"),
    ],
)
def test_the_rules_refuse_each_precondition_with_its_reason(facts, reason):
    refused = verdict(**facts)
    assert not refused.allowed
    assert len(refused.reasons) == 1 and reason in refused.reasons[0]


def test_below_1000_the_claim_goes_to_the_closed_register():
    assert verdict(amount=Decimal("999.99")).register == "closed"
    assert verdict(amount=Decimal("1000.00")).register == "open"
    assert verdict(amount=Decimal("200.01")).allowed


# --- Each precondition refused on a whole case --------------------------------------------------


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_registration_without_the_warning_letter(tenant_a):
    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), pytest.raises(CaseError, match="not been warned"):
        credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_registration_before_the_warnings_days_have_passed(tenant_a):
    case = warned(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        with pytest.raises(CaseError, match="allows a registration from 2025-02-12"):
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE - timedelta(days=1))
        assert registration(case).status == RegistrationStatus.WARNED


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_warning_and_no_registration_on_a_disputed_claim(tenant_a):
    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(WARNED):
        lifecycle.dispute_open(case=case, reason="Never ordered")
        with pytest.raises(CaseError, match="disputed"):
            credit_bureau_warn(case=case, bureau="rki", on=WARNED)
        assert not Notice.objects.filter(case=case, kind=NoticeKind.CREDIT_BUREAU_WARNING)


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_a_dispute_after_the_warning_stops_the_registration(tenant_a):
    case = warned(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(WARNED + timedelta(days=3)):
        lifecycle.dispute_open(case=case, reason="Wrong amount")
        row = registration(case)
        assert row.status == RegistrationStatus.CANCELLED
        assert row.deregistration_reason == EndReason.DISPUTED
        with pytest.raises(CaseError, match="disputed"):
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_warning_on_data_older_than_five_years(tenant_a):
    case = in_collection(tenant_a.creditor, due=date(2022, 12, 1))
    on = date(2027, 12, 1)
    with creditor_scope(tenant_a.creditor), at(on), pytest.raises(CaseError, match="5 years"):
        credit_bureau_warn(case=case, bureau="rki", on=on)


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_registration_once_the_data_has_turned_five_years_old(tenant_a):
    case = in_collection(tenant_a.creditor, due=date(2022, 12, 1))
    with creditor_scope(tenant_a.creditor):
        with at(date(2027, 11, 25)):
            credit_bureau_warn(case=case, bureau="rki", on=date(2027, 11, 25))
        with at(date(2027, 12, 5)), pytest.raises(CaseError, match="older than 5 years"):
            credit_bureau_register(case=case, bureau="rki", on=date(2027, 12, 5))


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_warning_below_the_bureaus_minimum(tenant_a):
    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(WARNED):
        owed = selectors.case_balance(case).total
        payment_register(case=case, amount=owed - Decimal("150.00"), received_on=WARNED,
                         method="bank_transfer")  # fmt: skip
        with pytest.raises(CaseError, match=r"minimum of 200\.00 DKK"):
            credit_bureau_warn(case=case, bureau="rki", on=WARNED)


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_no_warning_before_collection(tenant_a):
    with at(DUE):
        case = file_case(tenant_a.creditor, claim("CB-R", "5000.00", DUE))
    with creditor_scope(tenant_a.creditor), at(DUE + timedelta(days=5)):
        lifecycle.case_send_reminder(case=case, on=DUE + timedelta(days=5))
        with pytest.raises(CaseError, match="not in collection"):
            credit_bureau_warn(case=case, bureau="rki", on=DUE + timedelta(days=5))


def test_an_unknown_bureau_is_refused(tenant_a):
    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), pytest.raises(LookupError, match="credit_bureaus"):
        credit_bureau_warn(case=case, bureau="nowhere", on=WARNED)


# --- The warning letter -----------------------------------------------------------------------


def test_the_warning_is_a_letter_on_the_timeline_and_warning_twice_changes_nothing(tenant_a):
    case = warned(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(WARNED):
        again = credit_bureau_warn(case=case, bureau="rki", on=WARNED)
        row = registration(case)
        assert again.pk == row.pk
        notice = Notice.objects.get(case=case, kind=NoticeKind.CREDIT_BUREAU_WARNING)
        assert row.warning_notice_id == notice.pk
        assert notice.deadline == ELIGIBLE - timedelta(days=1)
        assert (row.warned_on, row.eligible_from) == (WARNED, ELIGIBLE)
        events = CaseEvent.objects.filter(case=case, code="credit_bureau.warning_sent")
        assert events.count() == 1
        assert "Experian RKI" in events.get().message and "2025-02-12" in events.get().message


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("da", ["Varsel: du kan blive registreret", "12. februar 2025", "lukkede register"]),
        ("en", ["Notice: you may be registered", "12 February 2025", "at the latest 5 years"]),
    ],
)
def test_the_warning_letter_renders_in_both_languages(tenant_a, tmp_path, language, words):
    from notices.services import notice_render
    from tests.notices.pdf import pdf_text

    debtor = DebtorFactory(creditor=tenant_a.creditor, language=language)
    with at(DUE):
        case = file_case(tenant_a.creditor, claim("CB-L", "350.00", DUE), debtor=debtor)
    with creditor_scope(tenant_a.creditor):
        with at(DUE + timedelta(days=10)):
            lifecycle.case_send_warning(case=case, on=DUE + timedelta(days=10))
        with at(HANDED_OVER):
            lifecycle.case_hand_over(case=case, on=HANDED_OVER)
        with at(WARNED):
            row = credit_bureau_warn(case=case, bureau="rki", on=WARNED)
        assert row.register == "closed"  # 350 and the fees are below 1,000
        notice = notice_render(notice=row.warning_notice)
        text = " ".join(pdf_text(notice.pdf.read(), tmp_path).split())
    for word in words:
        assert word in text, word
    assert "Experian RKI" in text and "CB-L" in text and "databeskyttelsesloven § 20" in text


# --- The agent's decision ----------------------------------------------------------------------


def test_the_sweep_opens_one_decision_item_once_the_warning_period_has_passed(tenant_a):
    case = warned(tenant_a.creditor)
    with at(ELIGIBLE - timedelta(days=1)):
        assert credit_bureau_sweep(today=ELIGIBLE - timedelta(days=1)).decisions == 0
    with at(ELIGIBLE):
        credit_bureau_sweep(today=ELIGIBLE)
        credit_bureau_sweep(today=ELIGIBLE)
    with creditor_scope(tenant_a.creditor):
        item = WorkItem.objects.get(case=case, reason__startswith=BUREAU)
        assert item.reason == WorkItemReason.CREDIT_BUREAU_DECISION
        assert item.status == WorkItemStatus.OPEN
        assert item.factors["bureau"] == "rki" and item.priority > 0
        # Nothing is registered by the sweep itself: a person decides.
        assert registration(case).status == RegistrationStatus.WARNED


def test_an_agents_decision_to_register_closes_the_item(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = warned(tenant_a.creditor)
    agent = agency_user()
    with at(ELIGIBLE):
        credit_bureau_sweep(today=ELIGIBLE)
        with creditor_scope(tenant_a.creditor):
            item = WorkItem.objects.get(case=case, reason__startswith=BUREAU)
            with django_capture_on_commit_callbacks(execute=False) as hooks:
                credit_bureau_decide(item=item, register=True, user=agent)
            run_queued(hooks, tenant_a.creditor)
            item.refresh_from_db()
            row = registration(case)
    assert item.status == WorkItemStatus.DONE and item.closed_by == agent
    # The outcome is kept in the words of the one who decided (here the site's language).
    assert item.outcome == "Registreret hos Experian RKI."
    assert row.status == RegistrationStatus.REGISTERED and row.registered_by == agent
    assert row.external_reference == "REG-1"
    [record] = bureau.records("register")
    assert record["case_number"] == case.reference and record["register"] == "open"
    assert record["debtor_id"] == case.debtor.national_id


def test_an_agents_decision_not_to_register_lets_the_warning_lapse(tenant_a, bureau):
    case = warned(tenant_a.creditor)
    agent = agency_user()
    with at(ELIGIBLE):
        credit_bureau_sweep(today=ELIGIBLE)
        with creditor_scope(tenant_a.creditor):
            item = WorkItem.objects.get(case=case, reason__startswith=BUREAU)
            credit_bureau_decide(item=item, register=False, user=agent, note="Plan agreed")
            item.refresh_from_db()
            row = registration(case)
    assert item.status == WorkItemStatus.DONE and "Plan agreed" in item.outcome
    assert row.status == RegistrationStatus.CANCELLED
    assert row.deregistration_reason == EndReason.DECIDED
    assert bureau.requests == []


# --- Registration and each deregistration trigger ---------------------------------------------


def test_a_registration_is_sent_to_the_bureau_and_on_the_timeline(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    row = registration(case)
    assert row.status == RegistrationStatus.REGISTERED and row.registered_on == ELIGIBLE
    with creditor_scope(tenant_a.creditor):
        assert row.amount == selectors.case_balance(case).total
    [request] = bureau.requests
    assert request["path"] == "/v1/registrations"
    assert request["headers"]["idempotency-key"] == request["json"]["idempotency_key"]
    assert request["json"]["amount"] == f"{row.amount:.2f}"
    with creditor_scope(tenant_a.creditor):
        event = CaseEvent.objects.get(case=case, code="credit_bureau.registered")
        assert "Experian RKI" in event.message
        attempt = CreditBureauAttempt.objects.get()
        assert attempt.outcome == AttemptOutcome.ACCEPTED and attempt.adapter == "http"


def deleted(case, bureau, reason, deadline):
    row = registration(case)
    assert row.status == RegistrationStatus.DEREGISTERED
    assert row.deregistration_reason == reason
    assert row.deregistration_due_on == deadline
    [record] = bureau.records("delete")
    assert record["deletion_reason"] == reason and record["case_number"] == case.reference
    with creditor_scope(case.creditor_id):
        event = CaseEvent.objects.get(case=case, code="credit_bureau.deregistered")
        assert deadline.isoformat() in event.message
    return row


def test_payment_in_full_deregisters_within_the_profiles_days(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    paid_on = date(2025, 3, 3)
    with creditor_scope(tenant_a.creditor), at(paid_on):
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            payment_register(case=case, amount=selectors.case_statement(case, on=paid_on).total,
                             received_on=paid_on, method="bank_transfer")  # fmt: skip
        case.refresh_from_db()
        assert (case.state, case.closed_reason) == (CaseState.CLOSED, ClosedReason.PAID)
    run_queued(hooks, tenant_a.creditor)
    deleted(case, bureau, EndReason.PAID, paid_on + timedelta(days=5))


def test_a_dispute_deregisters(tenant_a, outbox, django_capture_on_commit_callbacks):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    capture = django_capture_on_commit_callbacks(execute=False)
    with creditor_scope(tenant_a.creditor), at(date(2025, 3, 1)), capture as hooks:
        lifecycle.dispute_open(case=case, reason="The goods never came")
    run_queued(hooks, tenant_a.creditor)
    row = registration(case)
    assert row.status == RegistrationStatus.DEREGISTERED
    assert row.deregistration_reason == EndReason.DISPUTED
    files = sorted(p.name for p in outbox.iterdir())
    assert [name.split("-")[0] for name in files] == ["delete", "register"]
    deletion = read_record(outbox / files[0])
    assert deletion["record_type"] == "D" and deletion["deletion_reason"] == "disputed"
    assert deletion["deleted_on"] == "2025-03-01" and deletion["case_number"] == case.reference
    registration_record = read_record(outbox / files[1])
    assert registration_record["record_type"] == "R"
    assert registration_record["amount"] == f"{row.amount:.2f}"


def test_withdrawal_deregisters(tenant_a, bureau, django_capture_on_commit_callbacks):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    capture = django_capture_on_commit_callbacks(execute=False)
    with creditor_scope(tenant_a.creditor), at(date(2025, 3, 2)), capture as hooks:
        lifecycle.case_withdraw(case=case, message="Settled with the creditor")
    run_queued(hooks, tenant_a.creditor)
    deleted(case, bureau, EndReason.WITHDRAWN, date(2025, 3, 7))


def test_the_sweep_deregisters_before_the_data_turns_five_years_old(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    expires = date(2030, 1, 10)  # five years after the due date
    early = expires - timedelta(days=7)
    with at(early), django_capture_on_commit_callbacks(execute=False) as hooks:
        assert credit_bureau_sweep(today=early).expired == 0
    with at(early + timedelta(days=1)), django_capture_on_commit_callbacks(execute=False) as hooks:
        assert credit_bureau_sweep(today=early + timedelta(days=1)).expired == 1
    run_queued(hooks, tenant_a.creditor)
    # Deleted within the profile's 5 days, by the last day the data may be held.
    row = deleted(case, bureau, EndReason.DATA_EXPIRED, expires - timedelta(days=1))
    assert row.deregistered_on == early + timedelta(days=1)


# --- Idempotency ------------------------------------------------------------------------------


def test_registering_twice_and_deregistering_twice_changes_nothing(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    with creditor_scope(tenant_a.creditor), at(ELIGIBLE):
        again = credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
        assert again.status == RegistrationStatus.REGISTERED
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            first = credit_bureau_deregister(case=case, reason=EndReason.DECIDED)
            second = credit_bureau_deregister(case=case, reason=EndReason.DECIDED)
        assert len(first) == 1 and second == []
        run_queued(hooks, tenant_a.creditor)
        # Sending a submission again (a retry, a second worker) files nothing more.
        for submission in CreditBureauSubmission.objects.all():
            assert submission_send(submission_id=submission.pk) == SubmissionStatus.SENT
        assert CreditBureauSubmission.objects.count() == 2
        assert CaseEvent.objects.filter(case=case, code="credit_bureau.registered").count() == 1
        assert CaseEvent.objects.filter(case=case, code="credit_bureau.deregistered").count() == 1
    assert len(bureau.records("register")) == 1 and len(bureau.records("delete")) == 1
    assert len(bureau.requests) == 2


def test_a_temporary_failure_is_retried_with_the_same_key(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = warned(tenant_a.creditor)
    bureau.script = [503]
    with creditor_scope(tenant_a.creditor), at(ELIGIBLE):
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
        assert run_queued(hooks, tenant_a.creditor) == [SubmissionStatus.PENDING]
    # The hourly sweep queues the waiting submission again.
    with at(ELIGIBLE), django_capture_on_commit_callbacks(execute=False):
        assert credit_bureau_sweep(today=ELIGIBLE).requeued == 1
    with creditor_scope(tenant_a.creditor):
        submission = CreditBureauSubmission.objects.get()
        assert submission_send(submission_id=submission.pk) == SubmissionStatus.SENT
        outcomes = list(CreditBureauAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.TRANSIENT, AttemptOutcome.ACCEPTED]
    keys = {r["headers"]["idempotency-key"] for r in bureau.requests}
    assert keys == {str(submission.idempotency_key)}


def test_a_refused_record_opens_a_work_item(tenant_a, bureau, django_capture_on_commit_callbacks):
    case = warned(tenant_a.creditor)
    bureau.script = [422]
    with creditor_scope(tenant_a.creditor), at(ELIGIBLE):
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
        assert run_queued(hooks, tenant_a.creditor) == [SubmissionStatus.FAILED]
        item = WorkItem.objects.get(case=case, reason__startswith=BUREAU)
        assert item.reason == WorkItemReason.CREDIT_BUREAU_SUBMISSION_FAILED
        assert CaseEvent.objects.filter(code="credit_bureau.submission_failed").count() == 1
        # Deleting a registration the bureau never filed sends nothing.
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            credit_bureau_deregister(case=case, reason=EndReason.DECIDED)
        assert run_queued(hooks, tenant_a.creditor) == [SubmissionStatus.CANCELLED]
    assert len(bureau.requests) == 1


# --- Work items -------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")  # the refusal is matched in English
def test_a_work_item_is_opened_once_per_case_and_reason_and_closed_once(tenant_a):
    case = tenant_a.case
    agent = agency_user()
    with creditor_scope(tenant_a.creditor):
        reason = WorkItemReason.CREDIT_BUREAU_DECISION
        first = work_item_open(case=case, reason=reason, due_at=case.created_at, priority=3,
                               factors={"why": "test"})  # fmt: skip
        second = work_item_open(case=case, reason=reason, due_at=case.created_at)
        assert first.pk == second.pk and second.priority == 3
        work_item_close(item=first, user=agent, outcome="done")
        with pytest.raises(CaseError, match="closed already"):
            work_item_close(item=first, user=agent, outcome="again")
        third = work_item_open(case=case, reason=reason, due_at=case.created_at)
        assert third.pk != first.pk
        bureau_items = WorkItem.objects.filter(case=case, reason__startswith=BUREAU)
        assert bureau_items.filter(status=WorkItemStatus.OPEN).count() == 1


# --- The case page ----------------------------------------------------------------------------


def test_the_case_page_lists_the_registrations(
    client, tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = registered(tenant_a.creditor, django_capture_on_commit_callbacks)
    client.force_login(tenant_a.user)
    from django.urls import reverse

    english = client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Credit-bureau registrations" in english.content.decode()
    assert "Experian RKI" in english.content.decode()
    assert "Registered" in english.content.decode()
    danish = client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="da")
    body = danish.content.decode()
    assert "Registreringer i kreditoplysningsbureauer" in body and "Registreret" in body


def test_agency_staff_read_work_items_and_registrations_in_the_admin(tenant_a, outbox):
    from django.test import Client

    from creditors.agency import AgencyRole

    case = warned(tenant_a.creditor)
    with at(ELIGIBLE):
        credit_bureau_sweep(today=ELIGIBLE)
    client = Client()
    client.force_login(agency_user(AgencyRole.SUPERVISOR))
    for model in ("workitem", "creditbureauregistration", "creditbureausubmission"):
        listing = client.get(f"/admin/cases/{model}/")
        assert listing.status_code == 200, model
        assert client.get(f"/admin/cases/{model}/add/").status_code == 403, model
    page = client.get(f"/admin/cases/creditbureauregistration/{registration(case).pk}/change/")
    assert page.status_code == 200
    assert case.debtor.national_id not in page.content.decode()  # the CPR number stays out


def test_the_letter_preview_shows_the_pay_by_day(tenant_a, tmp_path):
    from notices.services import notice_preview
    from tests.notices.pdf import pdf_text

    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(WARNED):
        data = notice_preview(case=case, kind=NoticeKind.CREDIT_BUREAU_WARNING, language="en")
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "by 11 February 2025 to avoid the registration" in text
    assert "registered from 12 February 2025" in text


def test_a_refusal_of_our_credentials_is_retried_not_failed(
    tenant_a, bureau, settings, django_capture_on_commit_callbacks
):
    case = warned(tenant_a.creditor)
    settings.CREDIT_BUREAU_TOKEN = "expired-token"
    with creditor_scope(tenant_a.creditor), at(ELIGIBLE):
        with django_capture_on_commit_callbacks(execute=False) as hooks:
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
        assert run_queued(hooks, tenant_a.creditor) == [SubmissionStatus.PENDING]
        assert CreditBureauAttempt.objects.get().outcome == AttemptOutcome.TRANSIENT
        assert not WorkItem.objects.filter(case=case, reason__startswith=BUREAU).exists()
        settings.CREDIT_BUREAU_TOKEN = bureau.token
        assert submission_send(submission_id=CreditBureauSubmission.objects.get().pk) == "sent"
    assert len(bureau.records("register")) == 1


def test_the_sweep_is_a_beat_task(settings, tenant_a):
    from cases.tasks import credit_bureau_sweep_task
    from collections_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["credit-bureau-sweep"]
    assert entry["task"] == credit_bureau_sweep_task.name
    assert credit_bureau_sweep_task.name in app.tasks
    case = warned(tenant_a.creditor)
    with at(ELIGIBLE):
        assert credit_bureau_sweep_task()["decisions"] == 1
    with creditor_scope(tenant_a.creditor):
        bureau_items = WorkItem.objects.filter(case=case, reason__startswith=BUREAU)
        assert bureau_items.filter(status=WorkItemStatus.OPEN).count() == 1


def test_a_second_worker_leaves_the_submission_to_the_first(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    import psycopg
    from django.db import connection

    from cases.services.credit_bureau import ADVISORY_LOCK_NAMESPACE

    case = warned(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(ELIGIBLE):
        with django_capture_on_commit_callbacks(execute=False):
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
        submission = CreditBureauSubmission.objects.get()
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or "localhost",
            port=db["PORT"] or 5432,
            dbname=db["NAME"],
            user=db["USER"],
            password=db["PASSWORD"],
            autocommit=True,
        ) as first_worker:
            first_worker.execute(
                "SELECT pg_advisory_lock(%s::int, %s::int)",
                (ADVISORY_LOCK_NAMESPACE, submission.pk),
            )
            assert submission_send(submission_id=submission.pk) == "busy"
            assert not CreditBureauAttempt.objects.exists()
            first_worker.execute(
                "SELECT pg_advisory_unlock(%s::int, %s::int)",
                (ADVISORY_LOCK_NAMESPACE, submission.pk),
            )
        assert submission_send(submission_id=submission.pk) == SubmissionStatus.SENT
    assert len(bureau.requests) == 1


def test_a_deletion_waits_for_its_registration_to_reach_the_bureau(
    tenant_a, bureau, django_capture_on_commit_callbacks
):
    case = warned(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(ELIGIBLE):
        with django_capture_on_commit_callbacks(execute=False):
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
            lifecycle.case_withdraw(case=case)
        first = CreditBureauSubmission.objects.get(action="register")
        deletion = CreditBureauSubmission.objects.get(action="delete")
        # The deletion's task runs first (queues are not ordered): it waits, sending nothing.
        assert submission_send(submission_id=deletion.pk) == "waiting"
        assert bureau.requests == []
        assert submission_send(submission_id=first.pk) == SubmissionStatus.SENT
        assert submission_send(submission_id=deletion.pk) == SubmissionStatus.SENT
    assert [r["path"] for r in bureau.requests] == ["/v1/registrations", "/v1/deletions"]
