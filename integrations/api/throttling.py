"""Rate limits per API key (and per user for session clients), counted in Redis.

When Redis (the shared cache) cannot be reached, the API keeps serving: each process counts
in a cache of its own memory instead, so a limit still holds per process (a client may get up
to the limit once per web process while Redis is down) rather than either refusing every
request or lifting the limit altogether. A warning is logged, at most once a minute per
process, so the outage shows in the logs without flooding them.
"""

import logging
import time

import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClient

logger = logging.getLogger(__name__)

# What the Redis cache raises when the server is down or the connection drops.
CACHE_ERRORS = (redis.exceptions.RedisError, OSError)
# This process's own counters while the shared cache is unreachable.
FALLBACK_CACHE = LocMemCache("api-throttle-fallback", {"MAX_ENTRIES": 10_000})
WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _warn_cache_down(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning(
            "API rate limits: the cache is unreachable (%s); counting per process meanwhile", exc
        )


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

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            _warn_cache_down(exc)
            self.cache = FALLBACK_CACHE
            return super().allow_request(request, view)
