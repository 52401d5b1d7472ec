"""File a case in the portal: a short wizard (debtor, invoices, preview with documents, confirm).

The steps are kept in the session, per creditor, in the API's request shape (the JSON body
of POST /api/v1/cases/): the session is server-side, so nothing the browser sends back can
change an earlier step unseen, and uploaded documents are sent with the final confirm only
(a file cannot wait in a session). Every step is validated by the API's own serializer, and
the case is filed by the API's service (``case_file``, through ``case_file_from_portal``).

Owners, administrators and members file; viewers get 403. A CPR/CVR already on file with
another name or address is shown side by side and the user chooses: never a silent merge.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.preview import case_preview
from cases.services.filing import DuplicateClaimError
from cases.services.filing_portal import case_file_from_portal
from creditors.models import Language
from creditors.selectors import membership_for, user_is_agency_staff
from debtors.models import Debtor, DebtorKind
from debtors.selectors import debtor_list
from debtors.services import (
    DebtorConflict,
    LookupLimitReached,
    debtor_build,
    debtor_differences,
    debtor_lookup_by_national_id,
)
from debtors.validators import normalise_email, normalise_phone

SESSION_KEY = "case_wizard"
MAX_LINES = 20
MAX_DOCUMENTS = 10


def filer_view(view):
    """Who may file for the request's creditor: its owners, administrators and members, and
    agency staff who have chosen the creditor. Viewers get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        creditor = getattr(request, "creditor", None)
        if creditor is None:
            return render(request, "portal/no_creditor.html", status=403)
        if not user_is_agency_staff(request.user):
            membership = membership_for(request.user, creditor)
            if membership is None or not membership.can_edit:
                raise PermissionDenied(_("Your role may not file cases."))
        return view(request, *args, **kwargs)

    return wrapper


def _state(request) -> dict:
    return request.session.get(SESSION_KEY, {}).get(str(request.creditor.pk), {})


def _save(request, state: dict) -> None:
    wizard = request.session.get(SESSION_KEY, {})
    wizard[str(request.creditor.pk)] = state
    request.session[SESSION_KEY] = wizard


def _clear(request) -> None:
    wizard = request.session.get(SESSION_KEY, {})
    wizard.pop(str(request.creditor.pk), None)
    request.session[SESSION_KEY] = wizard


# --- Step 1: the debtor -----------------------------------------------------------------------


class DebtorForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Person or company"), choices=DebtorKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    national_id = forms.CharField(
        label=gettext_lazy("CPR or CVR number"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("CPR for a person (DDMMYY-XXXX), CVR for a company (8 digits)."),
    )
    address_line = forms.CharField(label=gettext_lazy("Street address"), max_length=200)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=10)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    country = forms.CharField(label=gettext_lazy("Country"), max_length=2, initial="DK")
    language = forms.ChoiceField(
        label=gettext_lazy("Letters in"), choices=Language.choices, initial=Language.DA
    )
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    mobile = forms.CharField(label=gettext_lazy("Mobile"), max_length=30, required=False)
    sms_consent = forms.BooleanField(
        label=gettext_lazy("The debtor has agreed to text messages (SMS) on this number"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The model's own validation (CPR/CVR check digits and kind, postal code): the same
        # rules as the API's and the import's.
        try:
            debtor = debtor_build(creditor=None, **_debtor_details(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return data
        data["national_id"] = debtor.national_id
        data["country"] = debtor.country
        for field, normalise in (("email", normalise_email), ("mobile", normalise_phone)):
            if data.get(field):
                try:
                    data[field] = normalise(data[field])
                except ValidationError as exc:
                    self.add_error(field, exc.messages)
        if data.get("sms_consent") and not data.get("mobile"):
            self.add_error("mobile", _("Give the mobile number the debtor agreed to."))
        return data


DETAIL_FIELDS = ("kind", "name", "national_id", "address_line", "postal_code", "city",
                 "country", "language")  # fmt: skip


def _debtor_details(data: dict) -> dict:
    return {field: data.get(field) or "" for field in DETAIL_FIELDS}


class LookupForm(forms.Form):
    national_id = forms.CharField(label=gettext_lazy("CPR or CVR number"), max_length=20)
    reason = forms.CharField(
        label=gettext_lazy("Why you look it up"),
        max_length=200,
        initial=gettext_lazy("Filing a case"),
    )


def _debtor_page(request, *, form=None, lookup=None, found=None, conflict=None, status=200):
    state = _state(request)
    chosen = None
    if state.get("debtor_id"):
        chosen = debtor_list().filter(pk=state["debtor_id"]).first()
    return render(
        request,
        "cases/file/debtor.html",
        {
            "step": 1,
            "form": form or DebtorForm(initial=state.get("debtor_form") or None),
            "lookup_form": lookup or LookupForm(prefix="lookup"),
            "found": found,
            "conflict": conflict,
            "chosen": chosen,
        },
        status=status,
    )


@filer_view
def file_debtor(request):
    """Step 1: choose an existing debtor (by name, or by CPR/CVR through a recorded look-up)
    or enter a new one."""
    if request.method != "POST":
        if request.GET.get("restart"):
            _clear(request)
        return _debtor_page(request)
    action = request.POST.get("action")
    state = _state(request)
    if action == "choose":
        debtor = debtor_list().filter(pk=request.POST.get("debtor_id")).first()
        if debtor is None:
            return _debtor_page(request, status=404)
        state.update({"debtor_id": debtor.pk, "debtor_form": None})
        _save(request, state)
        return redirect("case_file_invoices")
    if action == "lookup":
        return _lookup(request)
    form = DebtorForm(request.POST)
    if not form.is_valid():
        return _debtor_page(request, form=form, status=400)
    data = form.cleaned_data
    existing = None
    if data["national_id"]:
        # Whether the creditor has this CPR/CVR already shows that debtor's name and address:
        # a look-up like any other, recorded with its reason.
        try:
            existing = debtor_lookup_by_national_id(
                creditor=request.creditor,
                national_id=data["national_id"],
                reason=_("Filing a case: is the new debtor's CPR/CVR number known?"),
                user=request.user,
            )
        except LookupLimitReached as exc:
            form.add_error("national_id", str(exc))
            return _debtor_page(request, form=form, status=429)
    details = _debtor_details(data)
    if existing is not None:
        given = debtor_build(creditor=request.creditor, **details)
        differences = debtor_differences(existing, given)
        if differences:
            state["debtor_form"] = _form_state(data)
            state.pop("debtor_id", None)
            _save(request, state)
            return _debtor_page(
                request, form=form, conflict=_conflict(existing, differences), status=409
            )
        state.update({"debtor_id": existing.pk})
    else:
        state.pop("debtor_id", None)
    state["debtor_form"] = _form_state(data)
    _save(request, state)
    return redirect("case_file_invoices")


def _form_state(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None,)}


def _conflict(existing: Debtor, differences: dict) -> dict:
    labels = {
        "name": _("Name"),
        "address_line": _("Street address"),
        "postal_code": _("Postal code"),
        "city": _("City"),
        "country": _("Country"),
    }
    return {
        "existing": existing,
        "rows": [
            {"label": labels[field], "on_file": on_file, "given": given}
            for field, (on_file, given) in differences.items()
        ],
    }


def _lookup(request):
    lookup = LookupForm(request.POST, prefix="lookup")
    if not lookup.is_valid():
        return _debtor_page(request, lookup=lookup, status=400)
    try:
        debtor = debtor_lookup_by_national_id(
            creditor=request.creditor,
            national_id=lookup.cleaned_data["national_id"],
            reason=lookup.cleaned_data["reason"],
            user=request.user,
        )
    except LookupLimitReached as exc:
        lookup.add_error(None, str(exc))
        return _debtor_page(request, lookup=lookup, status=429)
    except ValidationError as exc:
        for message in exc.messages:
            lookup.add_error(None, message)
        return _debtor_page(request, lookup=lookup, status=400)
    return _debtor_page(request, lookup=lookup, found={"debtors": [debtor] if debtor else []})


@filer_view
def file_debtor_search(request):
    """The creditor's debtors whose name holds the words typed (htmx partial). Names only:
    a CPR/CVR number is looked up (recorded), never searched."""
    words = (request.GET.get("q") or "").split()[:5]
    debtors = []
    if words and sum(len(w) for w in words) >= 2:
        query = Q()
        for word in words:
            query &= Q(name__icontains=word)
        debtors = list(debtor_list().filter(creditor=request.creditor).filter(query)[:20])
    return render(
        request, "cases/file/_debtor_results.html", {"debtors": debtors, "searched": bool(words)}
    )


# --- Step 2: invoices and what the creditor has sent -------------------------------------------


class InvoiceForm(forms.Form):
    invoice_number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=100)
    invoice_date = forms.DateField(
        label=gettext_lazy("Invoice date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    principal = forms.DecimalField(
        label=gettext_lazy("Amount incl. VAT"), max_digits=14, decimal_places=2, min_value=0
    )
    debtor_is_consumer = forms.TypedChoiceField(
        label=gettext_lazy("Debtor"),
        choices=[("1", gettext_lazy("Consumer")), ("0", gettext_lazy("Business"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)


InvoiceFormSet = forms.formset_factory(
    InvoiceForm, extra=0, min_num=1, validate_min=True, max_num=MAX_LINES, validate_max=True
)

STAGES = [
    ("none", gettext_lazy("Nothing sent yet: start with our reminders")),
    ("reminders", gettext_lazy("I have sent reminders: continue from there")),
    ("warning", gettext_lazy("I have sent a collection warning: hand over after its deadline")),
]


class StageForm(forms.Form):
    creditor_reference = forms.CharField(
        label=gettext_lazy("Your reference"), max_length=100, required=False
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Start from"), choices=STAGES, widget=forms.RadioSelect, initial="none"
    )
    reminder_1 = forms.DateField(
        label=gettext_lazy("Your 1st reminder sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reminder_2 = forms.DateField(
        label=gettext_lazy("Your 2nd reminder sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reminder_3 = forms.DateField(
        label=gettext_lazy("Your 3rd reminder sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    warning_sent_on = forms.DateField(
        label=gettext_lazy("Your collection warning sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        reminders = [data.get(f"reminder_{i}") for i in (1, 2, 3)]
        data["reminder_dates"] = sorted(d for d in reminders if d)
        stage = data.get("stage")
        if stage == "reminders" and not data["reminder_dates"]:
            self.add_error("reminder_1", _("Give the date of at least one reminder you sent."))
        if stage == "warning" and not data.get("warning_sent_on"):
            self.add_error("warning_sent_on", _("Give the date your collection warning was sent."))
        if stage == "none":
            data["reminder_dates"] = []
        if stage != "warning":
            data["warning_sent_on"] = None
        return data


def _payload(state: dict) -> dict:
    """The wizard's state as the body of POST /api/v1/cases/."""
    payload = dict(state.get("case") or {})
    if state.get("debtor_id"):
        payload["debtor_id"] = state["debtor_id"]
    elif state.get("debtor_form"):
        payload["debtor"] = _debtor_details(state["debtor_form"])
    return payload


def _validated(state: dict):
    """The API's serializer over the wizard's state: one set of rules for both."""
    from integrations.api.serializers import CaseCreateSerializer

    serializer = CaseCreateSerializer(data=_payload(state))
    serializer.is_valid()
    return serializer


@filer_view
def file_invoices(request):
    """Step 2: the invoices, the creditor's reference, and the stage to start from."""
    state = _state(request)
    if not state.get("debtor_id") and not state.get("debtor_form"):
        return redirect("case_file")
    saved = state.get("case") or {}
    if request.method != "POST":
        lines = InvoiceFormSet(initial=saved.get("claims_form") or [{}], prefix="line")
        stage = StageForm(initial=saved.get("stage_form"))
        return _invoices_page(request, lines, stage)
    data = request.POST.copy()
    if "add_line" in data:
        # Re-show what was typed with one more, empty line; nothing is checked yet.
        total = min(int(data.get("line-TOTAL_FORMS") or 1), MAX_LINES)
        names = InvoiceForm.base_fields
        typed = [{n: data.get(f"line-{i}-{n}", "") for n in names} for i in range(total)]
        lines = InvoiceFormSet(initial=typed + [{}][: MAX_LINES - total], prefix="line")
        return _invoices_page(request, lines, StageForm(initial=data.dict()))
    lines = InvoiceFormSet(data, prefix="line")
    stage = StageForm(data)
    if not (lines.is_valid() and stage.is_valid()):
        return _invoices_page(request, lines, stage, status=400)
    claims = [
        {
            "invoice_number": line["invoice_number"],
            "invoice_date": line["invoice_date"].isoformat(),
            "due_date": line["due_date"].isoformat(),
            "principal": str(line["principal"]),
            "debtor_is_consumer": line["debtor_is_consumer"],
            "description": line["description"],
        }
        for line in lines.cleaned_data
        if line
    ]
    s = stage.cleaned_data
    state["case"] = {
        "claims": claims,
        "creditor_reference": s["creditor_reference"],
        "creditor_reminder_dates": [d.isoformat() for d in s["reminder_dates"]],
        "creditor_warning_sent_on": (
            s["warning_sent_on"].isoformat() if s["warning_sent_on"] else None
        ),
        "claims_form": [
            {**c, "debtor_is_consumer": "1" if c["debtor_is_consumer"] else "0"} for c in claims
        ],
        "stage_form": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in s.items()
            if k != "reminder_dates" and v is not None
        },
    }
    serializer = _validated(state)
    if not serializer.is_valid():
        errors = _flat_errors(serializer.errors)
        return _invoices_page(request, lines, stage, api_errors=errors, status=400)
    _save(request, state)
    return redirect("case_file_preview")


def _flat_errors(errors, prefix: str = "") -> list[str]:
    from integrations.api.errors import _flatten

    return [f"{e['field']}: {e['message']}" if e["field"] else e["message"]
            for e in _flatten(errors, prefix)]  # fmt: skip


def _invoices_page(request, lines, stage, *, api_errors=(), status=200):
    return render(
        request,
        "cases/file/invoices.html",
        {"step": 2, "lines": lines, "stage": stage, "api_errors": api_errors,
         "max_lines": MAX_LINES},
        status=status,
    )  # fmt: skip


# --- Step 3: preview, documents, confirm -------------------------------------------------------


@filer_view
def file_preview(request):
    """Step 3: the case's whole future as the rules see it today; documents; confirm."""
    state = _state(request)
    if not state.get("case"):
        return redirect("case_file_invoices" if state else "case_file")
    serializer = _validated(state)
    if not serializer.is_valid():
        return redirect("case_file_invoices")
    fields = serializer.validated_data
    from integrations.api.views import _claim_input

    claims = [_claim_input(c) for c in fields["claims"]]
    debtor = None
    if fields.get("debtor_id"):
        debtor = debtor_list().filter(pk=fields["debtor_id"]).first()
        if debtor is None:
            _clear(request)
            return redirect("case_file")
    errors: list[str] = []
    if request.method == "POST":
        documents = request.FILES.getlist("documents")
        if len(documents) > MAX_DOCUMENTS:
            errors.append(_("At most %(n)d documents at a time.") % {"n": MAX_DOCUMENTS})
        else:
            form_state = state.get("debtor_form") or {}
            try:
                case = case_file_from_portal(
                    creditor=request.creditor,
                    claims=claims,
                    user=request.user,
                    debtor=debtor,
                    debtor_details=fields.get("debtor"),
                    # Entered details (a new debtor, or one on file with the same details):
                    # their e-mail and mobile are added. Choosing the debtor on file over a
                    # conflict drops what was entered (debtor_form is cleared then).
                    email=form_state.get("email", ""),
                    mobile=form_state.get("mobile", ""),
                    sms_consent=bool(form_state.get("sms_consent")),
                    creditor_reference=fields["creditor_reference"],
                    creditor_reminder_dates=fields["creditor_reminder_dates"],
                    creditor_warning_sent_on=fields["creditor_warning_sent_on"],
                    documents=documents,
                )
            except DebtorConflict as exc:
                # Someone filed this CPR/CVR with other details since step 1: choose again.
                return _debtor_page(
                    request,
                    form=DebtorForm(initial=form_state),
                    conflict=_conflict(exc.existing, exc.differences),
                    status=409,
                )
            except DuplicateClaimError as exc:
                errors.extend(
                    _("Invoice %(number)s has already been handed over (case %(case)s).")
                    % {"number": claim.invoice_number, "case": claim.case.reference}
                    for claim in exc.duplicates.values()
                )
            except ValidationError as exc:
                errors.extend(_flat_errors(exc.message_dict if hasattr(exc, "error_dict") else
                                           exc.messages))  # fmt: skip
            else:
                _clear(request)
                return redirect(reverse("case_detail", kwargs={"case_id": case.pk}))
    try:
        preview = case_preview(
            creditor=request.creditor,
            claims=claims,
            creditor_reminder_dates=fields["creditor_reminder_dates"],
            creditor_warning_sent_on=fields["creditor_warning_sent_on"],
        )
    except ValidationError as exc:
        preview = None
        errors.extend(exc.messages)
    return render(
        request,
        "cases/file/preview.html",
        {
            "step": 3,
            "preview": preview,
            "debtor": debtor,
            "debtor_details": fields.get("debtor"),
            "claims": claims,
            "fields": fields,
            "errors": errors,
            "max_documents": MAX_DOCUMENTS,
        },
        status=400 if errors else 200,
    )
