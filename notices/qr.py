"""The QR code on a letter's payment section: encoded by zxing-cpp (C++), drawn as SVG here.

The symbol is error correction level M. A payload that is not plain ASCII (a payee with
æ, ø or å) is UTF-8 with an ECI designator, so a reader never guesses Latin-1 or Shift JIS;
the EPC code declares UTF-8 (character set "1") and gets exactly that.

Payload format (decided here; there is no Danish standard for a transfer QR code):

* A case in EUR with an IBAN gets an EPC QR code (EPC069-12, version 002, "BCD"), which
  European banking apps read as a SEPA credit transfer: BIC, payee, IBAN, amount, and the
  FIK payment ID as the unstructured remittance text.
* Every other case gets plain UTF-8 text, one ``KEY:value`` per line, keys in English so a
  scanning app or a person can read it in any language:

      +71<000000012345674+87654321<       (the FIK code line, when the creditor has one)
      PAYEE:Nordlys El A/S
      AMOUNT:DKK 1234.50
      PAYMENT-ID:000000012345674
      ACCOUNT:1234 0001234567             (bank reg. and account number, when known)
      IBAN:DK5000400440116243             (when known)
      BIC:NDEADKKK                        (when known)

  The FIK line comes first because Danish banking apps' payment scanners look for it; the
  payment ID is what the bank import matches a payment to its case by.
"""

from __future__ import annotations

import re
from decimal import Decimal

import zxingcpp
from django.utils.safestring import SafeString, mark_safe


def payment_qr_payload(
    *,
    amount: Decimal,
    currency: str,
    payee: str,
    payment_id: str,
    fik_line: str,
    bank_reg_number: str,
    bank_account_number: str,
    iban: str,
    bic: str,
) -> str:
    if currency == "EUR" and iban:
        return "\n".join(
            [
                "BCD",
                "002",
                "1",
                "SCT",
                bic,
                payee[:70],
                iban,
                f"EUR{amount:.2f}",
                "",
                "",
                f"FIK {payment_id}",
            ]
        )
    lines = [fik_line] if fik_line else []
    lines += [f"PAYEE:{payee}", f"AMOUNT:{currency} {amount:.2f}", f"PAYMENT-ID:{payment_id}"]
    if bank_reg_number and bank_account_number:
        lines.append(f"ACCOUNT:{bank_reg_number} {bank_account_number}")
    if iban:
        lines.append(f"IBAN:{iban}")
    if bic:
        lines.append(f"BIC:{bic}")
    return "\n".join(lines)


def qr_matrix(payload: str) -> tuple[int, bytes]:
    """The symbol's modules, one byte each row by row (0 dark, 255 light), and its width."""
    options = {} if payload.isascii() else {"eci": "UTF8"}
    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M", **options)
    modules = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    return modules.shape[1], modules.tobytes()


_DARK_RUN = re.compile(rb"\x00+")


def qr_svg(payload: str) -> str:
    """The QR code as one SVG path, a unit per module; the letter's CSS gives it its size.

    The quiet zone is left to the layout (a margin of four modules around the image).
    """
    width, modules = qr_matrix(payload)
    path = []
    for y, row in enumerate(range(0, len(modules), width)):
        for run in _DARK_RUN.finditer(modules, row, row + width):
            length = run.end() - run.start()
            path.append(f"M{run.start() - row} {y}h{length}v1h-{length}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" '
        f'width="{width * 4}" height="{width * 4}" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{"".join(path)}"/></svg>'
    )


def payment_qr_svg(**details) -> tuple[str, SafeString]:
    """The payload and its QR code as inline SVG markup for the letter.

    Inline, not an ``<img>`` data URI: WeasyPrint would keep every letter's image in the
    shared image cache, and each letter's QR code is different, so the cache would only grow
    (and with it the time of every full garbage collection in a worker rendering thousands).
    The markup is made here from numbers only; the payload never appears in it.
    """
    payload = payment_qr_payload(**details)
    return payload, mark_safe(qr_svg(payload))  # noqa: S308 - built above, no outside text
