"""The limitation watch: warn on the timeline well before a claim becomes time-barred, and
say so when it has (forældelsesloven: warned well before the claim is time-barred).

Cost: a claim's warning day is never earlier than its due date plus the profile's
``limitation_warning_months`` (a limitation period only ever gets longer), so only active cases
with a claim due at least that long ago (the smallest such lead of any profile) are looked at,
in batches by primary key. Each candidate case costs a few queries (``claim_limitations``); one
query per batch finds the events already recorded, which makes a second run record nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef

from collections_portal.tenancy import agency_scope

from . import selectors
from .models import Case, CaseEvent, CaseState, Claim, WorkItemReason
from .rules import PROFILES, is_time_barred
from .services import lifecycle
from .services.workspace import work_item_raise

APPROACHING = "claim.limitation_approaching"
TIME_BARRED = "claim.time_barred"


def _shortest_lead_months() -> int:
    leads = [
        profile.limitation_warning_months
        for versions in PROFILES.values()
        for profile in versions
        if profile.limitation_warning_months
    ]
    return min(leads) if leads else 0


def _candidate_batches(*, today: date, batch_size: int) -> Iterator[list[Case]]:
    cutoff = today - relativedelta(months=_shortest_lead_months())
    old_claim = Claim.objects.filter(case=OuterRef("pk"), due_date__lte=cutoff)
    candidates = (
        Case.objects.exclude(state=CaseState.CLOSED)
        .filter(Exists(old_claim))
        .select_related("creditor")
        .order_by("pk")
    )
    last_pk = 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def flag_approaching_limitation(*, today: date, batch_size: int = 1000) -> int:
    """Record ``claim.limitation_approaching`` (from the claim's warning day) and
    ``claim.time_barred`` (after its last day) once per claim and limitation date; returns how
    many events were recorded."""
    recorded = 0
    with agency_scope(reason="the limitation watch looks at every creditor's active cases"):
        for batch in _candidate_batches(today=today, batch_size=batch_size):
            seen = {
                (code, data.get("claim"), data.get("limitation_date"))
                for code, data in CaseEvent.objects.filter(
                    case__in=batch, code__in=[APPROACHING, TIME_BARRED]
                ).values_list("code", "data")
            }
            for case in batch:
                recorded += _flag_case(case=case, today=today, seen=seen)
    return recorded


def _flag_case(*, case: Case, today: date, seen: set) -> int:
    profile = selectors.profile_for(case, today)
    recorded = 0
    with transaction.atomic():
        for limitation in selectors.claim_limitations(case, on=today):
            last_day = limitation.figure.dates[0]
            if limitation.warn_on > today:
                continue
            barred = is_time_barred(profile, last_day, today)
            code = TIME_BARRED if barred else APPROACHING
            key = (code, limitation.claim.pk, last_day.isoformat())
            if key in seen:
                continue
            invoice = limitation.claim.invoice_number
            barred_from = last_day + relativedelta(days=1)
            message = (
                f"Invoice {invoice} is time-barred since {barred_from.isoformat()}: "
                "no collection of it. "
                if barred
                else f"Invoice {invoice} becomes time-barred after {last_day.isoformat()}: "
                "interrupt limitation (an acknowledgement, a settlement or a legal step) "
                "before then. "
            ) + limitation.figure.explanation
            lifecycle.event_record(
                case=case,
                code=code,
                actor="limitation watch",
                from_state=case.state,
                message=message,
                data={"claim": limitation.claim.pk, "limitation_date": last_day.isoformat()},
            )
            if not barred:
                # A person interrupts limitation (acknowledgement, settlement, legal step).
                work_item_raise(
                    case=case, reason=WorkItemReason.LIMITATION, limitation_date=last_day
                )
            seen.add(key)
            recorded += 1
    return recorded
