"""One declaration per kind of letter: what it adds to the letter, whether and what it asks the
debtor to pay, its deadline, its default channels and its titles.

A new kind is a ``NoticeKind`` choice, a :class:`LetterKind` here and its letter templates
(``templates/notices/<language>/<kind>.html``); its e-mail and SMS use the shared texts
(``templates/notices/<language>/_message.email.txt`` and ``_message.sms.txt``) unless it has
its own beside its letter (``<kind>.email.txt``, ``<kind>.sms.txt``).

The sum a letter asks for, and its e-mail and SMS name, is :func:`notices.context.amount_due`,
from the kind's ``amount`` rule here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F

from cases import selectors
from cases.models import Case, CaseEvent, Dispute, Instalment, InstalmentPlan, Payment, PlanStatus
from cases.rules import warning_deadline_date

from .figures import Figures
from .models import Notice, NoticeKind

ZERO = Decimal("0.00")


class NoticeNotApplicable(Exception):
    """A letter of this kind has nothing to say on this case (no plan to confirm, no payment
    to acknowledge...)."""


# The policy for a creditor that has set none for a notice kind: everything goes by e-mail,
# else digital post, else letter; the letters that carry legal weight (the warning, the first
# collection letter) go to the registered address by letter and, as a courtesy, by e-mail too.
BY_EMAIL_ELSE = "email > digital_post > print"
BY_LETTER_AND_EMAIL = "print + email"

Context = Callable[[Case, Notice, "Figures"], dict]
Amount = Callable[[Case, Notice, "Figures", dict], Decimal]
Deadline = Callable[[Case, date], "date | None"]


def _whole_balance(case: Case, notice: Notice, figures: Figures, context: dict) -> Decimal:
    return figures.total


@dataclass(frozen=True)
class LetterKind:
    kind: str
    #: The letter's title in each language the letters are written in (subject lines, inbox
    #: titles); seen by others than the debtor, so none of them says "inkasso".
    titles: dict[str, str]
    #: Default channels (``notices.delivery.models.parse_channel_policy`` syntax).
    channels: str = BY_EMAIL_ELSE
    #: The profile's citation topic of the rule that sends this letter to the debtor's
    #: registered address (DK: the warning, inkassoloven § 10): a creditor's channel policy
    #: must then keep a route of letter or digital post that ends in a letter
    #: (``notices.delivery.policy``). None: any valid policy will do.
    registered_address_rule: str | None = None
    #: What the kind adds to the letter's context.
    context: Context | None = None
    #: ``None``: the kind asks for nothing. Else the sum it asks for, from the figures and its
    #: context; the letter, the e-mail and the SMS all name it (``amount_due``).
    amount: Amount | None = None
    #: The deadline a letter of this kind would carry if made on a day (previews); the step
    #: that makes the notice stores its own.
    deadline: Deadline | None = None

    @property
    def asks_payment(self) -> bool:
        return self.amount is not None

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["da"]


# --- What each kind adds ----------------------------------------------------------------


def _warning_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """Inkassoloven § 10: what collection would add if the debtor does not pay in time; the
    same figures the handover charges (``case_collection_charges``)."""
    profile = selectors.profile_for(case, notice.dated)
    charges = selectors.case_collection_charges(case, on=notice.dated)
    return {
        "warning": {
            "deadline_days": profile.warning_deadline_days,
            "deadline": notice.deadline or warning_deadline_date(profile, notice.dated),
            "rule": profile.cite("warning"),
            "handover_fee": charges.handover_fee,
            "collection_cost_cap": charges.collection_costs,
            "compensation": charges.compensation_total,
            "compensation_rule": profile.cite("b2b_compensation"),
            "interest_rule": profile.cite("interest_rate"),
        }
    }


def _warning_deadline(case: Case, on: date) -> date | None:
    return warning_deadline_date(selectors.profile_for(case, on), on)


def _settlement_context(case: Case, notice: Notice, figures: Figures) -> dict:
    profile = selectors.profile_for(case, notice.dated)
    acceleration = InstalmentPlan._meta.get_field("acceleration_days").default
    return {
        "settlement": {
            "amount": figures.total,
            "as_of": notice.dated,
            "acceleration_days": acceleration,
            "limitation_years": profile.limitation_years_acknowledged,
            # Interest and fees falling due after the signature keep the ordinary period.
            "later_charges_years": profile.limitation_years_ordinary,
            "interest_rule": profile.cite("interest_rate"),
        }
    }


def _plan_for(case: Case, notice: Notice) -> InstalmentPlan:
    statuses = [PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.BROKEN, PlanStatus.PROPOSED]
    plan = (
        InstalmentPlan.objects.filter(case=case, status__in=statuses, proposed_on__lte=notice.dated)
        .order_by("-proposed_on", "-pk")
        .first()
    )
    if plan is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no instalment plan.")
    return plan


def _plan_context(case: Case, notice: Notice, figures: Figures) -> dict:
    plan = _plan_for(case, notice)
    instalments = list(Instalment.objects.filter(plan=plan).order_by("number"))
    return {
        "plan": plan,
        "instalments": instalments,
        "plan_total": sum((i.amount for i in instalments), ZERO),
        "first_instalment": instalments[0] if instalments else None,
        "pay_by": instalments[0].due_date if instalments else None,
    }


def _acknowledgement_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """The skyldnererklæring of an instalment plan: the settlement's terms with the plan's
    schedule filled in, for the debtor to sign and send back."""
    context = {**_settlement_context(case, notice, figures), **_plan_context(case, notice, figures)}
    context["settlement"]["acceleration_days"] = context["plan"].acceleration_days
    return context


def _first_instalment_unpaid(case: Case, notice: Notice, figures: Figures, context: dict):
    first = context.get("first_instalment")
    if first is None:
        return figures.total
    return first.amount - first.paid_amount


def _missed_context(case: Case, notice: Notice, figures: Figures) -> dict:
    plan = _plan_for(case, notice)
    instalments = list(Instalment.objects.filter(plan=plan).order_by("number"))
    missed = next((i for i in instalments if i.missed_notice_on == notice.dated), None)
    if missed is None:
        missed = next(
            (i for i in instalments if not i.is_paid and i.due_date <= notice.dated), None
        )
    if missed is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no missed instalment.")
    return {
        "plan": plan,
        "missed": missed,
        "missed_unpaid": missed.amount - missed.paid_amount,
        "pay_by": notice.deadline,
    }


def _missed_unpaid(case: Case, notice: Notice, figures: Figures, context: dict) -> Decimal:
    """The unpaid part of the missed instalment, not the whole balance: the plan stands if
    that is paid by the deadline."""
    return context["missed_unpaid"]


def _missed_deadline(case: Case, on: date) -> date | None:
    instalment = (
        Instalment.objects.filter(plan__case=case, plan__status=PlanStatus.ACTIVE)
        .filter(paid_amount__lt=F("amount"))
        .select_related("plan")
        .order_by("number")
        .first()
    )
    if instalment is None:
        return None
    return instalment.due_date + timedelta(days=instalment.plan.acceleration_days)


def _receipt_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """The payment the receipt was made for; a preview (no payment of its own) shows the
    latest payment not reversed."""
    if notice.payment_id is not None:
        payment = Payment.objects.get(pk=notice.payment_id, case=case)
    else:
        payment = (
            Payment.objects.filter(
                case=case, received_on__lte=notice.dated, reversed_at__isnull=True
            )
            .order_by("-received_on", "-pk")
            .first()
        )
    if payment is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no payment to acknowledge.")
    return {"received": payment, "remaining": max(figures.total, ZERO)}


def _dispute_context(case: Case, notice: Notice, figures: Figures) -> dict:
    dispute = (
        Dispute.objects.filter(case=case, opened_on__lte=notice.dated)
        .order_by("-opened_on", "-pk")
        .first()
    )
    if dispute is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no dispute.")
    return {"dispute": dispute}


def _dispute_answer_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """The decision on the debtor's latest decided dispute, and what it changed (the remedy
    and any write-down, from the decision's timeline event)."""
    dispute = (
        Dispute.objects.filter(case=case, resolved_at__isnull=False)
        .order_by("-resolved_at", "-pk")
        .first()
    )
    if dispute is None:
        raise NoticeNotApplicable(f"Case {case.reference} has no decided dispute.")
    event = (
        CaseEvent.objects.filter(case=case, code="case.dispute_resolved", data__dispute=dispute.pk)
        .order_by("-pk")
        .first()
    )
    data = event.data if event else {}
    written_down = data.get("written_down")
    return {
        "dispute": dispute,
        "upheld": dispute.outcome == Dispute.Outcome.UPHELD,
        "remedy": data.get("remedy", "withdraw" if dispute.outcome == "upheld" else ""),
        "written_down": Decimal(written_down) if written_down else None,
    }


def _closed_context(case: Case, notice: Notice, figures: Figures) -> dict:
    return {"closed_reason": case.closed_reason or "paid"}


def _credit_bureau_context(case: Case, notice: Notice, figures: Figures) -> dict:
    """The credit-bureau warning: which bureau, from which day, and when the data goes."""
    facts = selectors.credit_bureau_warning_facts(case=case, notice=notice)
    return {"bureau_warning": facts, "pay_by": facts["pay_by"]}


# --- The kinds -----------------------------------------------------------------------------

KINDS: dict[str, LetterKind] = {
    spec.kind: spec
    for spec in (
        LetterKind(
            NoticeKind.REMINDER,
            titles={"da": "Påmindelse om betaling", "en": "Payment reminder"},
            amount=_whole_balance,
        ),
        LetterKind(
            NoticeKind.WARNING,
            titles={
                "da": "Vigtig besked om din betaling",
                "en": "Important message about your payment",
            },
            channels=BY_LETTER_AND_EMAIL,
            registered_address_rule="warning",
            context=_warning_context,
            amount=_whole_balance,
            deadline=_warning_deadline,
        ),
        LetterKind(
            NoticeKind.COLLECTION_LETTER,
            titles={
                "da": "Brev om din betaling og forslag til aftale",
                "en": "Letter about your payment and a proposed agreement",
            },
            channels=BY_LETTER_AND_EMAIL,
            context=_settlement_context,
            amount=_whole_balance,
        ),
        LetterKind(
            NoticeKind.PLAN_CONFIRMATION,
            titles={
                "da": "Bekræftelse af din afdragsordning",
                "en": "Confirmation of your instalment plan",
            },
            context=_plan_context,
            amount=_first_instalment_unpaid,
        ),
        LetterKind(
            NoticeKind.ACKNOWLEDGEMENT,
            titles={
                "da": "Skyldnererklæring til underskrift",
                "en": "Acknowledgement of debt for your signature",
            },
            # A document to sign and return: a letter to the registered address, and e-mail.
            channels=BY_LETTER_AND_EMAIL,
            context=_acknowledgement_context,
        ),
        LetterKind(
            NoticeKind.MISSED_INSTALMENT,
            titles={
                "da": "Påmindelse: vi mangler et afdrag",
                "en": "Reminder: an instalment is missing",
            },
            context=_missed_context,
            amount=_missed_unpaid,
            deadline=_missed_deadline,
        ),
        LetterKind(
            NoticeKind.RECEIPT,
            titles={"da": "Kvittering for din betaling", "en": "Receipt for your payment"},
            context=_receipt_context,
        ),
        LetterKind(
            NoticeKind.DISPUTE_ACK,
            titles={"da": "Vi har modtaget din henvendelse", "en": "We have received your message"},
            context=_dispute_context,
        ),
        LetterKind(
            NoticeKind.DISPUTE_ANSWER,
            titles={"da": "Svar på din henvendelse", "en": "Answer to your message"},
            context=_dispute_answer_context,
        ),
        LetterKind(
            NoticeKind.CLOSED,
            titles={"da": "Din sag er afsluttet", "en": "Your case is closed"},
            context=_closed_context,
        ),
        LetterKind(
            NoticeKind.CREDIT_BUREAU_WARNING,
            titles={
                "da": "Vigtig besked om din betaling",
                "en": "Important message about your payment",
            },
            # Announces a registration: a letter to the registered address, as the warning.
            channels=BY_LETTER_AND_EMAIL,
            registered_address_rule="credit_bureau",
            context=_credit_bureau_context,
            amount=_whole_balance,
        ),
    )
}


def kind_for(kind: str) -> LetterKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"Unknown notice kind {kind!r}.") from None


#: Kinds that ask the debtor to pay: the letter carries the payment section, the e-mail and the
#: SMS say how much, by when and how.
PAYMENT_KINDS = frozenset(kind for kind, spec in KINDS.items() if spec.asks_payment)
