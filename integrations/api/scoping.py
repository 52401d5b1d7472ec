"""The tenant scope of an API request.

Every API view derives from ``ScopedAPIView`` (or uses ``ScopedViewMixin``). An API key is
only known once DRF has authenticated the request, inside the view, so the scope is chosen
right after authentication, from the request itself: an API key's creditor, a creditor user's
current creditor, or the agency for agency staff. A signed-in user who acts for no creditor
is refused (403). Whether some scope happens to be active decides nothing.

The scope is entered on a stack that ``dispatch`` owns in a ``with`` block, so it is closed
however the request ends: a response, an ``APIException``, ``Http404``, a parse error from
Django, or any other exception that escapes DRF.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack

from rest_framework import generics, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import APIView

from collections_portal.tenancy import agency_scope, creditor_scope
from creditors.selectors import user_is_agency_staff

from .authentication import ApiClient


def api_request_scope(request) -> AbstractContextManager:
    """The scope an authenticated API request runs in, decided from its client and role."""
    user = request.user
    if isinstance(user, ApiClient):
        return creditor_scope(user.key.creditor_id)
    if user is not None and user.is_authenticated and user_is_agency_staff(user):
        # Agency staff work across every creditor of the agency.
        return agency_scope(reason="agency staff API request")
    creditor = getattr(request._request, "creditor", None)
    if creditor is None or not user.is_authenticated:
        raise PermissionDenied("This user acts for no creditor.")
    # The request's creditor was chosen by the tenancy middleware from the user's memberships.
    return creditor_scope(creditor)


class ScopedViewMixin:
    """Runs the handler in the tenant scope of whoever made the request."""

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._tenant_scope = stack
            try:
                return super().dispatch(request, *args, **kwargs)
            finally:
                self._tenant_scope = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        stack = getattr(self, "_tenant_scope", None)
        if stack is None:  # pragma: no cover - dispatch always sets it
            raise RuntimeError("ScopedViewMixin.initial() ran outside dispatch().")
        stack.enter_context(api_request_scope(request))


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
