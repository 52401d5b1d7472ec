"""This app's endpoints under /api/v1/: /webhooks/endpoints/ and /webhooks/deliveries/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [path("", include(router.urls))]
