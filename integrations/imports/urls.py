"""This app's endpoints under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("imports/", views.ImportListCreateView.as_view(), name="import-list"),
    path("imports/<uuid:public_id>/", views.ImportDetailView.as_view(), name="import-detail"),
    path(
        "imports/<uuid:public_id>/rejections/",
        views.ImportRejectionsView.as_view(),
        name="import-rejections",
    ),
    path(
        "imports/<uuid:public_id>/rejections.csv",
        views.ImportRejectionsCsvView.as_view(),
        name="import-rejections-csv",
    ),
    path("imports/<uuid:public_id>/cases/", views.ImportCasesView.as_view(), name="import-cases"),
]
