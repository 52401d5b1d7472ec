"""The bank's and the agents' money endpoints under /api/v1/ (agency staff only)."""

from django.urls import path

from . import api

urlpatterns = [
    path("bank-files/", api.BankFileListView.as_view(), name="bank-file-list"),
    path("bank-files/<uuid:public_id>/", api.BankFileDetailView.as_view(), name="bank-file-detail"),
    path("bank/unmatched/", api.UnmatchedListView.as_view(), name="bank-unmatched-list"),
    path(
        "bank/unmatched/<int:pk>/book/", api.UnmatchedBookView.as_view(), name="bank-unmatched-book"
    ),
    path(
        "bank/unmatched/<int:pk>/refund/",
        api.UnmatchedRefundView.as_view(),
        name="bank-unmatched-refund",
    ),
    path(
        "agency/cases/<int:pk>/payments/",
        api.AgencyCasePaymentView.as_view(),
        name="agency-case-payments",
    ),
    path(
        "agency/cases/<int:pk>/refund-credit/",
        api.AgencyCaseRefundView.as_view(),
        name="agency-case-refund-credit",
    ),
    path(
        "agency/payments/<int:pk>/reverse/",
        api.AgencyPaymentReverseView.as_view(),
        name="agency-payment-reverse",
    ),
    path(
        "agency/payments/<int:pk>/move/",
        api.AgencyPaymentMoveView.as_view(),
        name="agency-payment-move",
    ),
]
