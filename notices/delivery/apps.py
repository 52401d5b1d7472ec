from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "notices.delivery"
    label = "delivery"
    verbose_name = _("Notice delivery")
