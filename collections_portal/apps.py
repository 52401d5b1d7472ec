from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _apply_database_roles(sender, using, plan=None, **kwargs) -> None:
    """After every migrate: the append-only triggers and the application role's grants
    (collections_portal.dbroles), so tables that new migrations create are covered too.
    ``flush`` sends post_migrate without a plan; it changes no tables, so nothing to do."""
    if plan is None:
        return
    from . import dbroles

    dbroles.apply_roles(using)


class CollectionsPortalConfig(AppConfig):
    name = "collections_portal"
    verbose_name = "Inkasso portal"

    def ready(self) -> None:
        # Once per migrate: Django sends post_migrate for each app with a models module
        # (hence collections_portal/models.py), after every migration has run.
        post_migrate.connect(_apply_database_roles, sender=self, dispatch_uid="dbroles")
