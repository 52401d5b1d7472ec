"""The case list page: search, filters, sorting, keyset pages (htmx swaps the results in
place), its CSV and XLSX exports, and the CPR/CVR look-up that opens a debtor's cases."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import push_url

from collections_portal.decorators import tenant_view
from creditors.selectors import creditors_for_user
from debtors.selectors import user_can_reveal_national_id
from debtors.services import LookupLimitReached, debtor_lookup_by_national_id
from integrations.imports.views import spreadsheet_safe

from .case_list import (
    DEFAULT_SORT,
    FLAGS,
    OPEN,
    SORTS,
    CaseFilters,
    aging_choices,
    case_page,
    filtered_cases,
    looks_like_national_id,
    next_step,
    ordered,
    row_flags,
)
from .models import CaseState

# A synchronous XLSX export holds its workbook's rows in a temporary file; beyond this many
# rows the user is asked to narrow the list or take the CSV, which streams.
XLSX_MAX_ROWS = 100_000

FLAG_LABELS = {
    "paused": gettext_lazy("Paused"),
    "disputed": gettext_lazy("Disputed"),
    "plan": gettext_lazy("On an instalment plan"),
    "promise": gettext_lazy("Promise to pay"),
    "legal": gettext_lazy("Legal track"),
}
SORT_LABELS = {
    "-handed": gettext_lazy("Newest first"),
    "handed": gettext_lazy("Oldest first"),
    "-balance": gettext_lazy("Largest balance"),
    "balance": gettext_lazy("Smallest balance"),
    "due": gettext_lazy("Longest past due"),
    "-due": gettext_lazy("Most recently due"),
    "-activity": gettext_lazy("Latest activity"),
    "activity": gettext_lazy("Least recent activity"),
    "number": gettext_lazy("Case number, lowest first"),
    "-number": gettext_lazy("Case number, highest first"),
}


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    flag = forms.MultipleChoiceField(
        label=gettext_lazy("Flags"),
        required=False,
        choices=[(f, FLAG_LABELS[f]) for f in FLAGS],
        widget=forms.CheckboxSelectMultiple,
    )
    aging = forms.ChoiceField(label=gettext_lazy("Days past due"), required=False)
    balance_min = forms.DecimalField(
        label=gettext_lazy("Balance from"), required=False, min_value=0, decimal_places=2
    )
    balance_max = forms.DecimalField(
        label=gettext_lazy("Balance to"), required=False, min_value=0, decimal_places=2
    )
    handed_from = forms.DateField(
        label=gettext_lazy("Handed over from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    handed_to = forms.DateField(
        label=gettext_lazy("Handed over to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_from = forms.DateField(
        label=gettext_lazy("Due from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_to = forms.DateField(
        label=gettext_lazy("Due to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    paid_from = forms.DateField(
        label=gettext_lazy("Paid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    paid_to = forms.DateField(
        label=gettext_lazy("Paid to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    creditor = forms.TypedChoiceField(
        label=gettext_lazy("Creditor"), required=False, coerce=int, empty_value=None
    )
    debtor = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), required=False)

    def __init__(self, *args, creditors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            ("", _("All stages")),
            (OPEN, _("Open (every stage but closed)")),
            *CaseState.choices,
        ]
        self.fields["aging"].choices = [("", _("Any"))] + [
            (key, _("%(key)s days") % {"key": key}) for key in aging_choices()
        ]
        self.fields["sort"].choices = list(SORT_LABELS.items())
        if creditors is None:
            del self.fields["creditor"]
        else:
            self.fields["creditor"].choices = [("", _("All creditors"))] + [
                (c.pk, c.name) for c in creditors
            ]

    def filters(self) -> CaseFilters:
        """The valid fields as filters; a field that did not validate is left out."""
        data = {}
        for name in self.fields:
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            data[name] = value
        return CaseFilters(
            q=(data.get("q") or "").strip(),
            stage=data.get("stage") or "",
            flags=list(data.get("flag") or []),
            aging=data.get("aging") or "",
            balance_min=data.get("balance_min"),
            balance_max=data.get("balance_max"),
            handed_from=data.get("handed_from"),
            handed_to=data.get("handed_to"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            paid_from=data.get("paid_from"),
            paid_to=data.get("paid_to"),
            creditor=data.get("creditor"),
            debtor=data.get("debtor"),
            sort=data.get("sort") or "-handed",
        )


def _form(request) -> CaseFilterForm:
    across = request.creditor is None  # agency staff across creditors may narrow to one
    creditors = creditors_for_user(request.user).order_by("name") if across else None
    form = CaseFilterForm(request.GET, creditors=creditors)
    form.is_valid()
    return form


def _query(request, **changes) -> str:
    """The list's query string with ``changes`` (None drops a key); the cursor always goes."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():  # empty fields of the form say nothing
        kept = [v for v in values if v != "" and not (key == "sort" and v == DEFAULT_SORT)]
        if kept and key != "cursor":
            query.setlist(key, kept)
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


@require_safe  # a page that only reads: a write method is 405, never a silent read
@tenant_view
def case_list(request):
    today = timezone.localdate()
    form = _form(request)
    filters = form.filters()
    page = case_page(filtered_cases(filters, today), filters.sort, request.GET.get("cursor", ""))
    current = filters.sort
    sort_links = {}
    for key in SORTS:
        # A header sorts descending first for amounts and dates, ascending for numbers.
        first = key if key in ("number", "due") else f"-{key}"
        if current.lstrip("-") == key:
            target = key if current.startswith("-") else f"-{key}"
        else:
            target = first
        sort_links[key] = {
            "url": "?" + _query(request, sort=target),
            "active": current.lstrip("-") == key,
            "descending": current.startswith("-"),
        }
    context = {
        "form": form,
        "page": page,
        "rows": [
            {
                "case": case,
                "flags": row_flags(case, today),
                "next": next_step(case, today),
            }
            for case in page.rows
        ],
        "filters": filters,
        "query": _query(request),
        "next_url": ("?" + _query(request, cursor=page.next_cursor) if page.next_cursor else None),
        "first_url": "?" + _query(request),
        "sort_links": sort_links,
        "national_id_hint": looks_like_national_id(filters.q),
        "can_look_up": request.creditor is not None
        and user_can_reveal_national_id(user=request.user, creditor=request.creditor),
    }
    if request.htmx and request.htmx.target == "case-results":
        response = render(request, "cases/_case_results.html", context)
        # The address bar shows the list as filtered, without the form's empty fields.
        cursor = request.GET.get("cursor")
        clean = _query(request, cursor=cursor) if cursor else _query(request)
        return push_url(response, reverse("case_list") + (f"?{clean}" if clean else ""))
    return render(request, "cases/case_list.html", context)


# --- Exports ------------------------------------------------------------------------------


def _export_rows(request):
    """The filtered list, in its order, as header + rows of plain values."""
    today = timezone.localdate()
    filters = _form(request).filters()
    cases = ordered(filtered_cases(filters, today), filters.sort)
    header = [
        _("Case number"),
        _("Payment ID (FIK +71)"),
        _("Debtor"),
        _("Creditor"),
        _("Creditor's reference"),
        _("Stage"),
        _("Flags"),
        _("Original principal"),
        _("Balance"),
        _("Currency"),
        _("Oldest due date"),
        _("Next step"),
        _("Next step date"),
        _("Handed over"),
        _("Last activity"),
    ]

    # Translated once, not per row (the choices' lazy labels cost 0.25 ms a row to look up).
    stages = {value: str(label) for value, label in CaseState.choices}

    def rows():
        for case in cases.iterator(chunk_size=2000):
            words, when = next_step(case, today)
            yield [
                case.number,
                case.payment_id,
                case.debtor.name,
                case.creditor.name,
                case.creditor_reference,
                stages.get(case.state, case.state),
                ", ".join(label for _key, label in row_flags(case, today)),
                case.original_principal,
                case.balance,
                case.currency,
                case.oldest_due,
                words,
                when,
                timezone.localtime(case.created_at).date(),
                timezone.localtime(case.last_activity).replace(tzinfo=None),
            ]

    return header, rows, cases


def _csv_cell(value, separator: str = "."):
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", separator)  # 1234,56 in Danish: no grouping
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return spreadsheet_safe(str(value)) if isinstance(value, str) else value


class _Echo:
    def write(self, value):
        return value


def _filename(extension: str) -> str:
    return f"sager-{timezone.localdate().isoformat()}.{extension}"


@require_safe
@tenant_view
def case_export(request, fmt: str):
    if fmt == "csv":
        header, rows, _cases = _export_rows(request)
        writer = csv.writer(_Echo(), delimiter=";")
        separator = get_format("DECIMAL_SEPARATOR")  # the page's language: 1234,56 in Danish

        def stream():
            yield "\ufeff"  # a BOM, so a spreadsheet reads the file as UTF-8
            yield writer.writerow(header)
            for row in rows():
                yield writer.writerow([_csv_cell(v, separator) for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
        return response
    if fmt == "xlsx":
        return _xlsx(request)
    raise Http404


def _xlsx(request):
    import tempfile

    from openpyxl import Workbook

    header, rows, cases = _export_rows(request)
    if cases.count() > XLSX_MAX_ROWS:
        messages.error(
            request,
            _(
                "The list has more than %(limit)s cases, too many for a spreadsheet here. "
                "Narrow it with the filters, or export it as CSV."
            )
            % {"limit": number_format(XLSX_MAX_ROWS, 0, use_l10n=True, force_grouping=True)},
        )
        return redirect(reverse("case_list") + "?" + _query(request))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cases"))
    sheet.append(header)
    for row in rows():
        sheet.append([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        content = handle.read()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


# --- The CPR/CVR look-up ---------------------------------------------------------------------


class LookupForm(forms.Form):
    national_id = forms.CharField(label=gettext_lazy("CPR or CVR number"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Why you look it up"), max_length=200)


@require_POST
@tenant_view
def case_lookup(request):
    """A debtor found by the exact CPR/CVR number opens the list of its cases. Recorded with
    its reason, limited per hour and refused to viewers, by the same service as the API's
    ``POST /api/v1/debtors/lookup/``; posted, so the number never appears in a URL."""
    if request.creditor is None:
        messages.error(request, _("Choose a creditor above before a CPR look-up."))
        return redirect("case_list")
    if not user_can_reveal_national_id(user=request.user, creditor=request.creditor):
        raise PermissionDenied
    form = LookupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the CPR or CVR number and why you look it up."))
        return redirect("case_list")
    try:
        debtor = debtor_lookup_by_national_id(
            creditor=request.creditor,
            national_id=form.cleaned_data["national_id"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("case_list")
    except LookupLimitReached as exc:
        messages.error(request, str(exc))
        return redirect("case_list")
    if debtor is None:
        messages.info(request, _("No debtor of this creditor has that number."))
        return redirect("case_list")
    messages.success(request, _("The cases of %(name)s.") % {"name": debtor.name})
    return redirect(reverse("case_list") + f"?debtor={debtor.pk}")
