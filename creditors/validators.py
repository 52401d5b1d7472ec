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


LOGO_MAX_BYTES = 1024 * 1024  # a letterhead logo; WeasyPrint embeds it in every letter
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def logo_kind(data: bytes) -> str:
    """The logo's type by its content ("png", "jpg" or "svg"), raising ``ValidationError``
    when it is none of them, too large, or an SVG that could run script or fetch anything.

    The name's extension is not trusted: the stored file is named by what this returns, and
    the letters choose the image type by that name (notices/context.py).
    """
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo may be at most %(size)d KB."),
            code="too_large",
            params={"size": LOGO_MAX_BYTES // 1024},
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if _is_safe_svg(data):
        return "svg"
    raise ValidationError(
        _("The logo must be a PNG, JPEG or SVG image (without scripts or external links)."),
        code="invalid_logo",
    )


def _is_safe_svg(data: bytes) -> bool:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return False
    if root.tag != f"{{{_SVG_NS}}}svg":
        return False
    if root.getroottree().docinfo.internalDTD is not None:  # entities: refused outright
        return False
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        local = etree.QName(element).localname.lower()
        if local in ("script", "foreignobject", "iframe", "embed", "object"):
            return False
        for name, value in element.attrib.items():
            attr = etree.QName(name).localname.lower()
            if attr.startswith("on"):
                return False
            if (name == _XLINK_HREF or attr == "href") and not value.startswith(
                ("#", "data:image/png", "data:image/jpeg")
            ):
                return False
        if local == "style" and (
            "url(" in (element.text or "") or "@import" in (element.text or "")
        ):
            return False
    return True
