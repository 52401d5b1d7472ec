"""The tenant scope of an API request.

Browser sessions get their scope from ``TenantScopeMiddleware`` before the view runs. An API
key is only known once DRF has authenticated the request, inside the view, so every API view
derives from ``ScopedAPIView`` (or uses ``ScopedViewMixin``), which enters the key's creditor
scope right after authentication and leaves it when the response is finalised.
"""

from __future__ import annotations

from contextlib import ExitStack

from rest_framework import generics, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import APIView

from collections_portal.tenancy import ScopeError, creditor_scope, current_creditor_ids

from .authentication import ApiClient


class ScopedViewMixin:
    """Runs the handler in the tenant scope of whoever made the request."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._tenant_scope = ExitStack()
        if isinstance(request.user, ApiClient):
            self._tenant_scope.enter_context(creditor_scope(request.user.key.creditor_id))
        else:
            try:
                current_creditor_ids()
            except ScopeError as exc:
                # A session user without a creditor has no scope: refuse rather than fail later.
                raise PermissionDenied("This user acts for no creditor.") from exc

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            return super().finalize_response(request, response, *args, **kwargs)
        finally:
            stack = getattr(self, "_tenant_scope", None)
            if stack is not None:
                stack.close()


def request_creditor_id(request) -> int | None:
    """The creditor an API request acts for: the key's, or the session's current creditor.

    None for agency staff who have not picked one (they see every creditor).
    """
    if isinstance(request.user, ApiClient):
        return request.user.key.creditor_id
    creditor = getattr(request._request, "creditor", None)
    return creditor.pk if creditor is not None else None


class ScopedAPIView(ScopedViewMixin, APIView):
    pass


class ScopedGenericAPIView(ScopedViewMixin, generics.GenericAPIView):
    pass


class ScopedGenericViewSet(ScopedViewMixin, viewsets.GenericViewSet):
    pass


class ScopedModelViewSet(ScopedViewMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyModelViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    pass
