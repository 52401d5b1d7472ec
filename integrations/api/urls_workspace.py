"""The agent workspace's endpoints under /api/v1/agency/ (agency staff only)."""

from django.urls import path

from . import views_workspace as views

urlpatterns = [
    path("agency/work-items/", views.WorkItemListView.as_view(), name="agency-work-item-list"),
    path("agency/work-items/next/", views.WorkNextView.as_view(), name="agency-work-item-next"),
    path(
        "agency/work-items/<int:pk>/",
        views.WorkItemDetailView.as_view(),
        name="agency-work-item-detail",
    ),
    path(
        "agency/work-items/<int:pk>/release/",
        views.WorkItemReleaseView.as_view(),
        name="agency-work-item-release",
    ),
    path(
        "agency/work-items/<int:pk>/close/",
        views.WorkItemCloseView.as_view(),
        name="agency-work-item-close",
    ),
    path(
        "agency/cases/<int:pk>/contacts/",
        views.CaseContactView.as_view(),
        name="agency-case-contacts",
    ),
    path(
        "agency/cases/<int:pk>/promises/",
        views.CasePromiseView.as_view(),
        name="agency-case-promises",
    ),
    path("agency/cases/<int:pk>/plans/", views.CasePlanView.as_view(), name="agency-case-plans"),
    path(
        "agency/cases/<int:pk>/dispute-decision/",
        views.CaseDisputeDecisionView.as_view(),
        name="agency-case-dispute-decision",
    ),
    path(
        "agency/cases/<int:pk>/callbacks/",
        views.CaseCallbackView.as_view(),
        name="agency-case-callbacks",
    ),
]
