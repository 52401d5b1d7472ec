"""The case list's exports: a case as a row of plain values, the header, a CSV cell, and the
list's filters as JSON (kept on a background export's job, ``integrations/imports/exports.py``).
The same rows for the export answered at once and the one written in the background."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from collections_portal.spreadsheets import spreadsheet_safe

from .case_list import CaseFilters, next_step, row_flags

_DECIMALS = ("balance_min", "balance_max")
_DATES = ("handed_from", "handed_to", "due_from", "due_to", "paid_from", "paid_to")


def export_header() -> list[str]:
    """The exports' column names, in the active language."""
    return [
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


def export_row(case, today: date) -> list:
    """One case of the filtered list as plain values."""
    words, when = next_step(case, today)
    return [
        case.number,
        case.payment_id,
        case.debtor.name,
        case.creditor.name,
        case.creditor_reference,
        case.get_state_display(),
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


def csv_cell(value):
    if isinstance(value, Decimal):
        return number_format(value, 2, use_l10n=True)  # 1234,56 in Danish: no separators
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return spreadsheet_safe(str(value)) if isinstance(value, str) else value


def filters_to_json(filters: CaseFilters) -> dict:
    data = dataclasses.asdict(filters)
    for name in _DECIMALS + _DATES:
        if data[name] is not None:
            data[name] = str(data[name]) if name in _DECIMALS else data[name].isoformat()
    return data


def filters_from_json(data: dict) -> CaseFilters:
    known = {f.name for f in dataclasses.fields(CaseFilters)}
    values = {k: v for k, v in data.items() if k in known}
    for name in _DECIMALS:
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    for name in _DATES:
        if values.get(name) is not None:
            values[name] = date.fromisoformat(values[name])
    return CaseFilters(**values)
