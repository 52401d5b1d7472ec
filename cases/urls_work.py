"""The agent workspace (agency staff only), under /workspace/."""

from django.urls import path

from . import views_plan, views_supervisor, views_work, views_work_actions

app_name = "work"

urlpatterns = [
    path("", views_work.queue, name="queue"),
    path("next/", views_work.next_item, name="next"),
    path("weights/", views_work.weights, name="weights"),
    path("board/", views_supervisor.board, name="board"),
    path("board/reassign/", views_supervisor.reassign_items, name="reassign_items"),
    path("board/reassign-cases/", views_supervisor.reassign_cases, name="reassign_cases"),
    path("approvals/", views_supervisor.inbox, name="inbox"),
    path(
        "approvals/<int:approval_id>/<slug:decision>/",
        views_supervisor.decide,
        name="decide",
    ),
    path("teams/", views_work_actions.teams, name="teams"),
    path(
        "items/<int:item_id>/payment-claim/",
        views_work_actions.payment_claim,
        name="payment_claim",
    ),
    path("items/<int:item_id>/", views_work.item_detail, name="item"),
    # Before the generic action route: "plan" and "write-off" are not actions of views_work.
    path("items/<int:item_id>/plan/", views_plan.plan_create, name="plan"),
    path("items/<int:item_id>/plan/preview/", views_plan.plan_preview, name="plan_preview"),
    path(
        "items/<int:item_id>/plan/<int:plan_id>/signed/",
        views_plan.plan_signed,
        name="plan_signed",
    ),
    path("items/<int:item_id>/write-off/", views_plan.write_off, name="write_off"),
    path("items/<int:item_id>/<slug:action>/", views_work.item_action, name="action"),
]
