from django.apps import AppConfig


class CollectionsPortalConfig(AppConfig):
    name = "collections_portal"
    verbose_name = "Inkasso portal"
