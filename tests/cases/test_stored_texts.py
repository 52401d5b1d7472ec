"""A ledger explanation or a timeline reason is written once and read in the reader's language:
the same records read Danish on a Danish page and English on an English one (issue 15, item 8).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from cases.models import CaseEvent, LedgerEntry
from cases.services import lifecycle
from collections_portal.tenancy import creditor_scope
from collections_portal.texts import Day, Money, Percent, Text, render_stored

from .helpers import at, claim, file_case


def test_a_text_keeps_its_arguments_and_renders_in_each_language():
    text = Text(
        "Payment of %(amount)s received %(day)s at %(rate)s: %(what)s (%(label)s)",
        amount=Money(Decimal("1234.5"), "DKK"),
        day=Day(date(2026, 12, 7)),
        rate=Percent(Decimal("10.6")),
        what=Text("Paid in full."),
        label=gettext_lazy("Principal"),
    )
    stored = Text.from_json(text.to_json())
    assert stored == text
    assert stored.render("en") == (
        "Payment of 1,234.50 DKK received 07/12/2026 at 10.60%: Paid in full. (Principal)"
    )
    # The message id has no Danish translation here; its arguments still read the Danish way.
    danish = stored.render("da")
    assert "1.234,50 DKK" in danish and "07.12.2026" in danish and "10,60%" in danish
    assert "Betalt fuldt ud." in danish and "Hovedstol" in danish
    # A record written before stored texts reads as it was written.
    assert render_stored(None, "as written", "en") == "as written"


def test_a_text_refuses_an_argument_it_cannot_keep():
    import pytest

    with pytest.raises(TypeError):
        Text("%(x)s", x=object())


def test_the_case_page_reads_the_same_records_in_danish_and_in_english(client, tenant_a):
    with at(date(2026, 3, 2)):
        case = file_case(tenant_a.creditor, claim("ST-1", "1500.00", date(2026, 2, 1)))
        with creditor_scope(tenant_a.creditor):
            lifecycle.case_send_reminder(case=case, on=date(2026, 3, 2))
            fee = LedgerEntry.objects.get(case=case, kind="reminder_fee")
            event = CaseEvent.objects.get(case=case, code="case.reminder_sent")
        # The records keep their English words and the text to read them in.
        assert fee.explanation.startswith("Reminder fee of 100.00 DKK (the maximum)")
        assert fee.explanation_text and event.message_text
        assert event.message == "Reminder 1 sent; fee 100.00."

        client.force_login(tenant_a.user)
        danish = client.get(reverse("case_detail", args=[case.pk])).content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("case_detail", args=[case.pk])).content.decode()

    assert "Rykkergebyr på 100,00 DKK (det højeste) for rykkeren den 2026-03-02" in danish
    assert "Faktura ST-1 af 2026-02-01, forfald 2026-02-01: hovedstol inkl. moms 1.500,00." in (
        danish
    )
    assert "Rykker 1 sendt; gebyr 100,00." in danish
    assert "Reminder fee of" not in danish and "Reminder 1 sent" not in danish
    assert "Reminder fee of 100.00 DKK (the maximum) for the reminder on 2026-03-02" in english
    assert "Reminder 1 sent; fee 100.00." in english
    assert "Rykkergebyr" not in english
    # Who did it: the system in words, never a raw code or label.
    with translation.override("da"):
        assert "reminder_sent" not in danish


def test_interest_explanations_read_in_danish(client, tenant_a):
    with at(date(2026, 5, 2)):
        case = file_case(tenant_a.creditor, claim("ST-2", "10000.00", date(2026, 2, 1)))
        client.force_login(tenant_a.user)
        danish = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Simpel rente alene af hovedstolen fra 2026-02-02" in danish
    assert "dagsberegning 30E/360: måneder på 30 dage over et år på 360" in danish
    assert "246,4583333333, afrundet én gang til 246,46 DKK" in danish
    assert "Simple interest" not in danish
