"""The portal's "Upload invoices" pages under /imports/ (views_portal.py)."""

from django.urls import path

from . import views_portal as views

app_name = "imports"

urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("template.csv", views.import_template, {"fmt": "csv"}, name="template_csv"),
    path("template.xlsx", views.import_template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("map/<str:token>/", views.import_map, name="map"),
    path("<uuid:job_id>/", views.import_detail, name="detail"),
    path("<uuid:job_id>/progress/", views.import_progress, name="progress"),
    path("<uuid:job_id>/rejections.csv", views.import_rejections_csv, name="rejections_csv"),
]
