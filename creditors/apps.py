from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CreditorsConfig(AppConfig):
    name = "creditors"
    verbose_name = _("Creditors")

    def ready(self) -> None:
        from .agency import sync_agency_groups

        # After migrate the permissions of every app exist; the groups are synced to them.
        post_migrate.connect(sync_agency_groups, dispatch_uid="creditors.sync_agency_groups")
