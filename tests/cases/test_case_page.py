"""The case page shows the balance per component, the invoices and the explained ledger."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from .helpers import claim, file_case

pytestmark = pytest.mark.django_db


@time_machine.travel(date(2025, 8, 1))
def test_the_case_page_explains_the_balance(client, tenant_a):
    case = file_case(
        tenant_a.creditor,
        claim("INV-100", "10000.00", date(2024, 12, 15), invoice=date(2024, 11, 15)),
    )
    client.force_login(tenant_a.user)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    statement = response.context["statement"]
    assert statement.posted.principal == 10000
    assert statement.accrued_interest > 0
    body = response.content.decode()
    assert case.payment_id in body
    assert "INV-100" in body
    assert "renteloven" in body
    # Amounts are shown the Danish way: a decimal comma and thousands separated by points.
    whole, cents = f"{statement.total:.2f}".split(".")
    assert f"{int(whole):,}".replace(",", ".") + f",{cents} DKK" in body


def test_the_case_page_shows_letters_and_timeline(client, tenant_a):
    from cases.services.lifecycle import case_send_warning
    from collections_portal.tenancy import creditor_scope

    with time_machine.travel(date(2025, 3, 20)):
        case = file_case(tenant_a.creditor, claim("TL-1", "500.00", date(2025, 3, 1)))
        with creditor_scope(tenant_a.creditor):
            case_send_warning(case=case, on=date(2025, 3, 20))
        client.force_login(tenant_a.user)
        response = client.get(reverse("case_detail", args=[case.pk]))
    body = response.content.decode()
    assert "Inkassovarsel sendt" in body  # the event in words, never its code
    assert "case.warning_sent" not in body
    assert list(response.context["notices"].values_list("kind", flat=True)) == ["warning"]
    assert "30.03.2025" in body  # the warning's deadline, the Danish way
