"""The only code that changes cases, claims, the ledger and payments.

Each service is a keyword-only function, runs in one transaction, locks the case row when it
changes the case's money, and raises ``ValidationError`` (naming the field) or ``CaseError``.
"""

from .cases import ClaimInput, case_create, claim_add, limitation_event_record
from .errors import CaseError
from .filing import DuplicateClaimError, case_file
from .ledger import fee_post, interest_post, ledger_post
from .payments import payment_register, payment_reverse

__all__ = [
    "CaseError",
    "ClaimInput",
    "DuplicateClaimError",
    "case_create",
    "case_file",
    "claim_add",
    "fee_post",
    "interest_post",
    "ledger_post",
    "limitation_event_record",
    "payment_register",
    "payment_reverse",
]
