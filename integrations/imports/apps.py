from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "integrations.imports"
    label = "imports"
    verbose_name = _("Bulk imports")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the API key's OpenAPI scheme
