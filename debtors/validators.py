"""Validating and normalising what identifies and reaches a debtor: CPR, CVR, phone numbers.

Each ``normalise_*`` function returns the form we store (compact digits, E.164) or raises a
Django ``ValidationError`` with a message a creditor's user can act on.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

__all__ = [
    "DEFAULT_PHONE_REGION",
    "mask_cpr",
    "normalise_cpr",
    "normalise_cvr",
    "normalise_email",
    "normalise_phone",
]

DEFAULT_PHONE_REGION = "DK"

# Number types a text message can reach. Danish numbers carry no mobile/fixed distinction
# (phonenumbers says FIXED_LINE_OR_MOBILE for them), so only numbers that certainly cannot take
# an SMS (fixed lines abroad, toll-free, premium, ...) are refused as a mobile number.
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_cpr(value: str) -> str:
    """Return the 10-digit CPR number (``"010190-1234"`` -> ``"0101901234"``).

    The modulus-11 check is not applied: CPR numbers issued since 2007 need not pass it.
    """
    try:
        return stdnum_cpr.validate(value)
    except InvalidLength as exc:  # before InvalidFormat, its base class
        message, code = _("A CPR number has 10 digits (DDMMYY-XXXX)."), "invalid_cpr_length"
        raise ValidationError(message, code=code) from exc
    except InvalidFormat as exc:
        message, code = _("A CPR number has only digits (DDMMYY-XXXX)."), "invalid_cpr_format"
        raise ValidationError(message, code=code) from exc
    except InvalidComponent as exc:
        message = _("A CPR number starts with a valid, past date of birth (DDMMYY).")
        raise ValidationError(message, code="invalid_cpr_date") from exc
    except StdnumError as exc:  # any other complaint stdnum may add in a later version
        raise ValidationError(_("This is not a valid CPR number."), code="invalid_cpr") from exc


def normalise_cvr(value: str) -> str:
    """Return a debtor's 8-digit CVR number.

    The error never repeats what was sent (``creditors.validators.normalise_cvr`` does, for a
    creditor's own number): a person's CPR number sent as a company's CVR would otherwise be
    echoed into the response, the idempotency record kept of it, logs and stored import
    rejections."""
    try:
        return stdnum_cvr.validate(value)
    except StdnumError as exc:
        if stdnum_cpr.is_valid(value):
            message = _(
                "This is a CPR number (a person's), not a CVR number: a company's CVR number "
                "has 8 digits. For a person, give the kind person."
            )
            raise ValidationError(message, code="invalid_cvr") from exc
        raise ValidationError(
            _("This is not a valid CVR number (8 digits)."), code="invalid_cvr"
        ) from exc


def mask_cpr(value: str) -> str:
    """``"0101901234"`` -> ``"010190-XXXX"``: the date of birth only, never the serial part."""
    return f"{value[:6]}-XXXX"


def normalise_phone(value: str, *, mobile: bool = False, region: str = DEFAULT_PHONE_REGION) -> str:
    """Return the number in E.164 (``"20 12 34 56"`` -> ``"+4520123456"``).

    A number without a country code is read as a number of ``region`` (Denmark by default).
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("%(value)s is not a phone number."), code="invalid_phone", params={"value": value}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number."),
            code="invalid_phone",
            params={"value": value},
        )
    if mobile and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(
            _("%(value)s cannot receive text messages: it is not a mobile number."),
            code="not_mobile",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_validate_email = EmailValidator()


def normalise_email(value: str) -> str:
    """Return the address with the domain in lower case; the local part is kept as given."""
    value = value.strip()
    _validate_email(value)
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"
