"""Validators for the identifiers and bank details a creditor gives us."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import ValidationError as StdnumError


def normalise_cvr(value: str) -> str:
    """Return the 8-digit CVR number, raising ``ValidationError`` when it is not valid."""
    try:
        return stdnum_cvr.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid CVR number."), code="invalid_cvr", params={"value": value}
        ) from exc


def validate_cvr(value: str) -> None:
    normalise_cvr(value)


def normalise_iban(value: str) -> str:
    try:
        return stdnum_iban.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid IBAN."), code="invalid_iban", params={"value": value}
        ) from exc


def validate_iban(value: str) -> None:
    normalise_iban(value)


def validate_fik_creditor_number(value: str) -> None:
    """A Danish FIK creditor number (kreditornummer) is 8 digits, as on a +71 payment slip."""
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ValidationError(_("A FIK creditor number has exactly 8 digits."), code="invalid_fik")


def validate_bank_reg_number(value: str) -> None:
    if not re.fullmatch(r"\d{4}", value or ""):
        raise ValidationError(_("A Danish bank registration number has 4 digits."), code="invalid")


def validate_bank_account_number(value: str) -> None:
    if not re.fullmatch(r"\d{1,10}", value or ""):
        raise ValidationError(
            _("A Danish bank account number has up to 10 digits."), code="invalid"
        )
