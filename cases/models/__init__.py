"""The ``cases`` app's models, one module per subject; every name is re-exported here, so
``from cases.models import ...`` finds them all (and Django finds every model of the app)."""

from .approvals import ApprovalKind, ApprovalRequest, ApprovalStatus
from .cases import (
    ACTIVE_STATES,
    CASE_NUMBER_SEQUENCE,
    MONEY,
    Case,
    CaseState,
    Claim,
    ClosedReason,
    LimitationEvent,
    MoneyDigits,
    case_number_from_payment_id,
    payment_id_for,
)
from .credit_bureau import (
    ACTIVE_REGISTRATION_STATUSES,
    AttemptOutcome,
    CreditBureauAttempt,
    CreditBureauRegistration,
    CreditBureauSubmission,
    EndReason,
    RegistrationStatus,
    SubmissionAction,
    SubmissionStatus,
)
from .disputes import Dispute
from .documents import CaseDocument, case_document_path
from .events import CaseEvent
from .figures import CaseFigures
from .ledger import (
    CHARGE_COMPONENT,
    CHARGE_KINDS,
    AppendOnlyError,
    Component,
    EntryKind,
    LedgerEntry,
)
from .legal import AttachmentOutcome, LegalStep, LegalStepKind
from .messages import (
    CaseMessage,
    MessageSide,
    NotificationEmail,
    NotificationSettings,
    NotifyKind,
    NotifyMode,
)
from .payments import Payment, PaymentMethod
from .plans import OPEN_PLAN_STATUSES, Instalment, InstalmentPlan, PlanStatus, PromiseToPay
from .rates import ReferenceRate
from .teams import Team
from .work import (
    ContactChannel,
    ContactDirection,
    ContactLog,
    ContactOutcome,
    WorkItem,
    WorkItemReason,
    WorkItemStatus,
    WorkScoreWeights,
)

__all__ = [
    "ACTIVE_REGISTRATION_STATUSES",
    "ACTIVE_STATES",
    "CASE_NUMBER_SEQUENCE",
    "CHARGE_COMPONENT",
    "CHARGE_KINDS",
    "MONEY",
    "OPEN_PLAN_STATUSES",
    "AppendOnlyError",
    "ApprovalKind",
    "ApprovalRequest",
    "ApprovalStatus",
    "AttachmentOutcome",
    "AttemptOutcome",
    "Case",
    "CaseDocument",
    "CaseEvent",
    "CaseFigures",
    "CaseMessage",
    "CaseState",
    "Claim",
    "ClosedReason",
    "Component",
    "ContactChannel",
    "ContactDirection",
    "ContactLog",
    "ContactOutcome",
    "CreditBureauAttempt",
    "CreditBureauRegistration",
    "CreditBureauSubmission",
    "Dispute",
    "EndReason",
    "EntryKind",
    "Instalment",
    "InstalmentPlan",
    "LedgerEntry",
    "LegalStep",
    "LegalStepKind",
    "LimitationEvent",
    "MessageSide",
    "MoneyDigits",
    "NotificationEmail",
    "NotificationSettings",
    "NotifyKind",
    "NotifyMode",
    "Payment",
    "PaymentMethod",
    "PlanStatus",
    "PromiseToPay",
    "ReferenceRate",
    "RegistrationStatus",
    "SubmissionAction",
    "SubmissionStatus",
    "Team",
    "WorkItem",
    "WorkItemReason",
    "WorkItemStatus",
    "WorkScoreWeights",
    "case_document_path",
    "case_number_from_payment_id",
    "payment_id_for",
]
