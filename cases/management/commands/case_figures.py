"""Compare every case's stored figures with its claims, ledger and timeline, or rebuild them."""

from django.core.management.base import BaseCommand, CommandError

from cases.figures import figures_differing, figures_rebuild


class Command(BaseCommand):
    help = (
        "Check the stored case figures (balance, original principal, oldest due date, last "
        "activity) against the rows they sum, or rebuild them."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="exit 1 if any case differs")
        action.add_argument("--rebuild", action="store_true", help="recompute the figures")

    def handle(self, *args, check: bool, rebuild: bool, **options):
        if rebuild:
            fixed = figures_rebuild()
            self.stdout.write(f"{fixed} case(s) set right.")
            return
        count, ids = figures_differing()
        if count:
            shown = ", ".join(str(i) for i in ids)
            raise CommandError(f"{count} case(s) differ from their rows (case ids {shown}).")
        self.stdout.write("Every case's figures agree with its rows.")
