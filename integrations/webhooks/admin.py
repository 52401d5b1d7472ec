"""Admin for webhooks: endpoints (secret shown once; rotate; test-fire), deliveries with
their attempt log (replay), and the events."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple, label=_("events")
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["creditor", "url", "description", "events", "is_active"]

    def clean_url(self):
        try:
            return services.check_endpoint_url(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from exc


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "creditor", "is_active", "disabled_reason", "created_at"]
    list_filter = ["is_active", "creditor"]
    search_fields = ["url", "description", "creditor__name"]
    autocomplete_fields = ["creditor"]
    readonly_fields = ["disabled_reason", "created_at", "updated_at"]
    fields = ["creditor", "url", "description", "events", "is_active", *readonly_fields]
    actions = ["rotate_secret", "send_test"]

    def get_readonly_fields(self, request, obj=None):
        # An endpoint's creditor cannot change once it exists.
        return [*self.readonly_fields, "creditor"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Through the services, so the URL guard and the secret are never skipped (the form
        # runs the same URL check first, so a refusal shows on the form).
        if change:
            services.webhook_endpoint_update(
                endpoint=obj,
                url=obj.url,
                events=obj.events,
                description=obj.description,
                is_active=obj.is_active,
            )
            return
        endpoint, secret = services.webhook_endpoint_create(
            creditor_id=obj.creditor_id,
            url=obj.url,
            events=obj.events,
            description=obj.description,
            is_active=obj.is_active,
        )
        obj.pk = endpoint.pk
        obj.secret = endpoint.secret
        self.message_user(
            request,
            _("The signing secret is %(secret)s. Copy it now: it is not shown again.")
            % {"secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Rotate the signing secret (the old one stays valid 24 h)"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint, secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(
                request,
                _("New secret for %(url)s: %(secret)s. Copy it now: it is not shown again.")
                % {"url": endpoint.url, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Send a test event"))
    def send_test(self, request, queryset):
        for endpoint in queryset:
            services.webhook_endpoint_test(endpoint=endpoint)
        self.message_user(
            request, _("Test events queued for %(n)d endpoints.") % {"n": queryset.count()}
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "response_code", "error", "response_body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event__type", "creditor"]
    search_fields = ["event__id", "endpoint__url"]
    list_select_related = ["event", "endpoint"]
    inlines = [WebhookAttemptInline]
    actions = ["replay"]
    readonly_fields = [
        "creditor",
        "endpoint",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_response_code",
        "last_response_body",
        "last_error",
        "last_duration_ms",
        "succeeded_at",
        "replay_of",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Replay the selected deliveries"))
    def replay(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("event"):
            try:
                services.webhook_delivery_replay(delivery=delivery)
            except services.WebhookError as exc:
                self.message_user(request, f"{delivery.pk}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("Replayed %(n)d deliveries.") % {"n": done})


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "creditor", "created_at"]
    list_filter = ["type", "creditor"]
    search_fields = ["id"]
    readonly_fields = ["id", "creditor", "type", "payload", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
