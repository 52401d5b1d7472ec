"""Filing a case from the portal's wizard: :func:`case_file` (the API's service) plus what
only the wizard collects, a new debtor's e-mail and mobile (with the SMS consent) and the
evidence documents, in one transaction, so a refused case leaves nothing behind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cases.models import Case
from creditors.models import Creditor
from debtors.models import ContactKind, ContactSource, Debtor
from debtors.services import contact_point_add

from .cases import ClaimInput
from .documents import case_document_add
from .filing import case_file


@transaction.atomic
def case_file_from_portal(
    *,
    creditor: Creditor,
    claims: Sequence[ClaimInput],
    user: AbstractBaseUser,
    debtor: Debtor | None = None,
    debtor_details: dict[str, Any] | None = None,
    email: str = "",
    mobile: str = "",
    sms_consent: bool = False,
    creditor_reference: str = "",
    creditor_reminder_dates: Sequence[date] = (),
    creditor_warning_sent_on: date | None = None,
    documents: Sequence[UploadedFile] = (),
) -> Case:
    """File the case (raises as :func:`case_file` does, ``DebtorConflict`` included), give the
    debtor the contact points entered (the creditor's word, so from the creditor's portal; the
    SMS consent only when the user ticked it) and store each document on the case."""
    case = case_file(
        creditor=creditor,
        claims=claims,
        debtor=debtor,
        debtor_details=None if debtor else debtor_details,
        creditor_reference=creditor_reference,
        creditor_reminder_dates=creditor_reminder_dates,
        creditor_warning_sent_on=creditor_warning_sent_on,
        user=user,
    )
    contacts = [(ContactKind.EMAIL, email, False), (ContactKind.MOBILE, mobile, sms_consent)]
    for kind, value, consent in contacts:
        if not value:
            continue
        try:
            contact_point_add(
                debtor=case.debtor,
                kind=kind,
                value=value,
                source=ContactSource.CREDITOR_PORTAL,
                consent=consent,
                consent_source=ContactSource.CREDITOR_PORTAL if consent else "",
            )
        except ValidationError as exc:
            raise ValidationError({str(kind): exc.messages}) from exc
    for document in documents:
        case_document_add(case=case, file=document, actor=user)
    return case
