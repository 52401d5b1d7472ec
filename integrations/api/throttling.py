"""Rate limits per API key (and per user for session clients), counted in Redis."""

from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClient


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.user, ApiClient):
            ident = f"key:{request.user.key.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
