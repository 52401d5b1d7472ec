"""Correct every case charged collection costs above the cap the law sets for its claim."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.services.repairs import collection_costs_repair_all
from collections_portal.tenancy import agency_scope


class Command(BaseCommand):
    help = (
        "Find every case charged collection costs above the BEK 601/2002 cap for its claim "
        "(sized, wrongly, from the balance with the fees on it), post the correcting ledger "
        "entries, write the timeline and report. Safe to run again: it changes nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be corrected, change nothing"
        )

    def handle(self, *args, dry_run: bool, **options):
        today = timezone.localdate()
        # A repair across the agency: the overcharged cases may belong to any creditor.
        with agency_scope(reason="repair_collection_costs corrects every creditor's cases"):
            repairs = collection_costs_repair_all(
                today=today, actor="repair_collection_costs", dry_run=dry_run
            )
        verb = "would correct" if dry_run else "corrected"
        for r in repairs:
            line = (
                f"Case {r.reference}: collection costs {r.charged} -> {r.cap} "
                f"({verb}, {r.excess} too much)"
            )
            if r.refunded_to_balance:
                line += f"; {r.refunded_to_balance} of payments allocated again"
            if r.credit_after:
                line += f"; the debtor now has a credit of {r.credit_after} to refund"
            self.stdout.write(line)
        total = sum((r.excess for r in repairs), start=0)
        self.stdout.write(f"{len(repairs)} case(s) {verb}; {total} in all.")
