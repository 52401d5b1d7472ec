"""/api/: the v1 resources, the OpenAPI schema and the browsable docs (local static files)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

# Path converters (not regexes): ids are <int:pk>, so the schema types them and the tenant
# isolation test can walk them.
router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # one URL per resource: JSON by content negotiation
router.register("debtors", views.DebtorViewSet, basename="api-debtor")
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("payments", views.PaymentViewSet, basename="api-payment")
router.register("notices", views.NoticeViewSet, basename="api-notice")
router.register("documents", views.CaseDocumentViewSet, basename="api-document")

v1_patterns = [
    path("", include(router.urls)),
    path("", include("integrations.imports.urls")),
    path("", include("integrations.webhooks.urls")),
    path("", include("integrations.bank.api_urls")),
    path("", include("integrations.api.urls_workspace")),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
