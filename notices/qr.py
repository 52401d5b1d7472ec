"""The QR code on a letter's payment section, drawn with segno as SVG (pure Python).

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

import base64
import io
from decimal import Decimal

import segno


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


def payment_qr_svg_data_uri(**details) -> tuple[str, str]:
    """The payload and its QR code as an SVG data URI for an ``<img>`` in the letter."""
    payload = payment_qr_payload(**details)
    # A fixed mask pattern: any of the eight is valid and every reader decodes it; letting
    # segno score all eight costs most of a letter's context time (bench/letters.py).
    code = segno.make(payload, error="m", micro=False, mask=0, boost_error=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=4, border=0, dark="#000", xmldecl=False)
    return payload, "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
