from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        import logging

        # WeasyPrint logs each layout step at INFO (and its own stylesheets on import): one
        # line per step and letter is noise in a worker's log.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
