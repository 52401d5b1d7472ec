"""Limitation per component: after a settlement the claim gets 10 years, while interest and
fees falling due later keep 3 (forældelsesloven §§ 5 and 26). The wording says when the
period ends and from which day the claim is time-barred, so nobody reads "time-barred on
10 May" as if a payment on 10 May came too late."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import selectors
from cases.models import PaymentMethod
from cases.rules import component_limitations, get_profile
from cases.services import payment_register
from cases.services.plans import plan_activate, plan_propose
from collections_portal.tenancy import creditor_scope

from .helpers import at, claim, file_case

DK = get_profile("DK", date(2025, 6, 1))
DUE = date(2025, 3, 3)
SIGNED = date(2025, 4, 1)


def test_without_a_settlement_everything_shares_the_claims_date():
    (only,) = component_limitations(DK, claim_due=DUE)
    assert only.component == "claim"
    assert (only.last_day, only.time_barred_from) == (date(2028, 3, 3), date(2028, 3, 4))
    assert "ends on 2028-03-03 (time-barred from 2028-03-04)" in only.figure.explanation


def test_after_a_settlement_later_interest_and_fees_keep_three_years():
    claim_part, later = component_limitations(
        DK, claim_due=DUE, events=[(date(2025, 5, 1), "payment")], ten_year_basis=SIGNED
    )
    # 10 years from the settlement, and a new period of 10 from the payment after it (§ 19).
    assert claim_part.last_day == date(2035, 5, 1)
    assert later.component == "later_charges" and later.since == date(2025, 4, 2)
    assert later.last_day == date(2028, 5, 1)  # 3 years, from the payment after it
    assert later.time_barred_from == date(2028, 5, 2)
    assert "keep the ordinary 3 years" in later.figure.explanation


@pytest.mark.django_db
def test_the_case_page_and_explain_case_show_each_components_date(tenant_a, client):
    with at(SIGNED):
        case = file_case(tenant_a.creditor, claim("P-1", "5000.00", DUE))
        with creditor_scope(tenant_a.creditor):
            plan = plan_propose(case=case, first_due=date(2025, 5, 1), count=5)
            plan_activate(plan=plan, settlement_signed_on=SIGNED)
    with at(date(2025, 5, 1)), creditor_scope(tenant_a.creditor):
        payment_register(
            case=case, amount="1000.00", received_on=date(2025, 5, 1), method=PaymentMethod.FIK
        )
        (lim,) = selectors.claim_limitations(case, on=date(2025, 5, 1))
        assert [p.last_day for p in lim.components] == [date(2035, 5, 1), date(2028, 5, 1)]

    out = StringIO()
    call_command("explain_case", case.reference, "--on", "2025-05-01", stdout=out)
    text = out.getvalue()
    assert (
        "[P-1] the claim: the limitation period ends on 2035-05-01 (time-barred from 2035-05-02)"
        in text
    )
    assert (
        "[P-1] interest and fees falling due from 2025-04-02: the limitation period ends on "
        "2028-05-01 (time-barred from 2028-05-02)"
    ) in text

    client.force_login(tenant_a.user)
    with at(date(2025, 5, 1)):
        page = client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "the limitation period ends on 1. May 2035 (time-barred from 2. May 2035)" in html
    assert "Interest and fees falling due from 2. April 2025:" in html
    assert "the limitation period ends on 1. May 2028 (time-barred from 2. May 2028)" in html
    with at(date(2025, 5, 1)):
        dansk = client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="da")
    assert (
        "forældelsesfristen udløber 1. maj 2035 (forældet fra 2. maj 2035)"
        in dansk.content.decode()
    )


@pytest.mark.django_db
def test_the_settlement_offer_says_what_keeps_three_years(tenant_a):
    from cases.services import lifecycle as lc
    from notices.models import NoticeKind
    from notices.rendering import LetterRenderer

    case = file_case(tenant_a.creditor, claim("P-2", "5000.00", DUE))
    with creditor_scope(tenant_a.creditor):
        with at(date(2025, 3, 20)):
            lc.case_send_warning(case=case, on=date(2025, 3, 20))
        with at(date(2025, 3, 31)):
            lc.case_hand_over(case=case, on=date(2025, 3, 31))
        letter = case.notices.get(kind=NoticeKind.COLLECTION_LETTER)
        html = LetterRenderer().html(letter)
    assert "10 år efter underskriften" in html
    assert "renter og gebyrer, der forfalder efter underskriften, forældes efter 3 år" in html
