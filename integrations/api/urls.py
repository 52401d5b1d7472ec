"""/api/: the v1 resources, the OpenAPI schema and the browsable docs (local static files)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

router = DefaultRouter()

v1_patterns = [
    path("", include(router.urls)),
    path("", include("integrations.imports.urls")),
    path("", include("integrations.webhooks.urls")),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
