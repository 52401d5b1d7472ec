"""The agent workspace (agency staff only), under /workspace/."""

from django.urls import path

from . import views_work, views_work_actions

app_name = "work"

urlpatterns = [
    path("", views_work.queue, name="queue"),
    path("next/", views_work.next_item, name="next"),
    path("weights/", views_work.weights, name="weights"),
    path("teams/", views_work_actions.teams, name="teams"),
    path(
        "items/<int:item_id>/payment-claim/",
        views_work_actions.payment_claim,
        name="payment_claim",
    ),
    path("items/<int:item_id>/", views_work.item_detail, name="item"),
    path("items/<int:item_id>/<slug:action>/", views_work.item_action, name="action"),
]
