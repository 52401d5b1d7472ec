"""The preview of a case's future: the scheduler's steps priced by the rules engine, checked by
hand for one consumer invoice under the default policy, and nothing written."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.preview import case_preview, preview_data
from cases.services import ClaimInput
from tests.factories import CreditorFactory

pytestmark = pytest.mark.django_db


def invoice(**overrides) -> ClaimInput:
    fields = {
        "invoice_number": "F-1",
        "invoice_date": date(2024, 1, 15),
        "due_date": date(2024, 2, 1),
        "principal": "1000.00",
        "debtor_is_consumer": True,
    }
    fields.update(overrides)
    return ClaimInput(**fields)


def test_a_consumer_invoice_under_the_default_policy_checked_by_hand():
    creditor = CreditorFactory()  # default policy: 1 reminder 7 days after due, 10 days apart
    assert (creditor.policy_reminders, creditor.policy_first_reminder_days) == (1, 7)

    preview = case_preview(creditor=creditor, claims=[invoice()], today=date(2024, 2, 5))

    steps = [(s.code, s.on, s.costs, s.interest_total, s.total) for s in preview.steps]
    # Interest: 11.75 % a year (Nationalbanken 3.75 + 8 points, H1 2024) on 1000.00 from the
    # day after the due date (2 February), 30/360, both days counted:
    #   to 5 Feb: 4 days = 1.31; to 8 Feb: 7 days = 2.28; to 18 Feb: 17 days = 5.55;
    #   to 29 Feb: 28 days = 9.14; to 29 May: 118 days = 38.51.
    assert steps == [
        ("filed", date(2024, 2, 5), Decimal("0.00"), Decimal("1.31"), Decimal("1001.31")),
        # First reminder 7 days after the due date, with the maximum fee of 100.
        ("reminder", date(2024, 2, 8), Decimal("100.00"), Decimal("2.28"), Decimal("1102.28")),
        # The warning 10 days after the reminder, with a 10-day deadline (28 February).
        ("warning", date(2024, 2, 18), Decimal("100.00"), Decimal("5.55"), Decimal("1105.55")),
        # Handover the day after the deadline: handover fee 100 and collection costs 400
        # (the agency band for a claim up to 1,000).
        ("handover", date(2024, 2, 29), Decimal("600.00"), Decimal("9.14"), Decimal("1609.14")),
        # 90 days in collection, then monitoring.
        ("monitoring", date(2024, 5, 29), Decimal("600.00"), Decimal("38.51"), Decimal("1638.51")),
    ]
    warning = preview.steps[2]
    assert warning.deadline == date(2024, 2, 28)
    handover = preview.steps[3]
    assert [f.amount for f in handover.charges] == [Decimal("100.00"), Decimal("400.00")]
    # Every amount is explained: the fee's rule and sentence, each interest period.
    reminder = preview.steps[1]
    assert "renteloven § 9 b" in reminder.charges[0].rule
    assert "100" in reminder.charges[0].explanation
    assert reminder.interest[0].explanation
    assert all(part.explanation for part in preview.steps[4].interest[0].walk())
    data = preview_data(preview)
    assert data["steps"][3]["owed"]["total"] == "1609.14"


def test_the_creditors_own_reminders_and_warning_set_the_stage_to_start_from():
    creditor = CreditorFactory()
    preview = case_preview(
        creditor=creditor,
        claims=[invoice()],
        creditor_reminder_dates=[date(2024, 2, 10)],
        today=date(2024, 2, 12),
    )
    # The policy's one reminder was sent by the creditor: the warning comes next, 10 days on.
    assert [(s.code, s.on) for s in preview.steps][:2] == [
        ("filed", date(2024, 2, 12)),
        ("warning", date(2024, 2, 20)),
    ]

    preview = case_preview(
        creditor=creditor,
        claims=[invoice()],
        creditor_warning_sent_on=date(2024, 2, 10),
        today=date(2024, 2, 12),
    )
    assert [(s.code, s.on) for s in preview.steps] == [
        ("filed", date(2024, 2, 12)),
        ("warning_accepted", date(2024, 2, 12)),
        ("handover", date(2024, 2, 21)),
        ("monitoring", date(2024, 5, 21)),
    ]


def test_a_warning_before_the_due_date_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        case_preview(
            creditor=CreditorFactory(),
            claims=[invoice()],
            creditor_warning_sent_on=date(2024, 1, 20),
            today=date(2024, 2, 12),
        )
    assert "creditor_warning_sent_on" in caught.value.message_dict


def test_a_business_invoice_adds_the_compensation_at_handover():
    preview = case_preview(
        creditor=CreditorFactory(),
        claims=[invoice(debtor_is_consumer=False)],
        today=date(2024, 2, 5),
    )
    handover = next(s for s in preview.steps if s.code == "handover")
    assert Decimal("310.00") in [f.amount for f in handover.charges]
