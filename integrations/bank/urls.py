"""The agency's bank pages (agency staff only), under /agency/."""

from django.urls import path

from . import views, views_settlements

app_name = "bank"

urlpatterns = [
    path("bank/", views.bank_files, name="files"),
    path("bank/files/<uuid:file_id>/", views.bank_file_detail, name="file_detail"),
    path("bank/unmatched/", views.unmatched_list, name="unmatched"),
    path("bank/unmatched/<int:item_id>/", views.unmatched_detail, name="unmatched_detail"),
    path("cases/<int:case_id>/money/", views.case_money, name="case_money"),
    path("settlements/", views_settlements.agency_settlements, name="settlements"),
    path(
        "settlements/<uuid:settlement_id>/pain001.xml",
        views_settlements.settlement_payout,
        name="settlement_payout",
    ),
    path("reconciliation/", views_settlements.reconciliation_page, name="reconciliation"),
    path("reconciliation/run/", views_settlements.reconciliation_run, name="reconciliation_run"),
]
