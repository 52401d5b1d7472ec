"""Tenancy: every creditor's data is reachable only inside a scope that names the creditor.

Tenant-owned models use :func:`TenantManager` as their default manager (django-scopes'
``ScopedManager`` on the ``creditor`` dimension). A query on such a model with no active scope
raises ``ScopeError`` instead of returning every creditor's rows.

Scopes are entered in a few places only, each visible in the code:

* :class:`TenantScopeMiddleware` for browser requests: a creditor user's current creditor,
  or every creditor for agency staff;
* :func:`creditor_scope` for code that acts for one creditor (Celery tasks, commands, the API);
* :func:`agency_scope` for agency staff and agency-wide jobs that work across creditors.

``django_scopes.scope`` and ``scopes_disabled`` are banned outside this module by ruff
(flake8-tidy-imports), because ``scope(creditor=None)`` silently matches every creditor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.state import state as _scope_state

if TYPE_CHECKING:
    from django.http import HttpRequest

    from creditors.models import Creditor

__all__ = [
    "ScopeError",
    "TenantManager",
    "TenantModel",
    "agency_scope",
    "creditor_scope",
    "current_creditor_ids",
    "no_scope",
    "scope_reset",
]


def TenantManager(manager_class: type[models.Manager] = models.Manager) -> models.Manager:
    """The default manager of every tenant-owned model: scoped on its ``creditor`` field."""
    return ScopedManager(creditor="creditor", _manager_class=manager_class)


class TenantModel(models.Model):
    """Base for tenant-owned models: a direct, indexed ``creditor`` key and a scoped manager."""

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


@contextmanager
def creditor_scope(creditor: Creditor | int) -> Iterator[None]:
    """Act for exactly one creditor. ``None`` is refused: it would mean every creditor."""
    creditor_id = creditor if isinstance(creditor, int) else getattr(creditor, "pk", None)
    if not creditor_id:
        raise ScopeError("creditor_scope() needs a saved creditor or a creditor id, not None.")
    with scope(creditor=creditor_id):
        yield


@contextmanager
def agency_scope(*, reason: str) -> Iterator[None]:
    """Act for the agency across all its creditors (agents, supervisors, scheduled jobs).

    The reason is required so every crossing of tenants says why, and one search finds them.
    """
    if not reason:
        raise ScopeError("agency_scope() needs a reason.")
    with scopes_disabled():
        yield


@contextmanager
def no_scope() -> Iterator[None]:
    """Run the block with no tenant scope at all, whatever the caller had; restore it after.

    Every request starts here (:class:`TenantScopeMiddleware`), so a scope that some code
    failed to close can never carry over into the next request of the same thread.
    """
    token = _scope_state.set(None)
    try:
        yield
    finally:
        _scope_state.reset(token)


def scope_reset() -> None:
    """Forget any tenant scope of this thread's context (a worker's, before each task).

    A scope is a context variable: in a sync worker a scope left open by a failed block would
    otherwise apply to whatever that thread runs next.
    """
    _scope_state.set(None)


def current_creditor_ids() -> list[int] | None:
    """The creditor ids the active scope allows, ``None`` for agency scope; raises without one."""
    state = get_scope()
    if not state.get("_enabled", True):
        return None
    if "creditor" not in state:
        raise ScopeError("No tenant scope is active.")
    value = state["creditor"]
    return list(value) if isinstance(value, list | tuple) else [value]


def request_scope(request: HttpRequest):
    """The scope a browser request runs in, chosen from the signed-in user."""
    from creditors.selectors import current_creditor_for_request, user_is_agency_staff

    user = getattr(request, "user", None)
    request.creditor = None
    if user is None or not user.is_authenticated:
        return _no_scope()
    if user_is_agency_staff(user):
        # Agency staff (agents, supervisors, admins) work across every creditor of the agency,
        # until they pick one creditor in the switcher: then the portal shows that creditor's
        # data only, exactly as its own users see it (its lists, its dashboard), until they
        # choose "all creditors" again. The Django admin is the agency's tool across creditors
        # and stays in the agency's scope whatever was picked.
        request.creditor = current_creditor_for_request(request)
        if request.creditor is not None and not _is_admin_path(request):
            return creditor_scope(request.creditor)
        return agency_scope(reason="agency staff request")
    creditor = current_creditor_for_request(request)
    if creditor is None:
        return _no_scope()
    request.creditor = creditor
    return creditor_scope(creditor)


def _is_admin_path(request: HttpRequest) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        admin_root = reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin
        return False
    return request.path.startswith(admin_root)


@contextmanager
def _no_scope() -> Iterator[None]:
    """Anonymous users and users without a creditor get no scope: tenant queries raise."""
    yield


class TenantScopeMiddleware:
    """Runs each request inside the scope of the signed-in user's current creditor.

    The request starts from no scope at all (:func:`no_scope`), and both context managers
    close however the request ends, so no scope outlives its request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with no_scope(), request_scope(request):
            return self.get_response(request)
