"""Bank files in: receiving a file, reading it entry by entry, booking what matches surely,
reversing what the bank returned, and the agents' resolution of unmatched payments.

A file is received once (its SHA-256 is unique) and read by the Celery task
``bank.process_file``. Each entry is its own transaction: an entry that cannot be read or
booked is recorded with the reason and the rest go on, and a task run again carries on after
the last entry it recorded. The job always ends ``finished`` or ``failed`` with the reason.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, PaymentMethod
from cases.services import payment_register, payment_reverse
from collections_portal.celery import enqueue_on_commit
from collections_portal.money import to_money
from collections_portal.tenancy import agency_scope, creditor_scope
from integrations.jobs import JobRunner

from . import parsers
from .matching import match_entry
from .models import (
    BankEntry,
    BankFile,
    EntryStatus,
    PaymentSource,
    ReceivedPayment,
    Refund,
    UnmatchedPayment,
    UnmatchedStatus,
)

logger = logging.getLogger(__name__)

MAX_BYTES = 200 * 1024 * 1024
# Namespace of the advisory lock that keeps one worker per file (the file id is the second key).
ADVISORY_NAMESPACE = 0x42414E4B  # "BANK"
MAX_ATTEMPTS = 5
STALE_MINUTES = 10


class BankFileError(ValidationError):
    """The upload is refused as a whole (seen before, empty, not a bank file)."""


def bank_file_receive(
    *, data: bytes, name: str = "", source: str, user: AbstractBaseUser | None = None
) -> BankFile:
    """Store a bank file and queue its reading. The same file twice is refused with the name
    of the first; a file that is not a camt.053/054 or CSV bank file is refused at once."""
    if not data.strip():
        raise BankFileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise BankFileError(_("The file is too large."))
    sha = hashlib.sha256(data).hexdigest()
    try:
        fmt = parsers.sniff_format(data[:4096])
    except parsers.FileRefused as exc:
        raise BankFileError(str(exc)) from exc
    with transaction.atomic():
        earlier = BankFile.objects.filter(sha256=sha).first()
        if earlier is not None:
            raise BankFileError(
                _("This file was uploaded before (%(name)s, %(when)s); nothing is booked twice.")
                % {
                    "name": earlier.original_name or earlier.public_id,
                    "when": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
                },
                code="duplicate_file",
            )
        bank_file = BankFile(
            format=fmt,
            original_name=name[:255],
            sha256=sha,
            source=source[:60],
            created_by=user if user is not None and user.pk else None,
        )
        bank_file.file.save(f"{bank_file.public_id}.{fmt}", ContentFile(data), save=False)
        try:
            with transaction.atomic():
                bank_file.save()
        except IntegrityError as exc:  # the same file at the same moment from elsewhere
            bank_file.file.delete(save=False)
            raise BankFileError(
                _("This file was uploaded before; nothing is booked twice."),
                code="duplicate_file",
            ) from exc
        from .tasks import process_bank_file

        enqueue_on_commit(process_bank_file, file_id=bank_file.pk)
    return bank_file


class BankRunner(JobRunner[BankFile]):
    """Reading a bank file on the shared job runner: a unit is an entry, each filed in its own
    transaction with the job's progress (so a run carries on after the last entry recorded),
    and the file's counts are taken from its entries when the job ends."""

    model = BankFile
    advisory_namespace = ADVISORY_NAMESPACE
    stale_minutes = STALE_MINUTES
    max_attempts = MAX_ATTEMPTS
    # A file that is not a bank file (or broken): the job fails with the reader's reason.
    input_errors = (parsers.FileRefused,)
    # The task fails too, so the worker's monitoring sees an unexpected error.
    reraise = True

    def chunks(self, bank_file: BankFile, start: int) -> Iterator[tuple[int, Any]]:
        with bank_file.file.open("rb") as handle:
            data = handle.read()
        parsed = parsers.parse(data)
        bank_file.message_id = parsed.message_id[:100]
        bank_file.account = parsed.account[:60]
        BankFile.objects.filter(pk=bank_file.pk).update(
            message_id=bank_file.message_id, account=bank_file.account
        )
        # Entries recorded before the file's progress was counted in units (or by hand): the
        # entry's position is the last word on whether it was read.
        done = set(bank_file.entries.values_list("position", flat=True))
        for raw in islice(parsed.entries, start, None):
            yield 1, (raw if raw.position not in done else None)

    def file_chunk(self, bank_file: BankFile, start: int, size: int, payload: Any) -> dict:
        if payload is not None:
            entry_process(bank_file=bank_file, raw=payload)
        return {}

    def ended(self, bank_file: BankFile) -> None:
        # The file's counts, from its entries (whatever run recorded them).
        counts = dict(bank_file.entries.values_list("status").annotate(n=Count("pk")).order_by())
        bank_file.entries_total = sum(counts.values())
        bank_file.booked = counts.get(EntryStatus.BOOKED, 0)
        bank_file.unmatched = counts.get(EntryStatus.UNMATCHED, 0) + sum(
            counts.get(s, 0) for s in (EntryStatus.RESOLVED, EntryStatus.REFUND)
        )
        bank_file.returned = counts.get(EntryStatus.RETURN, 0)
        bank_file.duplicates = counts.get(EntryStatus.DUPLICATE, 0)
        bank_file.rejected = counts.get(EntryStatus.REJECTED, 0)
        bank_file.ignored = counts.get(EntryStatus.IGNORED, 0)
        bank_file.save(update_fields=[*_COUNTS])

    def enqueue(self, *, creditor_id: int | None, job_id: int) -> bool:
        from collections_portal import celery

        from .tasks import process_bank_file

        return celery.enqueue(process_bank_file, file_id=job_id)

    def stopped_reason(self, bank_file: BankFile) -> str:
        return _("Reading stopped: %(error)s") % {
            "error": _(
                "an unexpected error after %(done)s entries. The entries read are kept; the "
                "error has been logged."
            )
            % {"done": bank_file.units_done}
        }

    def interrupted_reason(self, bank_file: BankFile) -> str:
        return _("Reading was interrupted %(n)s times; the entries read so far are kept.") % {
            "n": bank_file.attempts
        }


_COUNTS = ("entries_total", "booked", "unmatched", "returned", "duplicates", "rejected", "ignored")


def bank_file_process(*, file_id: int) -> BankFile:
    """Read (or carry on reading) a bank file; it ends finished or failed with the reason
    (the runner: one worker per file, resume, reconnect, fail after ``MAX_ATTEMPTS`` runs)."""
    return BankRunner().run(job_id=file_id)


def bank_files_requeue_stale(*, now=None) -> int:
    """Beat's sweep (see :meth:`JobRunner.requeue_stale`)."""
    return BankRunner().requeue_stale(now=now)


def _entry(bank_file: BankFile, raw: parsers.RawEntry, status: str, reason: str = "", **extra):
    return BankEntry.objects.create(
        file=bank_file,
        position=raw.position,
        account=raw.account or bank_file.account,
        reference=raw.reference,
        credit=raw.credit,
        amount=raw.amount,
        currency=raw.currency,
        booked_on=raw.booked_on,
        value_on=raw.value_on,
        debtor_name=raw.debtor_name,
        debtor_account=raw.debtor_account,
        payment_reference=(raw.fik_reference or " ".join(raw.payment_references))[:140],
        remittance=raw.remittance,
        end_to_end_id=raw.end_to_end_id[:140],
        is_return=raw.is_return,
        return_reason=raw.return_reason,
        status=status,
        reason=reason,
        **extra,
    )


def _received_on(raw_or_entry) -> date:
    day = raw_or_entry.value_on or raw_or_entry.booked_on
    return min(day, timezone.localdate())


def entry_process(*, bank_file: BankFile, raw: parsers.RawEntry) -> BankEntry:
    """Record one entry of a file and do what it says: book, return, or leave for an agent."""
    if raw.error:
        with transaction.atomic():
            return _entry(bank_file, raw, EntryStatus.REJECTED, raw.error)
    raw.account = raw.account or bank_file.account
    try:
        with transaction.atomic():
            return _entry_process(bank_file, raw)
    except IntegrityError as exc:
        if not _seen_once_violation(exc):
            raise
        # The same entry from another file at the same moment: that one books it.
    with transaction.atomic():
        return _duplicate(bank_file, raw)


def _seen_once_violation(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") == "bank_entry_seen_once"


def _duplicate(bank_file: BankFile, raw: parsers.RawEntry) -> BankEntry:
    first = (
        BankEntry.objects.filter(account=raw.account, reference=raw.reference)
        .exclude(status__in=[EntryStatus.REJECTED, EntryStatus.DUPLICATE])
        .select_related("file")
        .first()
    )
    where = first.file.original_name or str(first.file.public_id) if first else "?"
    return _entry(
        bank_file,
        raw,
        EntryStatus.DUPLICATE,
        _("Seen before (file %(file)s); not booked again.") % {"file": where},
    )


def _entry_process(bank_file: BankFile, raw: parsers.RawEntry) -> BankEntry:
    if (
        BankEntry.objects.filter(account=raw.account, reference=raw.reference)
        .exclude(status__in=[EntryStatus.REJECTED, EntryStatus.DUPLICATE])
        .exists()
    ):
        return _duplicate(bank_file, raw)
    if not raw.booked:
        return _entry(
            bank_file, raw, EntryStatus.IGNORED, _("Not booked by the bank (pending or notice).")
        )
    if raw.is_return and not raw.credit:
        return _return(bank_file, raw)
    if not raw.credit:
        return _entry(bank_file, raw, EntryStatus.IGNORED, _("Money out of the account."))
    if raw.is_return:
        return _unmatched(
            bank_file,
            raw,
            _("A payment of ours that came back (%(reason)s).") % {"reason": raw.return_reason},
            [],
        )
    match = match_entry(raw)
    if not match.sure:
        return _unmatched(bank_file, raw, match.reason, match.suggestions)
    try:
        with transaction.atomic():
            entry = _entry(
                bank_file,
                raw,
                EntryStatus.BOOKED,
                creditor_id=match.case.creditor_id,
                match_rule=match.rule,
            )
            _book(
                entry=entry,
                case=match.case,
                amount=entry.amount,
                source=PaymentSource.BANK,
                method=PaymentMethod.FIK if match.rule == "fik" else PaymentMethod.BANK_TRANSFER,
            )
    except ValidationError as exc:
        # The case would not take it (a date, an amount): an agent decides.
        reason = _("Case %(case)s did not take the payment: %(error)s") % {
            "case": match.case.number,
            "error": "; ".join(exc.messages),
        }
        return _unmatched(bank_file, raw, reason, [])
    return entry


def _unmatched(bank_file, raw, reason: str, suggestions: list[dict]) -> BankEntry:
    entry = _entry(bank_file, raw, EntryStatus.UNMATCHED, reason)
    UnmatchedPayment.objects.create(
        entry=entry,
        amount=raw.amount,
        received_on=_received_on(raw),
        reason=reason,
        suggestions=suggestions,
    )
    return entry


def _book(
    *,
    entry: BankEntry | None,
    case: Case,
    amount: Decimal,
    source: str,
    method: str,
    received_on: date | None = None,
    user: AbstractBaseUser | None = None,
    moved_from=None,
    payer_reference: str = "",
) -> ReceivedPayment:
    """Book money on a case through the payment service (allocation, receipt, closing and
    the limitation interruption follow from it) and record where it came from."""
    if entry is not None:
        received_on = _received_on(entry)
        payer_reference = payer_reference or " ".join(
            filter(None, [entry.payment_reference, entry.remittance, entry.reference])
        )
    with creditor_scope(case.creditor_id):
        payment = payment_register(
            case=case,
            amount=amount,
            received_on=received_on,
            method=method,
            payer_reference=payer_reference[:200],
            user=user,
        )
    return ReceivedPayment.objects.create(
        payment=payment,
        creditor_id=case.creditor_id,
        amount=payment.amount,
        source=source,
        entry=entry,
        moved_from=moved_from,
    )


# ----------------------------------------------------------------------------- returns


def _original_of(raw: parsers.RawEntry) -> BankEntry | None:
    candidates = BankEntry.objects.filter(
        account=raw.account,
        credit=True,
        is_return=False,
        status__in=[
            EntryStatus.BOOKED,
            EntryStatus.RESOLVED,
            EntryStatus.UNMATCHED,
            EntryStatus.REFUND,
        ],
    ).order_by("-booked_on", "-pk")
    if raw.return_of:
        return candidates.filter(reference=raw.return_of).first()
    if raw.end_to_end_id:
        found = candidates.filter(end_to_end_id=raw.end_to_end_id).first()
        if found is not None:
            return found
    reference = (raw.fik_reference or " ".join(raw.payment_references))[:140]
    if reference:
        return candidates.filter(payment_reference=reference, amount=raw.amount).first()
    if raw.remittance:
        return candidates.filter(remittance=raw.remittance, amount=raw.amount).first()
    return None


def _return(bank_file: BankFile, raw: parsers.RawEntry) -> BankEntry:
    """A payment the bank took back: reverse what it booked, or close its unmatched item."""
    original = _original_of(raw)
    if original is None:
        return _entry(
            bank_file,
            raw,
            EntryStatus.IGNORED,
            _("A return of a payment that is not found here (%(reason)s); check it by hand.")
            % {"reason": raw.return_reason or "-"},
        )
    original = BankEntry.objects.select_for_update().get(pk=original.pk)
    from .tools import credit_refunded

    bookings = list(original.bookings.select_related("payment", "payment__case"))
    if any(credit_refunded(b.payment) for b in bookings):
        return _entry(
            bank_file,
            raw,
            EntryStatus.IGNORED,
            _("A return of a payment whose overpayment was refunded already; check it by hand."),
            returns=original,
        )
    reason = _("Returned by the bank: %(reason)s") % {
        "reason": raw.return_reason or _("no reason given")
    }
    for booking in bookings:
        with creditor_scope(booking.creditor_id):
            payment_reverse(payment=booking.payment, reason=reason)
    item = getattr(original, "unmatched_item", None)
    if item is not None and item.status in (UnmatchedStatus.OPEN, UnmatchedStatus.REFUND):
        item.status = UnmatchedStatus.RETURNED
        item.resolved_at = timezone.now()
        item.note = reason
        item.save(update_fields=["status", "resolved_at", "note"])
        Refund.objects.filter(unmatched=item).delete()  # nothing left to refund
    original.status = EntryStatus.RETURNED
    original.save(update_fields=["status"])
    return _entry(
        bank_file,
        raw,
        EntryStatus.RETURN,
        reason,
        returns=original,
        creditor_id=original.creditor_id,
    )


# ------------------------------------------------------------------- unmatched payments


@dataclass(frozen=True)
class Share:
    case: Case
    amount: Decimal


def unmatched_book(
    *, item: UnmatchedPayment, shares: list[Share], user: AbstractBaseUser, note: str = ""
) -> list[ReceivedPayment]:
    """An agent books an unmatched payment on one case or splits it across cases; the shares
    must add up to the payment, to the øre."""
    with transaction.atomic():
        item = UnmatchedPayment.objects.select_for_update().select_related("entry").get(pk=item.pk)
        if item.status != UnmatchedStatus.OPEN:
            raise ValidationError(_("This payment has already been dealt with."))
        shares = [s for s in shares if s.amount]
        if not shares:
            raise ValidationError(_("Choose at least one case."))
        if any(s.amount <= 0 for s in shares):
            raise ValidationError(_("Each share must be more than zero."))
        total = sum((to_money(s.amount) for s in shares), Decimal("0.00"))
        if total != item.amount:
            raise ValidationError(
                _("The shares add up to %(total)s, the payment is %(amount)s.")
                % {"total": total, "amount": item.amount}
            )
        if len({s.case.pk for s in shares}) != len(shares):
            raise ValidationError(_("A case is named twice."))
        entry = item.entry
        for share in shares:
            if share.case.currency != entry.currency:
                raise ValidationError(
                    _("Case %(case)s is in %(ccy)s.")
                    % {"case": share.case.number, "ccy": share.case.currency}
                )
        bookings = [
            _book(
                entry=entry,
                case=share.case,
                amount=to_money(share.amount),
                source=PaymentSource.BANK_AGENT,
                method=PaymentMethod.BANK_TRANSFER,
                user=user,
            )
            for share in shares
        ]
        creditors = {s.case.creditor_id for s in shares}
        item.status = UnmatchedStatus.BOOKED
        item.resolved_by = user
        item.resolved_at = timezone.now()
        item.note = note
        item.save(update_fields=["status", "resolved_by", "resolved_at", "note"])
        # One creditor's money names it on the entry (a split across creditors names each
        # creditor on its booking instead).
        only = creditors.pop() if len(creditors) == 1 else None
        _handled(entry, EntryStatus.RESOLVED, user, creditor_id=only)
        return bookings


def unmatched_refund(*, item: UnmatchedPayment, reason: str, user: AbstractBaseUser) -> Refund:
    """An agent marks an unmatched payment to be paid back to the payer."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is refunded.")})
    with transaction.atomic():
        item = UnmatchedPayment.objects.select_for_update().select_related("entry").get(pk=item.pk)
        if item.status != UnmatchedStatus.OPEN:
            raise ValidationError(_("This payment has already been dealt with."))
        refund = Refund.objects.create(
            unmatched=item,
            amount=item.amount,
            payee_name=item.entry.debtor_name,
            payee_account=item.entry.debtor_account,
            reason=reason.strip()[:300],
            created_by=user,
        )
        item.status = UnmatchedStatus.REFUND
        item.resolved_by = user
        item.resolved_at = timezone.now()
        item.note = reason.strip()
        item.save(update_fields=["status", "resolved_by", "resolved_at", "note"])
        _handled(item.entry, EntryStatus.REFUND, user)
        return refund


def _handled(entry: BankEntry, status: str, user, creditor_id: int | None = None) -> None:
    entry.status = status
    entry.handled_by = user
    entry.handled_at = timezone.now()
    fields = ["status", "handled_by", "handled_at"]
    if creditor_id is not None and entry.creditor_id is None:
        entry.creditor_id = creditor_id
        fields.append("creditor")
    entry.save(update_fields=fields)


def open_unmatched():
    return UnmatchedPayment.objects.filter(status=UnmatchedStatus.OPEN).select_related(
        "entry", "entry__file"
    )


def case_by_number(number: int | str) -> Case | None:
    try:
        number = int(str(number).strip())
    except ValueError:
        return None
    with agency_scope(reason="an agent picks a case for a payment"):
        return Case.objects.select_related("creditor", "debtor").filter(number=number).first()
