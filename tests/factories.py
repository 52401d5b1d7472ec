"""factory-boy factories for every model; tenant-owned objects are created in their own scope."""

from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from stdnum.dk import cvr as stdnum_cvr

from cases.models import Case
from collections_portal.tenancy import creditor_scope
from creditors.agency import AgencyRole, sync_agency_groups
from creditors.models import Creditor, Membership, Role
from debtors.models import ContactKind, ContactPoint, Debtor, DebtorKind

TEST_PASSWORD = "correct horse battery staple"


def valid_cvr(n: int) -> str:
    """The n-th valid CVR number of a test range: weights 2,7,6,5,4,3,2,1, sum divisible by 11."""
    for leading in range(2, 10):  # a prefix whose check digit would be 10 tries the next range
        digits = str(leading * 1_000_000 + n)
        check = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        if check < 10:
            number = f"{digits}{check}"
            assert stdnum_cvr.is_valid(number)
            return number
    raise AssertionError(f"no CVR number for {n}")


def valid_cpr(n: int) -> str:
    """The n-th CPR number of a test range: born 1950-1999, a serial that means the 1900s."""
    born = date(1950, 1, 1) + timedelta(days=n % 18_000)
    serial = (n // 18_000) % 4_000  # a 7th digit of 0-3 puts the year in the 1900s
    return f"{born:%d%m%y}{serial:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def agency_user(role: AgencyRole = AgencyRole.AGENT, **kwargs):
    """A member of the agency's staff with the given role."""
    sync_agency_groups()
    user = UserFactory(is_staff=role != AgencyRole.AGENT, **kwargs)
    user.groups.add(Group.objects.get(name=role.value))
    return user


class CreditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creditor

    name = factory.Sequence(lambda n: f"Kreditor {n} A/S")
    cvr = factory.Sequence(valid_cvr)
    address_line = factory.Faker("street_address", locale="da_DK")
    postal_code = "2100"
    city = "København Ø"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    creditor = factory.SubFactory(CreditorFactory)
    role = Role.MEMBER


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates a tenant-owned object inside the scope of the creditor it belongs to."""

    class Meta:
        abstract = True

    creditor = factory.SubFactory(CreditorFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with creditor_scope(kwargs["creditor"]):
            return super()._create(model_class, *args, **kwargs)


class DebtorFactory(TenantFactory):
    """A person with a CPR number by default; ``kind=DebtorKind.COMPANY`` gets a CVR number."""

    class Meta:
        model = Debtor

    class Params:
        number = factory.Sequence(lambda n: n)

    kind = DebtorKind.PERSON
    name = factory.Faker("name", locale="da_DK")
    national_id = factory.LazyAttribute(
        lambda d: valid_cvr(d.number) if d.kind == DebtorKind.COMPANY else valid_cpr(d.number)
    )
    address_line = factory.Faker("street_address", locale="da_DK")
    postal_code = "8000"
    city = "Aarhus C"


class CompanyDebtorFactory(DebtorFactory):
    kind = DebtorKind.COMPANY
    name = factory.Faker("company", locale="da_DK")


class ContactPointFactory(TenantFactory):
    class Meta:
        model = ContactPoint

    debtor = factory.SubFactory(DebtorFactory, creditor=factory.SelfAttribute("..creditor"))
    kind = ContactKind.EMAIL
    value = factory.Sequence(lambda n: f"debtor{n}@example.com")


class CaseFactory(TenantFactory):
    class Meta:
        model = Case

    debtor = factory.SubFactory(DebtorFactory, creditor=factory.SelfAttribute("..creditor"))
