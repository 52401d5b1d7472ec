"""Agency staff roles, as Django groups with permissions.

The agency that runs the portal has agents (work the case queue), supervisors (also approve
write-offs, plans outside policy and legal steps) and administrators (manage creditors, users
and the rules data in the Django admin). The groups and their permissions are kept in step with
the code after every ``migrate``, so a new model's permissions reach the right roles by
themselves.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

# The apps whose models the agency works with.
AGENCY_APPS = (
    "creditors",
    "debtors",
    "cases",
    "notices",
    "delivery",  # notices.delivery: channel policies, deliveries, print batches
    # integrations' sub-apps, by their app labels (apps.get_app_configs()): "integrations"
    # itself holds no models, so naming it gave no permission on import jobs or webhooks.
    "imports",
    "webhooks",
    "django_celery_beat",
)


class AgencyRole(models.TextChoices):
    AGENT = "agency_agent", _("Agency agent")
    SUPERVISOR = "agency_supervisor", _("Agency supervisor")
    ADMIN = "agency_admin", _("Agency administrator")


def _permissions_for(role: str):
    perms = Permission.objects.filter(content_type__app_label__in=AGENCY_APPS)
    if role == AgencyRole.ADMIN:
        # Administrators also manage users and groups (creditor users, staff accounts), and
        # read the sign-in records (django-axes); deleting a lockout count lifts the lockout.
        return (
            perms
            | Permission.objects.filter(content_type__app_label="auth")
            | Permission.objects.filter(
                content_type__app_label="axes", codename__startswith="view_"
            )
            | Permission.objects.filter(
                content_type__app_label="axes", codename="delete_accessattempt"
            )
        )
    if role == AgencyRole.SUPERVISOR:
        return perms.exclude(codename__startswith="delete_")
    # Agents read everything they work on and change cases, debtors and notices.
    return perms.filter(
        models.Q(codename__startswith="view_")
        | models.Q(
            codename__startswith="change_",
            content_type__app_label__in=("debtors", "cases", "notices"),
        )
        | models.Q(
            codename__startswith="add_",
            content_type__app_label__in=("debtors", "cases", "notices"),
        )
    )


def sync_agency_groups(**_kwargs) -> None:
    """Create the agency groups and give each its permissions; safe to run any number of times."""
    for role in AgencyRole:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(_permissions_for(role))
