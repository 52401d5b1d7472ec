"""A creditor's viewer reads and never writes: every write route of the URLconf answers 403.

The routes are found by walking the whole URL configuration, so a write endpoint added later
(by any app) is held to this without anyone remembering to. A route is left out only when it
is not a write of creditor data; those are listed in SKIPPED with the reason.

* API routes (DRF views): every method the view takes other than GET/HEAD/OPTIONS is sent,
  signed in with the viewer's session, with URL arguments naming creditor A's own objects
  (so a 403 is the role check, not tenancy's 404). Each must be 403.
* The portal's own routes (Django views): POST, PUT, PATCH and DELETE are sent; each must be
  403 (a write the viewer may not make) or 405 (a page that takes no writes: read pages are
  ``require_safe``, so a handler that quietly accepted a POST would show up here).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import permissions
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from creditors.models import Role
from integrations.api.permissions import CanChangeCreditorData
from integrations.imports import views as import_views
from tests.factories import MembershipFactory, UserFactory

from .test_tenant_isolation import KNOWN_KWARGS, OBJECTS, World, make_world

pytestmark = pytest.mark.django_db

SAFE = {"get", "head", "options", "trace"}
WRITES = ("post", "put", "patch", "delete")

# Routes that are not writes of a creditor's data, each with the reason. Matched on the route
# name, or on the start of the route for unnamed ones.
SKIPPED: dict[str, str] = {
    "login": "signing in: no creditor's data; throttled and recorded by the auth work",
    "logout": "signing out ends the viewer's own session only",
    "password_reset": "asks for a reset mail for an address: no creditor's data",
    "password_reset_done": "a page saying the mail was sent",
    "password_reset_confirm": "sets the signed-in-by-token user's own password",
    "password_reset_complete": "a page saying the password was set",
    "set_language": "the language switch: the viewer's own session and cookie",
    "switch_creditor": "the creditor switch: chooses among the viewer's own memberships",
    "invitation_accept": "accepting an invitation: the signed link decides, not a role (a "
    "forged one is 400); tests/creditors/test_settings_services.py tests its rules",
    "notification_settings": "the viewer's own notification e-mails, no creditor's data "
    "(tests/cases/test_messages.py)",
    "admin/": "the Django admin: refuses anyone but staff (its own isolation walk covers it)",
    "media/": "stored files served in development only (GET); never a write",
    "agency/": "the agency's own pages (bank, money tools): tests/bank/test_pages.py walks each "
    "as a creditor's viewer, member and administrator (403)",
}


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    kwargs: tuple[str, ...]
    callback: object

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")  # DRF's as_view() sets it

    @property
    def view_class(self):
        return self.callback.cls

    def api_write_methods(self) -> list[str]:
        actions = getattr(self.callback, "actions", None)
        if actions is not None:  # a viewset route: the methods its router bound
            return sorted(m for m in actions if m not in SAFE)
        cls = self.view_class
        return [m for m in cls.http_method_names if m not in SAFE and hasattr(cls, m)]


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            # Path converters, or the named groups of a regex route (SimpleRouter's).
            names = getattr(entry.pattern, "converters", {}) or entry.pattern.regex.groupindex
            route = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(name, route, tuple(sorted(names)), entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def skip_reason(route: Route) -> str | None:
    if route.name in SKIPPED:
        return SKIPPED[route.name]
    for prefix, reason in SKIPPED.items():
        if prefix.endswith("/") and route.route.lstrip("^").startswith(prefix):
            return reason
    return None


# Portal URL keyword -> the viewer's own object it names.
PORTAL_KWARGS = {
    "case_id": lambda w: w.case.pk,
    "debtor_id": lambda w: w.debtor.pk,
    "notice_id": lambda w: w.notice.pk,
    "document_id": lambda w: w.document.pk,
    # The settings pages' webhook endpoint and delivery (creditors/views_webhooks.py).
    "endpoint_id": lambda w: w.webhook_endpoint.pk,
    "delivery_id": lambda w: w.webhook_delivery.pk,
    # Agency-only pages: the role is refused before any item is looked up.
    "item_id": lambda w: 1,
    "action": lambda w: "contact",
    # The portal's import pages: the viewer's own job; a staged upload's token (refused first).
    "job_id": lambda w: w.import_job.public_id,
    "token": lambda w: "staged",
    # A case export's pages only read: any id (405 before any look-up).
    "export_id": lambda w: uuid.UUID(int=2),
    "plan_id": lambda w: 1,
    "approval_id": lambda w: 1,
    "decision": lambda w: "approve",
    # Statement downloads take no write: any id (they answer 405 before any look-up).
    "settlement_id": lambda w: uuid.UUID(int=1),
}


def path_for(route: Route, world: World) -> str:
    if not route.kwargs:
        return reverse(route.name) if route.name else "/" + route.route
    if route.is_api:
        prefix = next((p for p in OBJECTS if (route.name or "").startswith(p + "-")), None)
        assert prefix is not None, f"{route.route}: teach this test which object it names"
        obj = OBJECTS[prefix](world)
        return reverse(route.name, kwargs={k: KNOWN_KWARGS[k](obj) for k in route.kwargs})
    unknown = [k for k in route.kwargs if k not in PORTAL_KWARGS]
    assert not unknown, f"{route.route} takes {unknown}: teach this test (PORTAL_KWARGS)"
    return reverse(route.name, kwargs={k: PORTAL_KWARGS[k](world) for k in route.kwargs})


def refusals(client, world: World) -> tuple[list[str], int]:
    """Every write the viewer was not refused, and how many writes were tried."""
    allowed, tried = [], 0
    for route in all_routes():
        if skip_reason(route) is not None:
            continue
        path = path_for(route, world)
        if route.is_api:
            for method in route.api_write_methods():
                tried += 1
                status = client.generic(method.upper(), path, "{}", "application/json").status_code
                if status != 403:
                    allowed.append(f"{method.upper()} {path} answered {status}")
        else:
            for method in WRITES:
                tried += 1
                form = "application/x-www-form-urlencoded"
                status = client.generic(method.upper(), path, "", form).status_code
                if status not in (403, 405):
                    allowed.append(f"{method.upper()} {path} answered {status}")
    return allowed, tried


@pytest.fixture
def world(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True  # the endpoint is never called here
    return make_world(tenant_a.creditor, "A")


@pytest.fixture
def viewer_client(tenant_a):
    viewer = UserFactory(username="alfa-viewer")
    MembershipFactory(user=viewer, creditor=tenant_a.creditor, role=Role.VIEWER)
    client = APIClient()
    client.force_login(viewer)
    return client


def test_a_viewer_is_refused_every_write(viewer_client, world):
    allowed, tried = refusals(viewer_client, world)
    assert allowed == []
    assert tried > 20  # the walk found the writes (cases, actions, imports, webhooks, portal)


def test_the_walk_sees_the_import_upload(viewer_client, world, monkeypatch):
    """The control: with the upload's role check taken away (as it was), the walk says so."""
    monkeypatch.setattr(
        import_views.ImportListCreateView, "permission_classes", [permissions.IsAuthenticated]
    )
    allowed, _tried = refusals(viewer_client, world)
    assert allowed and all(a.startswith("POST /api/v1/imports/ ") for a in allowed), allowed


def test_the_walk_covers_the_work_screens_actions_and_pages(viewer_client, world):
    """The walk tries the workspace's item action with one action name; every other action
    (issue 16's: disputes, the legal steps, closing, contact details, SMS) is refused too."""
    from cases.views_work_actions import ACTIONS as WORK_ACTIONS

    names = {route.name for route in all_routes()}
    assert {"work:teams", "work:payment_claim", "work:action"} <= names
    for action in sorted(WORK_ACTIONS):
        path = reverse("work:action", kwargs={"item_id": world.case.pk, "action": action})
        assert viewer_client.post(path, {"reason": "paid", "note": "x"}).status_code == 403


def test_a_viewer_may_still_read(viewer_client, world):
    for path in ("/api/v1/cases/", "/api/v1/imports/", f"/api/v1/cases/{world.case.pk}/"):
        assert viewer_client.get(path).status_code == 200, path
    assert viewer_client.get(reverse("case_detail", args=[world.case.pk])).status_code == 200


def test_every_api_view_that_writes_declares_a_role_permission():
    """The default permission (``IsAuthenticated``) lets every signed-in role write. It is safe
    for a view that only reads (the tenant scope decides what it shows), so a read-only view
    may keep it; a view that takes any write method must declare its own permission classes,
    with a role check beyond the default."""
    assert list(api_settings.DEFAULT_PERMISSION_CLASSES) == [permissions.IsAuthenticated]
    missing = []
    for route in all_routes():
        if not route.is_api or not route.route.startswith("api/v1/"):
            continue
        cls = route.view_class
        declared = list(cls.permission_classes)
        if not route.api_write_methods():
            continue
        beyond = [p for p in declared if p not in api_settings.DEFAULT_PERMISSION_CLASSES]
        if not beyond:
            missing.append(f"{cls.__name__} ({route.route})")
    assert missing == []


def test_the_permission_is_importable_from_where_it_was():
    from integrations.api import views

    assert views.CanChangeCreditorData is CanChangeCreditorData
