from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import views as case_views
from cases import views_actions as case_actions
from cases import views_file as case_file_views
from cases import views_list as case_list_views
from cases import views_messages as case_message_views
from collections_portal import signin
from creditors import views as creditor_views
from creditors import views_api_keys, views_policy, views_settings, views_webhooks
from debtors import views as debtor_views
from integrations.bank import views_settlements as settlement_views
from integrations.imports import views_exports as export_views
from notices import views as notice_views

auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        signin.ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", creditor_views.home, name="home"),
    path("creditor/switch/", creditor_views.switch_creditor, name="switch_creditor"),
    # A creditor's settings (creditors/views_settings.py); the menu: creditors/_settings_nav.html.
    path("settings/", views_settings.settings_index, name="settings"),
    path("settings/users/", views_settings.users, name="settings_users"),
    path("settings/users/role/", views_settings.user_role, name="settings_user_role"),
    path("settings/users/remove/", views_settings.user_remove, name="settings_user_remove"),
    path(
        "settings/invitations/revoke/",
        views_settings.invitation_revoke_view,
        name="settings_invitation_revoke",
    ),
    path("settings/company/", views_settings.company, name="settings_company"),
    path("settings/cpr-reveals/", views_settings.cpr_reveals, name="settings_cpr_reveals"),
    path("invitations/<str:token>/", views_settings.invitation_accept, name="invitation_accept"),
    path("settings/api-keys/", views_api_keys.api_keys, name="api_keys"),
    path("settings/api-keys/revoke/", views_api_keys.api_key_revoke_view, name="api_key_revoke"),
    # Webhooks, collection policy, channel policy (creditors/views_webhooks.py, views_policy.py).
    path("settings/webhooks/", views_webhooks.webhooks, name="webhooks"),
    path("settings/webhooks/new/", views_webhooks.webhook_create, name="webhook_create"),
    path(
        "settings/webhooks/<int:endpoint_id>/",
        views_webhooks.webhook_detail,
        name="webhook_detail",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/rotate-secret/",
        views_webhooks.webhook_rotate_secret,
        name="webhook_rotate_secret",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/active/",
        views_webhooks.webhook_set_active,
        name="webhook_set_active",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/delete/",
        views_webhooks.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/test/",
        views_webhooks.webhook_test,
        name="webhook_test",
    ),
    path(
        "settings/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/",
        views_webhooks.webhook_replay,
        name="webhook_replay",
    ),
    path("settings/policy/", views_policy.collection_policy, name="collection_policy"),
    path("settings/channels/", views_policy.channel_policies, name="channel_policies"),
    path("cases/", case_list_views.case_list, name="case_list"),
    path("cases/export.csv", case_list_views.case_export, {"fmt": "csv"}, name="case_export_csv"),
    path(
        "cases/export.xlsx", case_list_views.case_export, {"fmt": "xlsx"}, name="case_export_xlsx"
    ),
    path("cases/lookup/", case_list_views.case_lookup, name="case_lookup"),
    # A large export runs in the background: its page, progress and download (tenant-checked).
    path(
        "cases/exports/<uuid:export_id>/",
        export_views.case_export_detail,
        name="case_export_detail",
    ),
    path(
        "cases/exports/<uuid:export_id>/progress/",
        export_views.case_export_progress,
        name="case_export_progress",
    ),
    path(
        "cases/exports/<uuid:export_id>/download/",
        export_views.case_export_download,
        name="case_export_download",
    ),
    # File a case: a short wizard (cases/views_file.py).
    path("cases/new/", case_file_views.file_debtor, name="case_file"),
    path("cases/new/debtors/", case_file_views.file_debtor_search, name="case_file_debtors"),
    path("cases/new/invoices/", case_file_views.file_invoices, name="case_file_invoices"),
    path("cases/new/preview/", case_file_views.file_preview, name="case_file_preview"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/payments/", case_actions.case_payment, name="case_payment"),
    path("cases/<int:case_id>/write-down/", case_actions.case_write_down, name="case_write_down"),
    path("cases/<int:case_id>/pause/", case_actions.case_pause, name="case_pause"),
    path("cases/<int:case_id>/resume/", case_actions.case_resume, name="case_resume"),
    path("cases/<int:case_id>/withdraw/", case_actions.case_withdraw, name="case_withdraw"),
    path("cases/<int:case_id>/dispute/", case_actions.case_dispute, name="case_dispute"),
    path(
        "cases/<int:case_id>/documents/",
        case_actions.case_document_upload,
        name="case_document_upload",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/",
        case_actions.case_document_download,
        name="case_document_download",
    ),
    path("cases/<int:case_id>/messages/", case_message_views.case_messages, name="case_messages"),
    # Each person's own notification e-mails: at once, in a daily digest, or none.
    path(
        "settings/notifications/",
        case_message_views.notification_settings,
        name="notification_settings",
    ),
    path("letters/<int:notice_id>/pdf/", notice_views.notice_pdf, name="notice_pdf"),
    path(
        "cases/<int:case_id>/letters/preview/",
        notice_views.notice_preview_pdf,
        name="notice_preview",
    ),
    path("debtors/", debtor_views.debtor_list, name="debtor_list"),
    path("debtors/<int:debtor_id>/", debtor_views.debtor_detail, name="debtor_detail"),
    path("debtors/<int:debtor_id>/reveal/", debtor_views.debtor_reveal, name="debtor_reveal"),
    # Settlements: the creditor's statements (PDF, CSV).
    path("settlements/", settlement_views.settlement_list, name="settlements"),
    path(
        "settlements/<uuid:settlement_id>/statement.pdf",
        settlement_views.settlement_pdf,
        name="settlement_pdf",
    ),
    path(
        "settlements/<uuid:settlement_id>/statement.csv",
        settlement_views.settlement_csv,
        name="settlement_csv",
    ),
    # Upload invoices (CSV, XLSX) and follow the import jobs (integrations/imports).
    path("imports/", include("integrations.imports.urls_portal")),
    # The agency's own pages (bank files, unmatched payments, money tools): agency staff only.
    path("agency/", include("integrations.bank.urls")),
    # The agent workspace: queue, next case, work screen, score weights. Agency staff only.
    path("workspace/", include("cases.urls_work")),
    path("accounts/", include(auth_patterns)),
    # Django's set_language, landing on the nearest page that exists (creditors/views.py).
    path("i18n/setlang/", creditor_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("integrations.api.urls")),
]
# MEDIA_URL is deliberately not served, in any mode: stored files (letters, case documents,
# import uploads with CPR numbers) are only served by views that check the tenant
# (notice_pdf here, the API's notice pdf and document download).

# The portal's own error pages, in its frame and the reader's language.
handler403 = "collections_portal.errors.permission_denied"
handler404 = "collections_portal.errors.page_not_found"
handler500 = "collections_portal.errors.server_error"
