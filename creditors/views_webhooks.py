"""A creditor's webhook endpoints in the portal, at /settings/webhooks/: list, create and edit
(the URL checked by the SSRF guard, the events chosen by name), the secret shown once (at
creation and on rotation), deactivate and delete, the delivery log of an endpoint with replay,
and a test event. Every change is one call of ``integrations.webhooks.services`` (the same the
API at /api/v1/webhooks/ makes), audited in the creditor's settings log.

Only owners and administrators of the request's creditor open these pages (as the API keys'):
members and viewers get 403, on reads too, since the pages show the integration's URLs and
log; an endpoint or delivery of another creditor is a 404 (the request's tenant scope).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from integrations.webhooks import services
from integrations.webhooks.models import (
    TEST_EVENT,
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)

from .views_api_keys import creditor_manager_view

DELIVERY_LOG_LENGTH = 50


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=2000,
        help_text=gettext_lazy(
            "The HTTPS address that receives the events; it must reach the public internet."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For you: what receives these events, e.g. “ERP”."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        try:
            return services.check_endpoint_url(self.cleaned_data["url"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None


def event_title(event_type: str) -> str:
    if event_type == TEST_EVENT:
        return _("Test event")
    try:
        return str(EventType(event_type).label)
    except ValueError:
        return event_type


def _no_store(response):
    # A page that may carry a signing secret: no cache (browser or proxy) may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


def _secret_page(request, endpoint: WebhookEndpoint, secret: str, *, status: int):
    return _no_store(
        render(
            request,
            "creditors/webhook_secret.html",
            {"endpoint": endpoint, "secret": secret},
            status=status,
        )
    )


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    # The request's tenant scope limits the query to its creditor: another's is a 404.
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id)


@creditor_manager_view
def webhooks(request):
    endpoints = WebhookEndpoint.objects.all().order_by("-created_at", "-pk")
    rows = [{"endpoint": e, "events": [event_title(code) for code in e.events]} for e in endpoints]
    return render(request, "creditors/webhooks.html", {"rows": rows})


@creditor_manager_view
def webhook_create(request):
    if request.method != "POST":
        return render(request, "creditors/webhook_form.html", {"form": WebhookEndpointForm()})
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                creditor_id=request.creditor.pk,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the secret exists in clear only in this response.
            return _secret_page(request, endpoint, secret, status=201)
    return render(request, "creditors/webhook_form.html", {"form": form}, status=400)


def _detail(request, endpoint: WebhookEndpoint, form: WebhookEndpointForm, status: int = 200):
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .order_by("-created_at", "-pk")[:DELIVERY_LOG_LENGTH]
    )
    for delivery in deliveries:
        delivery.event_title = event_title(delivery.event.type)
        delivery.may_replay = endpoint.is_active or delivery.event.type == TEST_EVENT
    return render(
        request,
        "creditors/webhook_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": deliveries,
            "pending": DeliveryStatus.PENDING,
            "log_length": DELIVERY_LOG_LENGTH,
        },
        status=status,
    )


@creditor_manager_view
def webhook_detail(request, endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if request.method != "POST":
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
        }
        return _detail(request, endpoint, WebhookEndpointForm(initial=initial))
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            services.webhook_endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The webhook endpoint is saved."))
            return redirect("webhook_detail", endpoint_id=endpoint.pk)
    return _detail(request, endpoint, form, status=400)


@require_POST
@creditor_manager_view
def webhook_rotate_secret(request, endpoint_id: int):
    endpoint, secret = services.webhook_endpoint_rotate_secret(
        endpoint=_endpoint(endpoint_id), actor=request.user
    )
    return _secret_page(request, endpoint, secret, status=200)


@require_POST
@creditor_manager_view
def webhook_set_active(request, endpoint_id: int):
    active = request.POST.get("active") == "1"
    endpoint = services.webhook_endpoint_update(
        endpoint=_endpoint(endpoint_id), is_active=active, actor=request.user
    )
    if endpoint.is_active:
        messages.success(request, _("The webhook endpoint is active again."))
    else:
        messages.success(request, _("The webhook endpoint is deactivated: nothing is sent to it."))
    return redirect("webhook_detail", endpoint_id=endpoint.pk)


@require_POST
@creditor_manager_view
def webhook_delete(request, endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("The webhook endpoint %(url)s is deleted.") % {"url": endpoint.url})
    return redirect("webhooks")


@require_POST
@creditor_manager_view
def webhook_test(request, endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    services.webhook_endpoint_test(endpoint=endpoint, actor=request.user)
    messages.success(
        request, _("A test event is on its way; its delivery is at the top of the log.")
    )
    return redirect("webhook_detail", endpoint_id=endpoint.pk)


@require_POST
@creditor_manager_view
def webhook_replay(request, endpoint_id: int, delivery_id: int):
    endpoint = _endpoint(endpoint_id)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("event"), pk=delivery_id, endpoint=endpoint
    )
    try:
        services.webhook_delivery_replay(delivery=delivery, actor=request.user)
    except services.WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The event is sent again as a new delivery (the same event id)."),
        )
    return redirect("webhook_detail", endpoint_id=endpoint.pk)
