"""Create demo data to sign in with: agency staff, creditors with a user of each role, debtors.

Idempotent: running it again finds what it made before and changes nothing (passwords are
reset to the demo password so the printed sign-in always works).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases.models import Case, PaymentMethod
from cases.services import ClaimInput, case_create, payment_register
from cases.services.lifecycle import case_send_reminder
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole, sync_agency_groups
from creditors.models import Creditor, Role
from creditors.services import membership_grant
from debtors.models import DebtorKind
from debtors.services import debtor_get_or_create

DEMO_PASSWORD = "inkasso-demo"  # noqa: S105 - printed for people to sign in to the demo

AGENCY_STAFF = [
    # username, name, group, staff (may use the Django admin)
    ("admin", "Agnete Admin", AgencyRole.ADMIN, True),
    ("supervisor", "Søren Supervisor", AgencyRole.SUPERVISOR, True),
    ("agent", "Anders Agent", AgencyRole.AGENT, False),
]

CREDITORS = [
    {
        "slug": "nordlys",
        "name": "Nordlys El A/S",
        "cvr": "29480001",
        "address_line": "Strandvejen 12",
        "postal_code": "2100",
        "city": "København Ø",
        "email": "regnskab@nordlys-el.example",
        "bank_reg_number": "1234",
        "bank_account_number": "0012345678",
        "iban": "DK5000400440116243",
        "fik_creditor_number": "85123456",
    },
    {
        "slug": "fjord",
        "name": "Fjord Fitness ApS",
        "cvr": "35610006",
        "address_line": "Havnegade 3",
        "postal_code": "8000",
        "city": "Aarhus C",
        "email": "bogholderi@fjordfitness.example",
        "bank_reg_number": "9570",
        "bank_account_number": "0006543210",
        "iban": "DK9520000123456789",
        "fik_creditor_number": "87654321",
    },
    {
        "slug": "bager",
        "name": "Bager Hansen I/S",
        "cvr": "41720018",
        "address_line": "Torvet 1",
        "postal_code": "5000",
        "city": "Odense C",
        "language": "en",
    },
]

DEBTORS = [
    # kind, name, national id, address, postal code, city
    (DebtorKind.PERSON, "Mette Jensen", "0101901234", "Elmevej 4", "2500", "Valby"),
    (DebtorKind.PERSON, "Lars Nielsen", "1505851237", "Bøgeallé 17, 2. tv.", "8200", "Aarhus N"),
    (DebtorKind.COMPANY, "Kaffebar Kronen ApS", "18340003", "Kongensgade 9", "5000", "Odense C"),
    (DebtorKind.PERSON, "Sofie Pedersen", "2808921238", "Rosenvænget 2", "9000", "Aalborg"),
]


def demo_claims(reference: str, kind: str, *, today: date) -> list[ClaimInput]:
    """One or two overdue invoices, dated relative to today so the demo never goes stale."""
    claims = [
        ClaimInput(
            invoice_number=f"{reference}-1",
            description="Elektricitet, 3. kvartal",
            invoice_date=today - timedelta(days=75),
            due_date=today - timedelta(days=45),
            principal=Decimal("1875.00"),
            debtor_is_consumer=kind == DebtorKind.PERSON,
        )
    ]
    if reference.endswith("1"):
        claims.append(
            ClaimInput(
                invoice_number=f"{reference}-2",
                description="Abonnement",
                invoice_date=today - timedelta(days=40),
                due_date=today - timedelta(days=26),
                principal=Decimal("449.50"),
                debtor_is_consumer=kind == DebtorKind.PERSON,
            )
        )
    return claims


def demo_history(case: Case, *, today: date) -> None:
    """A reminder with its fee and a part payment, so the demo's ledger has something to
    explain. The reminder goes through the lifecycle service, as the scheduler sends one: a fee
    is never posted without the letter that carries it."""
    claim = case.claims.order_by("due_date").first()
    reminded_on = claim.due_date + timedelta(days=5)
    case_send_reminder(case=case, on=reminded_on, actor="seed_demo")
    payment_register(
        case=case,
        amount=Decimal("500.00"),
        received_on=today - timedelta(days=7),
        method=PaymentMethod.FIK,
        payer_reference=f"+71 {case.payment_id}",
    )


class Command(BaseCommand):
    help = "Create demo users, creditors and debtors (idempotent) and print how to sign in."

    def handle(self, *args, **options):
        # The data is made in one transaction; the sign-in help is printed after it commits,
        # so a closed output pipe can never undo the seeding.
        with transaction.atomic():
            logins = self._seed()
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Sign in at http://localhost:8000/")
        )
        self.stdout.write(f"Every demo user's password is: {DEMO_PASSWORD}")
        width = max(len(name) for name, _ in logins)
        for username, description in logins:
            self.stdout.write(f"  {username.ljust(width)}  {description}")

    def _seed(self) -> list[tuple[str, str]]:
        sync_agency_groups()
        User = get_user_model()
        logins: list[tuple[str, str]] = []

        def user(username: str, full_name: str, *, staff: bool = False):
            first, _, last = full_name.partition(" ")
            obj, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.example",
                },
            )
            obj.is_staff = staff
            obj.set_password(DEMO_PASSWORD)
            obj.save()
            return obj

        for username, full_name, role, staff in AGENCY_STAFF:
            staff_user = user(username, full_name, staff=staff)
            staff_user.groups.add(Group.objects.get(name=role.value))
            logins.append((username, str(role.label)))

        creditors = []
        for spec in CREDITORS:
            fields = {k: v for k, v in spec.items() if k not in ("slug", "cvr")}
            creditor, _created = Creditor.objects.get_or_create(cvr=spec["cvr"], defaults=fields)
            creditors.append(creditor)
            for role in Role:
                username = f"{spec['slug']}-{role.value}"
                membership_grant(
                    user=user(username, f"{role.label} {spec['name']}"),
                    creditor=creditor,
                    role=role,
                )
                logins.append((username, f"{role.label}, {creditor.name}"))

        # One bookkeeper who works for two creditors, to show the creditor switcher.
        multi = user("bogholder", "Bente Bogholder")
        for creditor in creditors[:2]:
            membership_grant(user=multi, creditor=creditor, role=Role.MEMBER)
        logins.append(("bogholder", f"Member, {creditors[0].name} and {creditors[1].name}"))

        for index, creditor in enumerate(creditors):
            with creditor_scope(creditor):
                for number, (kind, name, national_id, address, postal, city) in enumerate(DEBTORS):
                    debtor, _created = debtor_get_or_create(
                        creditor=creditor,
                        kind=kind,
                        name=name,
                        national_id=national_id,
                        address_line=address,
                        postal_code=postal,
                        city=city,
                    )
                    reference = f"DEMO-{creditor.cvr[-4:]}-{number + 1:03d}"
                    if (
                        number <= index + 1
                        and not Case.objects.filter(creditor_reference=reference).exists()
                    ):
                        case = case_create(
                            creditor=creditor,
                            debtor=debtor,
                            creditor_reference=reference,
                            claims=demo_claims(reference, kind, today=timezone.localdate()),
                        )
                        if number == 0:
                            demo_history(case, today=timezone.localdate())

        return logins
