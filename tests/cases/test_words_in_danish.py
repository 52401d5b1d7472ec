"""The words the rules say to people read Danish: a refusal (``CaseError``) in the language of
the one refused, and the credit bureau's verdicts and timeline entries as stored texts, read in
the reader's language from the same record (the English stays in the record's text column)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases.models import CaseEvent, EndReason, EntryKind
from cases.rules import Figure
from cases.rules.legal import summary_procedure_refusal
from cases.services import CaseError, fee_post
from cases.services import lifecycle as lc
from cases.services.credit_bureau import (
    credit_bureau_deregister,
    credit_bureau_register,
    credit_bureau_warn,
)
from cases.templatetags.timeline import event_message
from collections_portal.tenancy import creditor_scope

from .helpers import at, claim, file_case
from .test_credit_bureau import DK, DUE, ELIGIBLE, WARNED, verdict

pytestmark = pytest.mark.django_db

CITED = "(databeskyttelsesloven § 20; DK@2024-01-01)"


def in_collection(creditor, principal="5000.00"):
    with at(DUE):
        case = file_case(creditor, claim("DA-1", principal, DUE))
    with creditor_scope(creditor):
        with at(DUE + timedelta(days=10)):
            lc.case_send_warning(case=case, on=DUE + timedelta(days=10))
        with at(DUE + timedelta(days=22)):
            lc.case_hand_over(case=case, on=DUE + timedelta(days=22))
    case.refresh_from_db()
    return case


# --- The credit bureau's verdicts -------------------------------------------------------------


def test_a_refused_verdict_says_why_in_danish_and_keeps_its_english_words():
    refused = verdict(disputed=True, warned_on=None)
    assert not refused.allowed
    assert refused.refusal_text.render("da") == (
        "fordringen er bestridt: en bestridt fordring registreres aldrig; "
        "skyldner har ikke fået et brev, der varsler registreringen"
    )
    # The English words, kept on the registration and sent through the API, are as before.
    assert (
        refused.refusal
        == refused.refusal_text.render("en")
        == (
            "the claim is disputed: a disputed claim is never registered; "
            "the debtor has not been warned in a letter announcing the registration"
        )
    )
    assert refused.text.render("da") == (
        f"Ingen registrering hos Experian RKI den 2025-02-12: {refused.refusal_text.render('da')} "
        f"{CITED}."
    )
    assert refused.explanation == refused.text.render("en")
    assert refused.explanation.startswith("No registration with Experian RKI on 2025-02-12: ")


def test_a_refusal_writes_amounts_the_danish_way():
    refused = verdict(amount=Decimal("150.00"), in_collection=False)
    danish = refused.refusal_text.render("da")
    minimum = "fordringen på 150,00 DKK er ikke over mindstebeløbet på 200,00 DKK hos Experian RKI"
    assert minimum in danish
    assert "sagen er ikke i inkasso: rykkerne og inkassovarslet kommer først" in danish
    assert "the claim 150.00 DKK is not above Experian RKI's minimum of 200.00 DKK" in (
        refused.refusal
    )


def test_an_allowed_verdict_reads_in_danish():
    allowed = verdict(amount=Decimal("1234.50"))
    assert allowed.text.render("da") == (
        "Fordringen på 1.234,50 DKK må registreres hos Experian RKI (åbent register) den "
        f"2025-02-12; oplysningerne skal være slettet senest 2030-01-10 {CITED}."
    )
    assert allowed.explanation == (
        "The claim 1,234.50 DKK may be registered with Experian RKI (open register) on "
        f"2025-02-12; the data must be deleted by 2030-01-10 {CITED}."
    )
    assert (
        verdict(amount=Decimal("999.99"))
        .text.render("da")
        .startswith("Fordringen på 999,99 DKK må registreres hos Experian RKI (lukket register)")
    )
    assert allowed.refusal == "" and allowed.refusal_text.render("da") == ""


# --- Timeline entries: stored texts, read in the reader's language -----------------------------


def test_the_credit_bureau_timeline_reads_in_danish_and_in_english(client, tenant_a):
    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        with at(WARNED):
            credit_bureau_warn(case=case, bureau="rki", on=WARNED)
        with at(ELIGIBLE):
            credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
            credit_bureau_deregister(case=case, reason=EndReason.DECIDED, message="Aftale indgået.")
        warned = CaseEvent.objects.get(case=case, code="credit_bureau.warning_sent")
        registered = CaseEvent.objects.get(case=case, code="credit_bureau.registered")
        deleted = CaseEvent.objects.get(case=case, code="credit_bureau.deregistered")

    assert warned.message_text and registered.message_text and deleted.message_text
    with translation.override("da"):
        assert event_message(warned) == (
            "Skyldner har fået varsel om registrering hos Experian RKI: mulig fra den 2025-02-12 "
            "(10 dage, DK@2024-01-01)."
        )
        assert event_message(registered).startswith("Fordringen på ")
        assert "må registreres hos Experian RKI (åbent register) den 2025-02-12" in (
            event_message(registered)
        )
        assert event_message(deleted).startswith(
            "Registreringen hos Experian RKI slettes (Besluttet af inkassobureauet); "
            "kreditoplysningsbureauet skal have sletningen senest den "
        )
        # The person's own words follow as they wrote them.
        assert event_message(deleted).endswith("(DK@2024-01-01). Aftale indgået.")
    with translation.override("en"):
        # The English reading is the one kept in the record's text column, as before.
        for event in (warned, registered, deleted):
            assert event_message(event) == event.message
    assert warned.message == (
        "The debtor was warned of a registration with Experian RKI: possible from 2025-02-12 "
        "(10 days, DK@2024-01-01)."
    )
    assert deleted.message.startswith("The registration with Experian RKI is deleted")

    client.force_login(tenant_a.user)
    danish = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Skyldner har fået varsel om registrering hos Experian RKI" in danish
    assert "The debtor was warned of a registration" not in danish
    assert "The debtor was warned of a registration with Experian RKI" in english
    assert "Skyldner har fået varsel" not in english


def test_a_warning_announced_but_not_made_reads_in_danish(tenant_a):
    case = in_collection(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor), at(WARNED):
        credit_bureau_warn(case=case, bureau="rki", on=WARNED)
        lc.dispute_open(case=case, reason="Varen er aldrig leveret.", actor=tenant_a.user)
        cancelled = CaseEvent.objects.get(case=case, code="credit_bureau.cancelled")
    assert cancelled.message == (
        "The announced registration with Experian RKI will not be made (Disputed)."
    )
    assert cancelled.message_text
    with translation.override("da"):
        assert event_message(cancelled) == (
            "Den varslede registrering hos Experian RKI bliver ikke foretaget (Bestridt)."
        )


# --- Refusals, said in the language of the one refused ---------------------------------------


def test_a_refused_registration_is_said_in_danish(tenant_a):
    case = in_collection(tenant_a.creditor)
    with (
        creditor_scope(tenant_a.creditor),
        at(ELIGIBLE),
        translation.override("da"),
        pytest.raises(CaseError) as refused,
    ):
        credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
    assert str(refused.value) == (
        f"Sag {case.reference} må ikke registreres: skyldner har ikke fået et brev, der varsler "
        f"registreringen {CITED}."
    )
    words = "may not be registered: the debtor has not been warned"
    with (
        creditor_scope(tenant_a.creditor),
        at(ELIGIBLE),
        translation.override("en"),
        pytest.raises(CaseError, match=words),
    ):
        credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)


def test_a_refused_step_is_said_in_danish(tenant_a):
    with at(date(2025, 3, 5)):
        case = file_case(tenant_a.creditor, claim("DA-2", "1000.00", date(2025, 3, 3)))
    with creditor_scope(tenant_a.creditor), translation.override("da"):
        with pytest.raises(CaseError) as refused:
            lc.case_hand_over(case=case, on=date(2025, 4, 1))
        assert str(refused.value) == (
            f"Sag {case.reference} kan ikke overdrages til inkasso fra tilstanden ny."
        )
        with at(date(2025, 3, 10)):
            lc.case_send_reminder(case=case, on=date(2025, 3, 10))
        with at(date(2025, 3, 15)), pytest.raises(CaseError) as refused:
            lc.case_send_reminder(case=case, on=date(2025, 3, 15))
        assert str(refused.value) == (
            "Den seneste rykker blev sendt den 2025-03-10; den næste må tidligst sendes 10 dage "
            "senere (DK@2024-01-01)."
        )
        lc.case_withdraw(case=case)
        with pytest.raises(CaseError) as refused:
            lc.case_pause(case=case, until=date(2099, 1, 1))
        assert str(refused.value) == f"Sag {case.reference} er lukket."


def test_a_refused_fee_is_said_in_danish(tenant_a):
    case = file_case(tenant_a.creditor, claim("DA-3", "5000.00", date(2025, 3, 3)))
    asked = Figure(amount=Decimal("150.00"), rule="renteloven § 9 b", profile="DK", explanation="")
    with creditor_scope(tenant_a.creditor), at(date(2025, 3, 4)), translation.override("da"):
        lc.case_send_reminder(case=case, on=date(2025, 3, 4))
        with pytest.raises(CaseError) as refused:
            fee_post(
                case=case,
                claim=case.claims.get(),
                kind=EntryKind.REMINDER_FEE,
                figure=asked,
                posted_on=date(2025, 3, 4),
            )
    # The reminder already carries its fee: the rules refuse a second one, in Danish.
    assert str(refused.value) == (
        "Intet rykkergebyr: der er kun gået 0 dage siden den seneste gebyrbelagte rykker "
        "2025-03-04; der skal gå mindst 10."
    )


def test_the_summary_procedures_limit_is_said_in_danish():
    with translation.override("da"):
        danish = summary_procedure_refusal(DK, principal=Decimal("100000.01"))
    with translation.override("en"):
        english = summary_procedure_refusal(DK, principal=Decimal("100000.01"))
    assert danish.startswith(
        "Hovedstolen 100.000,01 DKK er over 100.000,00 DKK, grænsen for den forenklede "
        "inkassoproces: fordringen skal videre som almindelig retssag"
    )
    assert english.startswith("The principal 100,000.01 DKK is above 100,000.00 DKK")
