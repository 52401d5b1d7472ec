"""Print a case's balance as of a date, with the explanation of every figure."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import Case
from cases.selectors import case_by_reference, case_statement
from collections_portal.tenancy import agency_scope


class Command(BaseCommand):
    help = "Explain a case's balance: each ledger line, accrued interest, limitation dates."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the case number the debtor sees")
        parser.add_argument(
            "--on", type=date.fromisoformat, default=None, help="as of this date (YYYY-MM-DD)"
        )

    def handle(self, *args, reference: str, on: date | None, **options):
        on = on or timezone.localdate()
        # A support tool for agency staff: the case may belong to any creditor.
        with agency_scope(reason="explain_case command run by agency staff"):
            try:
                case = case_by_reference(reference)
            except (Case.DoesNotExist, ValueError) as exc:
                raise CommandError(f"No case with reference {reference!r}.") from exc
            statement = case_statement(case, on=on)
            self._print(statement)

    def _print(self, st) -> None:
        case, out = st.case, self.stdout.write
        out(f"Case {case.reference} ({case.get_state_display()}), {case.creditor.name} "
            f"-> {case.debtor.name}")  # fmt: skip
        out(f"Profile {st.profile.label}; as of {st.on.isoformat()}; currency {case.currency}")
        out(f"FIK payment ID {case.payment_id}")
        out("")
        out("Ledger:")
        for e in st.entries:
            claim = f" [{e.claim.invoice_number}]" if e.claim else ""
            out(f"  {e.posted_on.isoformat()}  {e.get_kind_display():<22}{claim}  "
                f"{e.component:<9} {e.amount:>12}")  # fmt: skip
            if e.explanation:
                out(f"      {e.explanation}")
            if e.rule or e.profile:
                out(f"      rule: {e.rule or '-'}; profile: {e.profile or '-'}")
        out("")
        out("Interest accrued, not yet posted:")
        if not any(a.figure.amount for a in st.accruals):
            out("  none")
        for a in st.accruals:
            out(f"  [{a.claim.invoice_number}] {a.start.isoformat()}..{a.end.isoformat()}: "
                f"{a.figure.amount}")  # fmt: skip
            out(f"      {a.figure.explanation}")
            for part in a.figure.parts:
                out(f"      - {part.explanation}")
        for note in st.notes:
            out(f"  NOTE: {note.render('en') if hasattr(note, 'render') else note}")
        if st.missing_rates_from:
            out("  Add the rate in the admin (Reference rates).")
        out("")
        out("Balance:")
        out(f"  principal          {st.posted.principal:>12}")
        out(f"  interest posted    {st.posted.interest:>12}")
        out(f"  interest accrued   {st.accrued_interest:>12}")
        out(f"  fees and costs     {st.posted.costs:>12}")
        if st.posted.credit:
            out(f"  credit to debtor   {-st.posted.credit:>12}")
        out(f"  total              {st.total:>12}")
        out("")
        out("Limitation:")
        for lim in st.limitations:
            for part in lim.components:
                what = (
                    "the claim"
                    if part.component == "claim"
                    else f"interest and fees falling due from {part.since.isoformat()}"
                )
                out(f"  [{lim.claim.invoice_number}] {what}: the limitation period ends on "
                    f"{part.last_day.isoformat()} (time-barred from "
                    f"{part.time_barred_from.isoformat()})")  # fmt: skip
                out(f"      {part.figure.explanation}")
            out(f"      Warn from {lim.warn_on.isoformat()}.")
