"""The agency's bank pages: upload bank files, follow them, resolve unmatched payments, and
the money tools on a case. Agency staff only: a creditor's user gets 403."""

from __future__ import annotations

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cases.models import Case, Payment
from cases.selectors import case_balance
from collections_portal.money import parse_amount
from creditors.selectors import user_is_agency_staff

from . import services, tools
from .models import BankFile, EntryStatus, UnmatchedPayment, UnmatchedStatus

SPLIT_ROWS = 4


def agency_view(view):
    """Signed-in agency staff only; anyone else gets a 403 page saying so."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_agency_staff(request.user):
            return render(request, "bank/not_agency.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _money(value: str) -> Decimal | None:
    """An amount typed by an agent (the money module's notation), or None."""
    try:
        return parse_amount(value or "")
    except ValueError:
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@agency_view
def bank_files(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a bank file to upload."))
        elif upload.size > services.MAX_BYTES:
            messages.error(request, _("The file is too large."))
        else:
            try:
                bank_file = services.bank_file_receive(
                    data=upload.read(), name=upload.name or "", source="portal", user=request.user
                )
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(
                    request, _("The file was received and is being read. Refresh to follow it.")
                )
                return redirect("bank:file_detail", file_id=bank_file.public_id)
        return redirect("bank:files")
    page = Paginator(BankFile.objects.all(), 50).get_page(request.GET.get("page"))
    open_count = UnmatchedPayment.objects.filter(status=UnmatchedStatus.OPEN).count()
    return render(request, "bank/files.html", {"page": page, "open_count": open_count})


@require_safe
@agency_view
def bank_file_detail(request, file_id):
    bank_file = get_object_or_404(BankFile, public_id=file_id)
    entries = bank_file.entries.exclude(status=EntryStatus.BOOKED).order_by("position")[:500]
    return render(request, "bank/file_detail.html", {"file": bank_file, "entries": entries})


@require_safe
@agency_view
def unmatched_list(request):
    page = Paginator(services.open_unmatched(), 50).get_page(request.GET.get("page"))
    return render(request, "bank/unmatched_list.html", {"page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@agency_view
def unmatched_detail(request, item_id: int):
    item = get_object_or_404(UnmatchedPayment.objects.select_related("entry__file"), pk=item_id)
    rows = []
    if request.method == "POST" and item.status == UnmatchedStatus.OPEN:
        action = request.POST.get("action")
        try:
            if action == "refund":
                services.unmatched_refund(
                    item=item, reason=request.POST.get("reason", ""), user=request.user
                )
                messages.success(request, _("The payment is marked to be refunded."))
                return redirect("bank:unmatched")
            if action == "book":
                shares = []
                for i in range(SPLIT_ROWS):
                    number = request.POST.get(f"case_{i}", "").strip()
                    amount_text = request.POST.get(f"amount_{i}", "").strip()
                    rows.append((number, amount_text))
                    if not number and not amount_text:
                        continue
                    case = services.case_by_number(number)
                    if case is None:
                        raise ValidationError(_("No case has the number %(n)s.") % {"n": number})
                    amount = _money(amount_text)
                    if amount is None:
                        raise ValidationError(
                            _("%(value)s is not an amount.") % {"value": amount_text or "-"}
                        )
                    shares.append(services.Share(case, amount))
                services.unmatched_book(
                    item=item, shares=shares, user=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, _("The payment is booked."))
                return redirect("bank:unmatched")
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    if not rows:
        first = item.suggestions[0]["number"] if item.suggestions else ""
        rows = [(str(first), str(item.amount))] + [("", "")] * (SPLIT_ROWS - 1)
    return render(
        request,
        "bank/unmatched_detail.html",
        {"item": item, "entry": item.entry, "rows": rows, "is_open": item.status == "open"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@agency_view
def case_money(request, case_id: int):
    case = get_object_or_404(Case.objects.select_related("creditor", "debtor"), pk=case_id)
    if request.method == "POST":
        try:
            _case_money_action(request, case)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            return redirect("bank:case_money", case_id=case.pk)
    payments = list(
        Payment.objects.filter(case=case).select_related("received").order_by("received_on", "pk")
    )
    return render(
        request,
        "bank/case_money.html",
        {
            "case": case,
            "balance": case_balance(case),
            "payments": payments,
            "methods": [(m.value, m.label) for m in tools.AGENCY_METHODS],
            "today": timezone.localdate(),
        },
    )


def _case_money_action(request, case: Case) -> None:
    action = request.POST.get("action")
    post = request.POST
    if action == "register":
        amount = _money(post.get("amount", ""))
        received_on = parse_date(post.get("received_on", "") or "")
        if amount is None:
            raise ValidationError(_("Give the amount received."))
        if received_on is None:
            raise ValidationError(_("Give the day the money was received."))
        tools.payment_register_other(
            case=case,
            amount=amount,
            received_on=received_on,
            method=post.get("method", ""),
            reference=post.get("reference", ""),
            user=request.user,
        )
        messages.success(request, _("The payment is registered."))
    elif action == "refund":
        refund = tools.credit_refund(
            case=case,
            reason=post.get("reason", ""),
            payee_account=post.get("payee_account", ""),
            user=request.user,
        )
        messages.success(
            request, _("%(amount)s is to be refunded to the debtor.") % {"amount": refund.amount}
        )
    elif action in ("reverse", "move"):
        payment_id = post.get("payment", "")
        if not payment_id.isdigit():
            raise ValidationError(_("Unknown action."))
        payment = get_object_or_404(Payment, pk=int(payment_id), case=case)
        if action == "reverse":
            tools.payment_reverse_tool(
                payment=payment, reason=post.get("reason", ""), user=request.user
            )
            messages.success(request, _("The payment is reversed."))
        else:
            to_case = services.case_by_number(post.get("to_case", ""))
            if to_case is None:
                raise ValidationError(_("No case has that number."))
            tools.payment_move(
                payment=payment, to_case=to_case, reason=post.get("reason", ""), user=request.user
            )
            messages.success(
                request, _("The payment is moved to case %(case)s.") % {"case": to_case.number}
            )
    else:
        raise ValidationError(_("Unknown action."))
