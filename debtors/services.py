"""Changes to debtors: one debtor per CPR/CVR within a creditor, contact points, CPR reveals.

Every function acts inside the active tenant scope (see ``collections_portal.tenancy``) and
refuses a creditor the scope does not allow, so a wrong scope fails loudly instead of creating
a debtor that the scoped queries then cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr

from collections_portal.tenancy import ScopeError, current_creditor_ids
from creditors.models import ApiKey, Creditor, Language

from .models import (
    ContactKind,
    ContactPoint,
    ContactSource,
    Debtor,
    DebtorKind,
    NationalIdLookup,
    NationalIdReveal,
)
from .selectors import user_can_reveal_national_id

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

__all__ = [
    "DEBTOR_FIELDS",
    "DebtorConflict",
    "contact_point_add",
    "debtor_build",
    "debtor_bulk_get_or_create",
    "debtor_differences",
    "debtor_get_or_create",
    "debtor_reveal_national_id",
]

# The keys a row given to debtor_bulk_get_or_create may have: debtor_build's arguments.
DEBTOR_FIELDS = (
    "kind",
    "name",
    "national_id",
    "address_line",
    "postal_code",
    "city",
    "country",
    "language",
)
_UNIQUE_NATIONAL_ID = "debtor_unique_national_id_per_creditor"
# Rows per INSERT and numbers per look-up in a bulk import: bounded statements, however big
# the import; an import of up to this many rows costs one query per step.
BULK_BATCH_SIZE = 2000


def debtor_build(
    *,
    creditor: Creditor,
    kind: DebtorKind | str,
    name: str,
    national_id: str = "",
    address_line: str,
    postal_code: str,
    city: str,
    country: str = "DK",
    language: Language | str = Language.DA,
) -> Debtor:
    """An unsaved, validated debtor with its CPR/CVR compact; no query, nothing saved.

    Raises ``ValidationError`` whose dict names the field (``national_id``, ``name``, ...).
    Importers may call it per row to reject bad rows with their line numbers first.
    """
    debtor = Debtor(
        creditor=creditor,
        kind=kind,
        name=name,
        national_id=national_id or "",
        address_line=address_line,
        postal_code=postal_code,
        city=city,
        country=country,
        language=language,
    )
    # Uniqueness is the database's job (see debtor_get_or_create); checking the creditor key
    # would cost a query per debtor.
    debtor.full_clean(exclude=["creditor"], validate_unique=False, validate_constraints=False)
    return debtor


# The details that say who and where a debtor is: a CPR/CVR already on file with other values
# here is a conflict a person must resolve, never a silent merge (see DebtorConflict).
IDENTITY_FIELDS = ("name", "address_line", "postal_code", "city", "country")


class DebtorConflict(Exception):
    """The creditor has a debtor with this CPR/CVR, on file with another name or address.

    ``existing`` is that debtor, ``differences`` {field: (on file, given)} for each differing
    field. Raised by :func:`debtor_get_or_create` with ``refuse_different=True``; the caller
    answers by naming the existing debtor (the API's ``debtor_id``, the wizard's choice)."""

    def __init__(self, existing: Debtor, differences: dict[str, tuple[str, str]]):
        self.existing = existing
        self.differences = differences
        super().__init__(
            _(
                "The creditor already has debtor %(id)s with this CPR/CVR number, on file with "
                "another %(fields)s. Name the existing debtor (debtor_id) to file for it."
            )
            % {"id": existing.pk, "fields": ", ".join(differences)}
        )


def _same(a: str, b: str) -> bool:
    """Equal up to case and runs of spaces: "Jens  Hansen" is "jens hansen"."""
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def debtor_differences(existing: Debtor, given: Debtor) -> dict[str, tuple[str, str]]:
    """{field: (on file, given)} for the identity fields where ``given`` differs."""
    return {
        field: (getattr(existing, field), getattr(given, field))
        for field in IDENTITY_FIELDS
        if not _same(getattr(existing, field), getattr(given, field))
    }


def debtor_get_or_create(
    *,
    creditor: Creditor,
    kind: DebtorKind | str,
    name: str,
    national_id: str = "",
    address_line: str,
    postal_code: str,
    city: str,
    country: str = "DK",
    language: Language | str = Language.DA,
    refuse_different: bool = False,
) -> tuple[Debtor, bool]:
    """The creditor's debtor with this CPR/CVR, created from the details given if it is new.

    The number is compared compact ("010190-1234" finds "0101901234"), within the creditor
    only: another creditor's debtor with the same number is never returned or merged. An
    existing debtor is returned as it is; the details given are used only to create one. A
    debtor without a number is always created: nothing says two such debtors are one person.

    With ``refuse_different`` (the API and the portal's wizard), an existing debtor on file
    with another name or address raises :class:`DebtorConflict` instead of being returned:
    which of the two is right is a person's decision. (Bulk imports keep the plain find.)

    Safe against a concurrent call with the same number: the loser of the race gets the
    winner's debtor. Returns ``(debtor, created)``.
    """
    _require_scope_for(creditor)
    debtor = debtor_build(
        creditor=creditor,
        kind=kind,
        name=name,
        national_id=national_id,
        address_line=address_line,
        postal_code=postal_code,
        city=city,
        country=country,
        language=language,
    )
    if not debtor.national_id:
        debtor.save()
        return debtor, True
    existing = _debtors_by_national_id(creditor, [debtor.national_id]).get(debtor.national_id)
    if existing is not None:
        return _found(existing, debtor, refuse_different), False
    try:
        # A savepoint, so the caller's transaction survives losing the race below.
        with transaction.atomic():
            debtor.save()
    except IntegrityError as exc:
        if not _violates(exc, _UNIQUE_NATIONAL_ID):
            raise
        # Another request created the same debtor between our look-up and our insert.
        existing = _debtors_by_national_id(creditor, [debtor.national_id]).get(debtor.national_id)
        if existing is None:  # pragma: no cover - the row that blocked us must be visible
            raise
        return _found(existing, debtor, refuse_different), False
    return debtor, True


def _found(existing: Debtor, given: Debtor, refuse_different: bool) -> Debtor:
    if refuse_different:
        differences = debtor_differences(existing, given)
        if differences:
            raise DebtorConflict(existing, differences)
    return existing


def debtor_bulk_get_or_create(*, creditor: Creditor, rows: list[dict[str, Any]]) -> list[Debtor]:
    """:func:`debtor_get_or_create` for an import: a fixed number of queries for the batch.

    ``rows`` hold :func:`debtor_build`'s arguments (see ``DEBTOR_FIELDS``; a missing one counts
    as blank). Returns one debtor per row, in row order: rows with the same CPR/CVR get the same
    debtor (created from the first such row), an existing debtor is found, and a row without a
    number gets a debtor of its own. Every row is validated before anything is written; invalid
    rows raise one ``ValidationError`` keyed ``rows[<index>].<field>``, and nothing is saved.

    Queries: one look-up of the numbers, one ``INSERT ... ON CONFLICT DO NOTHING`` for the new
    ones, one read back of those, one ``INSERT`` for debtors without a number (each step once per
    ``BULK_BATCH_SIZE`` rows). A concurrent import of the same numbers is absorbed by the
    ``ON CONFLICT`` and the read back.
    """
    _require_scope_for(creditor)
    debtors: list[Debtor] = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        unknown = set(row) - set(DEBTOR_FIELDS)
        if unknown:
            raise TypeError(f"Row {index} has unknown debtor fields: {sorted(unknown)}")
        fields = {"kind": "", "name": "", "address_line": "", "postal_code": "", "city": ""}
        fields.update(row)
        try:
            debtors.append(debtor_build(creditor=creditor, **fields))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"rows[{index}].{field}"] = messages
    if errors:
        raise ValidationError(errors)

    first_with_number: dict[str, Debtor] = {}
    for debtor in debtors:
        if debtor.national_id:
            first_with_number.setdefault(debtor.national_id, debtor)
    by_number = _debtors_by_national_id(creditor, first_with_number)
    new_with_number = [d for n, d in first_with_number.items() if n not in by_number]
    without_number = [d for d in debtors if not d.national_id]
    with transaction.atomic():
        if new_with_number:
            # PostgreSQL returns no ids for rows ON CONFLICT skips, so read them all back.
            Debtor.objects.bulk_create(
                new_with_number, batch_size=BULK_BATCH_SIZE, ignore_conflicts=True
            )
            by_number.update(
                _debtors_by_national_id(creditor, [d.national_id for d in new_with_number])
            )
        if without_number:
            Debtor.objects.bulk_create(without_number, batch_size=BULK_BATCH_SIZE)
    return [by_number[d.national_id] if d.national_id else d for d in debtors]


def debtor_reveal_national_id(*, debtor: Debtor, user: AbstractBaseUser, reason: str = "") -> str:
    """Record that ``user`` sees the debtor's full CPR/CVR number now, and return it.

    The number is returned as shown to a person: a CPR number as ``DDMMYY-XXXX``. Raises
    ``PermissionDenied`` for a user who may not see it (a creditor's viewer, anyone outside the
    creditor and the agency) and ``ValidationError`` when the debtor has no number.
    """
    if not user_can_reveal_national_id(user=user, creditor=debtor.creditor):
        raise PermissionDenied(_("You may not see this debtor's CPR number."))
    if not debtor.national_id:
        raise ValidationError({"national_id": _("This debtor has no CPR/CVR number.")})
    reveal = NationalIdReveal(
        creditor_id=debtor.creditor_id, debtor=debtor, user=user, reason=reason.strip()
    )
    reveal.full_clean(exclude=["creditor", "debtor", "user"], validate_constraints=False)
    reveal.save()
    if debtor.kind == DebtorKind.PERSON:
        return stdnum_cpr.format(debtor.national_id)
    return debtor.national_id


class LookupLimitReached(Exception):
    """The user (or API key) has made as many CPR look-ups as the period allows."""

    def __init__(self, *, limit: int, retry_after_seconds: int):
        self.limit = limit
        self.retry_after_seconds = retry_after_seconds
        super().__init__(
            _("You have made %(limit)s CPR look-ups in the last hour, the most allowed.")
            % {"limit": limit}
        )


LOOKUP_PERIOD = timedelta(hours=1)


@transaction.atomic
def debtor_lookup_by_national_id(
    *,
    creditor: Creditor,
    national_id: str,
    reason: str,
    user: AbstractBaseUser | None = None,
    api_key: ApiKey | None = None,
) -> Debtor | None:
    """Find the creditor's debtor with exactly this CPR/CVR number, for a person or API key.

    Knowing a full number is the point of a look-up, so it is treated as a reveal: refused
    to whoever may not see CPR numbers (a creditor's viewers), requires a reason, is recorded
    whether or not it finds a debtor (a ``NationalIdLookup``, which never stores the number;
    plus a ``NationalIdReveal`` of the debtor it found) and is limited to
    ``NATIONAL_ID_LOOKUPS_PER_HOUR`` per user or API key (``LookupLimitReached``). Errors
    never repeat the number.
    """
    if (user is None) == (api_key is None):
        raise ValueError("A look-up is made by a user or by an API key.")
    if api_key is not None and api_key.creditor_id != creditor.pk:
        raise PermissionDenied(_("An API key acts for its own creditor only."))
    if user is not None and not user_can_reveal_national_id(user=user, creditor=creditor):
        raise PermissionDenied(_("You may not look debtors up by CPR number."))
    _require_scope_for(creditor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you look this CPR number up.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most 200 characters.")})
    digits = "".join(ch for ch in national_id or "" if not ch.isspace() and ch != "-")
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 10):
        raise ValidationError(
            {"national_id": _("Give a CPR number (10 digits) or a CVR number (8 digits).")}
        )

    actor = {"user": user} if user is not None else {"api_key": api_key}
    # One look-up at a time per actor, so two parallel requests cannot both pass the limit.
    lock_key = f"national-id-lookup:{'user' if user is not None else 'key'}:{(user or api_key).pk}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock_key])
    now = timezone.now()
    limit = settings.NATIONAL_ID_LOOKUPS_PER_HOUR
    # A person's look-ups count across all their creditors.
    recent = (
        NationalIdLookup.objects.filter(looked_up_at__gt=now - LOOKUP_PERIOD, **actor)
        .order_by("looked_up_at")
        .values_list("looked_up_at", flat=True)
    )
    with _all_creditors_for_the_limit():
        recent = list(recent)
    if len(recent) >= limit:
        oldest = recent[-limit]
        wait = int((oldest + LOOKUP_PERIOD - now).total_seconds()) + 1
        raise LookupLimitReached(limit=limit, retry_after_seconds=max(wait, 1))

    found = Debtor.objects.filter(creditor=creditor, national_id=digits).first()
    NationalIdLookup.objects.create(creditor=creditor, reason=reason, found=found, **actor)
    if found is not None:
        NationalIdReveal.objects.create(
            creditor=creditor,
            debtor=found,
            reason=reason,
            **actor,
        )
    return found


def _all_creditors_for_the_limit():
    from collections_portal.tenancy import agency_scope

    # The limit is per person, whichever creditor they act for: count their look-ups at all.
    return agency_scope(reason="a person's CPR look-ups are limited across their creditors")


@transaction.atomic
def contact_point_add(
    *,
    debtor: Debtor,
    kind: ContactKind | str,
    value: str,
    source: ContactSource | str = ContactSource.CREDITOR_IMPORT,
    consent: bool = False,
    consent_source: ContactSource | str = "",
    is_primary: bool = False,
) -> ContactPoint:
    """Give a debtor an e-mail address or phone number, or return the one it already has.

    The value is normalised first (phone numbers to E.164, a number without a country code is
    Danish), so "20 12 34 56" and "+45 20123456" are one contact point. Adding a known value
    again records a consent given now and makes it primary if asked; it never withdraws a
    consent. Making a point primary demotes the debtor's other primary point of that kind.
    Raises ``ValidationError`` naming the field (``value``, ``consent_source``, ...).
    """
    _require_scope_for(debtor.creditor_id)
    contact = ContactPoint(
        creditor_id=debtor.creditor_id,
        debtor=debtor,
        kind=kind,
        value=value,
        source=source,
        consent=consent,
        consent_source=consent_source,
        is_primary=is_primary,
    )
    contact.full_clean(
        exclude=["creditor", "debtor"], validate_unique=False, validate_constraints=False
    )
    # Changes to one debtor's contact points run one at a time: no race on "primary".
    Debtor.objects.select_for_update().filter(pk=debtor.pk).values_list("pk").first()
    existing = ContactPoint.objects.filter(
        debtor=debtor, kind=contact.kind, value=contact.value
    ).first()
    if is_primary:
        others = ContactPoint.objects.filter(debtor=debtor, kind=contact.kind, is_primary=True)
        if existing is not None:
            others = others.exclude(pk=existing.pk)
        others.update(is_primary=False)
    if existing is None:
        contact.save()
        return contact
    changed = []
    if consent and not existing.consent:
        existing.consent, existing.consent_source = True, contact.consent_source
        changed += ["consent", "consent_source"]
    if is_primary and not existing.is_primary:
        existing.is_primary = True
        changed.append("is_primary")
    if changed:
        existing.save(update_fields=changed)
    return existing


def _debtors_by_national_id(creditor: Creditor, numbers: Iterable[str]) -> dict[str, Debtor]:
    """The creditor's debtors with these numbers, by number; one query per batch of numbers."""
    numbers = list(numbers)
    found: dict[str, Debtor] = {}
    for start in range(0, len(numbers), BULK_BATCH_SIZE):
        batch = numbers[start : start + BULK_BATCH_SIZE]
        for debtor in Debtor.objects.filter(creditor=creditor, national_id__in=batch):
            found[debtor.national_id] = debtor
    return found


def _require_scope_for(creditor: Creditor | int) -> None:
    """Refuse to act for a creditor outside the active scope (and raise without a scope)."""
    creditor_id = creditor if isinstance(creditor, int) else creditor.pk
    allowed = current_creditor_ids()
    if allowed is not None and creditor_id not in allowed:
        raise ScopeError(f"Creditor {creditor_id} is outside the active tenant scope.")


def _violates(exc: IntegrityError, constraint: str) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name == constraint if name else constraint in str(exc)


# --- Bulk import at volume --------------------------------------------------------------------


class BulkDebtors(NamedTuple):
    """:func:`debtor_bulk_ids`' answer: one id per row, and which of them are new."""

    ids: list[int]
    created: set[int]


_DEBTOR_COLUMNS = (
    "id, creditor_id, created_at, kind, name, national_id, address_line, postal_code, city,"
    " country, language"
)


def debtor_bulk_ids(*, creditor_id: int, debtors: list[dict[str, str]]) -> BulkDebtors:
    """The ids of debtors for an import, given as already validated ``debtor_build`` fields
    (the bulk importer validates every row first; see ``integrations.imports.validation``).

    The de-duplication of :func:`debtor_bulk_get_or_create` at a fixed, small number of
    statements and no model per row: one look-up of the numbers, one ``nextval`` call for the
    new debtors' ids and one ``COPY`` of them. Should a concurrent writer create one of the
    numbers in between, the ``COPY`` fails on the unique constraint and the new debtors are
    written again with ``INSERT ... ON CONFLICT DO NOTHING`` and the others read back. Rows with
    the same number get one debtor (made from the first such row), a row without a number its
    own. Returns one id per row, in row order, and the set of ids created.
    """
    from django.db import IntegrityError as DjangoIntegrityError
    from django.db import connection
    from django.utils import timezone
    from psycopg import errors as pg_errors

    _require_scope_for(creditor_id)
    if not debtors:
        return BulkDebtors([], set())
    numbers = list(dict.fromkeys(d["national_id"] for d in debtors if d["national_id"]))
    found = _debtor_ids_by_number(creditor_id, numbers)
    new_rows: list[dict[str, str]] = []
    new_position: dict[int, int] = {}  # row index (rows without a number) -> place in new_rows
    pending: set[str] = set()
    for index, d in enumerate(debtors):
        number = d["national_id"]
        if not number:
            new_position[index] = len(new_rows)
            new_rows.append(d)
        elif number not in found and number not in pending:
            pending.add(number)
            new_rows.append(d)
    created: dict[int, int] = {}  # place in new_rows -> id
    if new_rows:
        now = timezone.now()
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # psycopg's, for COPY
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('debtors_debtor', 'id'))"
                " FROM generate_series(1, %s)",
                [len(new_rows)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
            records = [
                (i, creditor_id, now, d["kind"], d["name"], d["national_id"], d["address_line"],
                 d["postal_code"], d["city"], d["country"], d["language"])
                for i, d in zip(new_ids, new_rows, strict=True)
            ]  # fmt: skip
            try:
                with (
                    transaction.atomic(),
                    cursor.copy(f"COPY debtors_debtor ({_DEBTOR_COLUMNS}) FROM STDIN") as copy,
                ):
                    for record in records:
                        copy.write_row(record)
                inserted = set(new_ids)
            except (pg_errors.UniqueViolation, DjangoIntegrityError):
                # Another writer made some of these numbers since the look-up: skip those.
                cursor.execute("CREATE TEMP TABLE import_debtor (LIKE debtors_debtor)")
                try:
                    with cursor.copy(f"COPY import_debtor ({_DEBTOR_COLUMNS}) FROM STDIN") as copy:
                        for record in records:
                            copy.write_row(record)
                    cursor.execute(
                        f"INSERT INTO debtors_debtor ({_DEBTOR_COLUMNS})"  # noqa: S608
                        f" SELECT {_DEBTOR_COLUMNS} FROM import_debtor"
                        " ON CONFLICT (creditor_id, national_id) WHERE NOT (national_id = '')"
                        " DO NOTHING RETURNING id"
                    )
                    inserted = {row[0] for row in cursor.fetchall()}
                finally:
                    cursor.execute("DROP TABLE import_debtor")
        lost = []
        for position, (d, debtor_id) in enumerate(zip(new_rows, new_ids, strict=True)):
            if debtor_id in inserted:
                created[position] = debtor_id
                if d["national_id"]:
                    found[d["national_id"]] = debtor_id
            else:
                lost.append(d["national_id"])
        if lost:
            found.update(_debtor_ids_by_number(creditor_id, lost))
    ids = [
        found[d["national_id"]] if d["national_id"] else created[new_position[index]]
        for index, d in enumerate(debtors)
    ]
    return BulkDebtors(ids, set(created.values()))


def contact_points_bulk_add(
    *, creditor_id: int, points: list[tuple[int, str, str]], new_debtors: set[int] = frozenset()
) -> None:
    """:func:`contact_point_add` with its defaults (not primary, no consent, from the
    creditor's import) for many ``(debtor_id, kind, normalised value)`` at once; a value the
    debtor already has is left as it is. Debtors in ``new_debtors`` were created in this
    transaction and have no contact points yet: theirs are written with ``COPY``; the others'
    with ``INSERT ... ON CONFLICT DO NOTHING``."""
    from django.db import connection
    from django.utils import timezone

    _require_scope_for(creditor_id)
    points = list(dict.fromkeys(points))
    fresh = [p for p in points if p[0] in new_debtors]
    known = [p for p in points if p[0] not in new_debtors]
    source = ContactSource.CREDITOR_IMPORT.value
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        if fresh:
            now = timezone.now()
            with cursor.copy(
                "COPY debtors_contactpoint (creditor_id, debtor_id, kind, value, consent,"
                " consent_source, source, is_primary, created_at) FROM STDIN"
            ) as copy:
                for debtor_id, kind, value in fresh:
                    copy.write_row(
                        (creditor_id, debtor_id, kind, value, False, "", source, False, now)
                    )
        if known:
            cursor.execute(
                "INSERT INTO debtors_contactpoint (creditor_id, debtor_id, kind, value, consent,"
                " consent_source, source, is_primary, created_at)"
                " SELECT %s, d, k, v, false, '', %s, false, now()"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(d, k, v)"
                " ON CONFLICT (debtor_id, kind, value) DO NOTHING",
                [
                    creditor_id,
                    source,
                    [p[0] for p in known],
                    [p[1] for p in known],
                    [p[2] for p in known],
                ],
            )


def _debtor_ids_by_number(creditor_id: int, numbers: list[str]) -> dict[str, int]:
    from django.db import connection

    if not numbers:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id, id FROM debtors_debtor"
            " WHERE creditor_id = %s AND national_id = ANY(%s)",
            [creditor_id, numbers],
        )
        return dict(cursor.fetchall())


def _primary(debtor: Debtor, kind: str) -> ContactPoint | None:
    return (
        ContactPoint.objects.filter(debtor=debtor, kind=kind)
        .order_by("-is_primary", "-consent", "pk")
        .first()
    )


@transaction.atomic
def debtor_contact_details_update(
    *,
    debtor: Debtor,
    address_line: str,
    postal_code: str,
    city: str,
    email: str = "",
    mobile: str = "",
    sms_consent: bool = False,
) -> list[tuple[str, str, str]]:
    """An agent's update of a debtor's address, primary e-mail and mobile, and the consent to
    be texted on that mobile. Returns every change as ``(what, old, new)`` for the caller's
    audit row (the case's timeline); nothing changed, nothing returned.

    A new e-mail or mobile becomes the primary one (the old stays on file, as a contact point
    is never deleted here); an empty one leaves the current one as it is. SMS consent given
    here is recorded as given to the agent; taking it away withdraws it on the primary mobile.
    Raises ``ValidationError`` naming the field.
    """
    _require_scope_for(debtor.creditor_id)
    debtor = Debtor.objects.select_for_update().get(pk=debtor.pk)
    changes: list[tuple[str, str, str]] = []
    errors: dict[str, str] = {}
    given = {
        "address_line": (address_line or "").strip(),
        "postal_code": (postal_code or "").strip(),
        "city": (city or "").strip(),
    }
    for name, value in given.items():
        if not value:
            errors[name] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    for name, value in given.items():
        old = getattr(debtor, name)
        if old != value:
            changes.append((str(Debtor._meta.get_field(name).verbose_name), old, value))
            setattr(debtor, name, value)
    if changes:
        debtor.full_clean(exclude=["creditor", "national_id"], validate_unique=False)
        debtor.save(update_fields=list(given))
    for kind, value, field in (
        (ContactKind.EMAIL, email, "email"),
        (ContactKind.MOBILE, mobile, "mobile"),
    ):
        value = (value or "").strip()
        if not value:
            continue
        current = _primary(debtor, kind)
        try:
            point = contact_point_add(
                debtor=debtor,
                kind=kind,
                value=value,
                source=ContactSource.AGENT,
                is_primary=True,
                consent=bool(sms_consent) and kind == ContactKind.MOBILE,
                consent_source=ContactSource.AGENT
                if sms_consent and kind == ContactKind.MOBILE
                else "",
            )
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
        if current is None or current.pk != point.pk:
            changes.append(
                (str(ContactKind(kind).label), current.value if current else "", point.value)
            )
    mobile_point = _primary(debtor, ContactKind.MOBILE)
    if mobile_point is not None and mobile_point.consent != bool(sms_consent):
        if sms_consent:
            mobile_point.consent, mobile_point.consent_source = True, ContactSource.AGENT
        else:
            mobile_point.consent, mobile_point.consent_source = False, ""
        mobile_point.save(update_fields=["consent", "consent_source"])
        changes.append(
            (
                _("SMS consent"),
                _("no") if sms_consent else _("yes"),
                _("yes") if sms_consent else _("no"),
            )
        )
    elif mobile_point is None and sms_consent:
        raise ValidationError({"mobile": _("Give a mobile number to record an SMS consent.")})
    return changes
